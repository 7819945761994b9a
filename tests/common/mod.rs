//! Test support shared by the integration tests and the examples (which include the part they
//! need with `#[path]`).

pub mod corpus;
pub mod probes;
