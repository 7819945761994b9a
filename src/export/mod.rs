//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

#[doc(hidden)]
pub use crate::io::atomic;
pub mod geojson;
pub mod layers;

pub use layers::{write_layers, LayerBy, LayerCount, LayerRow, LayerSummary};
