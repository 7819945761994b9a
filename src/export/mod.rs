//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

#[doc(hidden)]
pub use crate::io::atomic;
pub mod geojson;
#[cfg(feature = "gpkg")]
pub mod gpkg;
#[cfg(feature = "html")]
pub mod html;
pub mod layers;
pub mod style;

pub use layers::{
    write_layers, write_layers_into, Formats, LayerBy, LayerCount, LayerRow, LayerSummary,
};
