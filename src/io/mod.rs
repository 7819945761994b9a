//! The bottom layer's input and output: the one input opener and atomic file writes.

pub mod atomic;
pub mod input;
