//! Integration tests: the real binary on real files.

mod util;

mod export;
mod import;
mod resolve;
