//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

pub mod atomic;
pub mod geojson;
#[cfg(feature = "gpkg")]
pub mod gpkg;
pub mod layers;

pub use layers::{write_layers, Formats, LayerBy, LayerCount, LayerRow, LayerSummary};
