//! Colours shared by the GeoPackage styles and the map page.

/// Colours for event types, in order (ColorBrewer Set1 and Dark2, colour-blind aware first).
pub const PALETTE: [&str; 12] = [
    "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#1b9e77",
    "#d95f02", "#7570b3", "#e7298a", "#66a61e",
];

/// The palette colour of an event type: the same type gets the same colour in every layer and
/// format (a hash of its name).
pub fn event_colour(event: &str) -> &'static str {
    let h = xxhash_rust::xxh3::xxh3_64(event.trim().to_lowercase().as_bytes());
    PALETTE[(h % PALETTE.len() as u64) as usize]
}
