//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

pub mod atomic;
