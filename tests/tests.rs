//! Integration tests: the real binary on real files.

mod util;

mod resolve;

mod import_geonames;
