//! Imports that turn other data into gazetteer places with the help of the resolver.

pub mod boundaries;
