//! Integration tests: the real binary on real files.

mod util;

mod clean;
mod export;
mod extract;
mod import;
mod resolve;
mod serve;

mod import_geonames;
mod index;

mod architecture;
mod key_pins;
mod pipes;
mod shell;
