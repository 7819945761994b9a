//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

#[doc(hidden)]
pub use crate::io::atomic;
pub mod geojson;
#[cfg(feature = "gpkg")]
pub mod gpkg;
pub mod layers;

pub use layers::{write_layers, Formats, LayerBy, LayerCount, LayerRow, LayerSummary};
