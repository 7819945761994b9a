//! With the `html` feature, checks that `web/fetch.sh` has fetched the map page's pinned
//! JavaScript dependencies into `web/vendor/` (they are embedded with `include_str!`), so a
//! missing or stale fetch is a clear build error rather than a broken page.

use std::path::Path;

/// The versions and npm integrity `web/fetch.sh` pins, as it writes them to `VERSIONS`.
const VERSIONS: &str = "\
leaflet.markercluster@1.5.3 sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==
leaflet@1.9.4 sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==
";

const FILES: [&str; 7] = [
    "leaflet.js",
    "leaflet.css",
    "LICENSE-leaflet",
    "leaflet.markercluster.js",
    "MarkerCluster.css",
    "MarkerCluster.Default.css",
    "LICENSE-leaflet.markercluster",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_HTML").is_none() {
        return;
    }
    let vendor = Path::new("web/vendor");
    println!("cargo:rerun-if-changed=web/vendor");
    let fetched = std::fs::read_to_string(vendor.join("VERSIONS")).unwrap_or_default();
    let missing: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| !vendor.join(f).is_file())
        .collect();
    if fetched.trim() != VERSIONS.trim() || !missing.is_empty() {
        panic!(
            "the `html` feature embeds Leaflet from web/vendor/, which is missing or holds \
             other versions{}: run `bash web/fetch.sh` (npm registry) first",
            if missing.is_empty() {
                String::new()
            } else {
                format!(" (missing {})", missing.join(", "))
            }
        );
    }
}
