//! The bottom layer's input and output: the one input opener, the one CSV record reader and
//! atomic file writes.

pub mod atomic;
pub mod input;
pub mod records;
