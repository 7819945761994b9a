//! Integration tests: the real binary on real files.

mod common;
mod util;

mod clean;
mod export;
mod extract;
mod gazetteer_stats;
mod import;
mod resolve;
mod resolve_v2;
mod serve;

mod import_geonames;
mod index;

mod architecture;
mod hardening;
mod key_pins;
mod pipes;
mod shell;

mod corpus;
