//! Integration tests: the real binary on real files.

mod util;

mod extract;
mod resolve;
