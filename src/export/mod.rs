//! Writers of what gazmap resolved (GeoJSON layers, CSV) and atomic file output.

#[doc(hidden)]
pub use crate::io::atomic;
pub mod geojson;
#[cfg(feature = "gpkg")]
pub mod gpkg;
#[cfg(feature = "html")]
pub mod html;
pub mod layers;
// the event colours of the GeoPackage style and the map page
#[cfg(any(feature = "gpkg", feature = "html"))]
pub(crate) mod style;

pub use layers::{
    write_layers, write_layers_into, DrawAs, Formats, LayerBy, LayerCount, LayerRow, LayerSummary,
};
