//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

#[doc(hidden)]
pub use crate::io::atomic;
pub mod geojson;
pub mod layers;

pub use layers::{
    write_layers, write_layers_as, write_layers_into, DrawAs, LayerBy, LayerCount, LayerRow,
    LayerSummary,
};
