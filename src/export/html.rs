//! The map page: one self-contained `index.html` that opens from disk with no network. It
//! embeds Leaflet and Leaflet.markercluster (fetched at pinned versions from the npm registry
//! by `web/fetch.sh`, with their licences), gazmap's page script and every layer as JSON.
//!
//! Data reaches the page only as JSON inside `<script type="application/json">` elements
//! (every `<` written as `\u003c`, so no text in the data can close the element) and is put in
//! the page only as text: HTML in a column is shown, never run.

use std::io::{self, Read, Write};

use crate::error::{Error, Result};

const LEAFLET_JS: &str = include_str!("../../web/vendor/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../web/vendor/leaflet.css");
const LEAFLET_LICENSE: &str = include_str!("../../web/vendor/LICENSE-leaflet");
const CLUSTER_JS: &str = include_str!("../../web/vendor/leaflet.markercluster.js");
const CLUSTER_CSS: &str = include_str!("../../web/vendor/MarkerCluster.css");
const CLUSTER_DEFAULT_CSS: &str = include_str!("../../web/vendor/MarkerCluster.Default.css");
const CLUSTER_LICENSE: &str = include_str!("../../web/vendor/LICENSE-leaflet.markercluster");
const VERSIONS: &str = include_str!("../../web/vendor/VERSIONS");
const MAP_JS: &str = include_str!("../../web/map.js");
const MAP_CSS: &str = include_str!("../../web/map.css");

/// The file name of the map page in the output directory.
pub const PAGE_FILE: &str = "index.html";

/// Settings of the page.
#[derive(Debug, Clone, Default)]
pub struct PageOptions {
    /// A tile URL template (`https://…/{z}/{x}/{y}.png`) for a base map; none by default, so
    /// the page needs no network.
    pub tiles: Option<String>,
    /// The attribution the tile provider asks for.
    pub tiles_attribution: Option<String>,
}

/// Writes the page: `layers` are (name, a reader of the layer's GeoJSON FeatureCollection),
/// `colours` the colour of each event type, `event_property` the property holding it.
pub(crate) fn write_page<W: Write>(
    out: &mut W,
    layers: Vec<(String, Box<dyn Read + '_>)>,
    colours: &[(String, &str)],
    event_property: Option<&str>,
    options: &PageOptions,
) -> Result<()> {
    let io = |e: io::Error| Error::io("index.html", e);
    let config = serde_json::json!({
        "tiles": options.tiles,
        "tilesAttribution": options.tiles_attribution,
        "eventProperty": event_property,
        "colours": colours.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
        "defaultColour": "#555555",
    });
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; \
         style-src 'unsafe-inline'; img-src data:{}\">\
         <title>gazmap layers</title>\n<!-- Leaflet and Leaflet.markercluster are embedded under their licences, \
         shown in the page's About box: {} -->\n<style>{LEAFLET_CSS}\n{CLUSTER_CSS}\n{CLUSTER_DEFAULT_CSS}\n{MAP_CSS}</style>\
         </head><body><div id=\"map\"></div>\n",
        if options.tiles.is_some() { " https: http:" } else { "" },
        VERSIONS.trim().replace('\n', "; ").replace("--", "- -")
    )
    .map_err(io)?;
    write!(out, "<script type=\"application/json\" id=\"gz-config\">").map_err(io)?;
    write_json_escaped(out, &mut config.to_string().as_bytes())?;
    out.write_all(b"</script>\n").map_err(io)?;
    for (name, mut reader) in layers {
        write!(
            out,
            "<script type=\"application/json\" data-layer=\"{}\">",
            attr(&name)
        )
        .map_err(io)?;
        write_json_escaped(out, &mut reader)?;
        out.write_all(b"</script>\n").map_err(io)?;
    }
    write!(
        out,
        "<details class=\"gz-about gz-panel\" style=\"position:absolute;top:10px;left:60px;z-index:1000;max-width:420px\">\
         <summary>About this map</summary><p>Made by gazmap. Map library: Leaflet and Leaflet.markercluster \
         ({}).</p><h4>Leaflet licence (BSD-2-Clause)</h4><pre>{}</pre><h4>Leaflet.markercluster licence (MIT)</h4><pre>{}</pre></details>\n\
         <script>{LEAFLET_JS}</script>\n<script>{CLUSTER_JS}</script>\n<script>{MAP_JS}</script>\n</body></html>\n",
        text(&VERSIONS.trim().replace('\n', ", ")),
        text(LEAFLET_LICENSE),
        text(CLUSTER_LICENSE),
    )
    .map_err(io)?;
    Ok(())
}

/// Copies JSON text with every `<` as `\u003c` (a `<` occurs only inside JSON strings), so
/// nothing in it can end the script element it sits in.
fn write_json_escaped<W: Write>(out: &mut W, reader: &mut dyn Read) -> Result<()> {
    let io = |e: io::Error| Error::io("index.html", e);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        let mut rest = &buf[..n];
        while let Some(i) = rest.iter().position(|&b| b == b'<') {
            out.write_all(&rest[..i]).map_err(io)?;
            out.write_all(b"\\u003c").map_err(io)?;
            rest = &rest[i + 1..];
        }
        out.write_all(rest).map_err(io)?;
    }
    Ok(())
}

fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let mut out = Vec::new();
        let data = br#"{"a":"</script><script>alert(1)</script>"}"#;
        write_json_escaped(&mut out, &mut &data[..]).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(!s.contains('<'), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["a"], "</script><script>alert(1)</script>");
    }
}
