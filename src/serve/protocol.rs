//! The documents of the Reconciliation Service API 0.2 as gazmap answers them: the manifest,
//! reconciliation batches, suggest, data extension and the HTML preview. Plain functions of a
//! [`Service`] and parsed input; the HTTP layer in the parent module only moves bytes.

use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::Service;
use crate::gazetteer::{Kind, PlaceId, PlaceRef};
use crate::normalize::fold;
use crate::resolve::{Candidate, Options, Status};

/// The types a client is offered by default (the manifest's `defaultTypes`): every kind but
/// `region` and `other`, which close [`Kind::ALL`].
pub const DEFAULT_TYPES: &[Kind] = Kind::ALL.split_at(6).0;

/// The properties data extension returns, with their names.
pub const EXTEND_PROPERTIES: [(&str, &str); 9] = [
    ("lat", "Latitude"),
    ("lon", "Longitude"),
    ("admin1", "Province (admin1)"),
    ("admin2", "District (admin2)"),
    ("country", "Country (ISO 3166-1 alpha-2)"),
    ("kind", "Kind"),
    ("population", "Population"),
    ("alt_names", "Alternate names"),
    ("geonames_id", "GeoNames id"),
];

/// The properties a reconciliation query may carry as context, with their names.
pub const QUERY_PROPERTIES: [(&str, &str); 3] = [
    ("province", "Province (narrows like --within)"),
    ("district", "District (narrows like --within)"),
    (
        "country",
        "Country: ISO code or name (narrows like --country)",
    ),
];

/// Candidates per query when the query sets no `limit`.
pub const DEFAULT_LIMIT: usize = 5;
/// Most candidates per query, whatever `limit` asks.
pub const MAX_LIMIT: usize = 100;

/// A request the client got wrong: the message says what, for a 400 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

impl std::fmt::Display for BadRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One or several values, as the API allows for `type` and property values.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

/// One reconciliation query of a batch.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    query: Option<String>,
    #[serde(rename = "type")]
    types: Option<OneOrMany<String>>,
    limit: Option<f64>,
    #[serde(default)]
    properties: Vec<PropertyValue>,
    #[allow(dead_code)] // accepted as the spec allows; one type is always a filter here
    type_strict: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct PropertyValue {
    pid: String,
    v: OneOrMany<Value>,
}

/// The manifest, with every URL under `base` (such as `http://127.0.0.1:8000`).
pub fn manifest(service: &Service, base: &str) -> Value {
    let types: Vec<Value> = DEFAULT_TYPES.iter().map(|k| type_json(*k)).collect();
    let n = service.resolver.gazetteer().len();
    json!({
        "versions": ["0.2"],
        "name": format!("gazmap ({n} places)"),
        "identifierSpace": "urn:gazmap:place",
        "schemaSpace": "urn:gazmap:kind",
        "serviceVersion": env!("CARGO_PKG_VERSION"),
        "defaultTypes": types,
        "view": { "url": format!("{base}/preview?id={{{{id}}}}") },
        "preview": { "url": format!("{base}/preview?id={{{{id}}}}"), "width": 420, "height": 160 },
        "suggest": {
            "entity": { "service_url": base, "service_path": "/suggest/entity" },
            "property": { "service_url": base, "service_path": "/suggest/property" },
            "type": { "service_url": base, "service_path": "/suggest/type" },
        },
        "extend": {
            "propose_properties": { "service_url": base, "service_path": "/extend/propose" },
            "property_settings": [],
        },
    })
}

fn type_json(kind: Kind) -> Value {
    let s = kind.as_str();
    let mut name = s.to_string();
    name[..1].make_ascii_uppercase();
    json!({ "id": s, "name": name })
}

/// Parses a reconciliation batch (the `queries` parameter) and answers it; the number of
/// queries comes back too, for the request log.
pub fn reconcile(service: &Service, text: &str) -> Result<(Value, usize), BadRequest> {
    let batch: Map<String, Value> = serde_json::from_str(text)
        .map_err(|e| BadRequest(format!("queries: not a JSON object of queries: {e}")))?;
    if batch.len() > service.options.max_batch {
        return Err(BadRequest(format!(
            "queries: {} queries in one batch, at most {} allowed (--max-batch)",
            batch.len(),
            service.options.max_batch
        )));
    }
    let queries = batch
        .into_iter()
        .map(|(key, v)| {
            serde_json::from_value::<Query>(v)
                .map(|q| (key.clone(), q))
                .map_err(|e| BadRequest(format!("queries: query {key:?}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let n = queries.len();
    // context lookups (a province column repeats) are resolved once per batch
    let mut areas: HashMap<String, Option<PlaceId>> = HashMap::new();
    let mut prepared = Vec::with_capacity(n);
    for (key, q) in queries {
        let p = prepare(service, &q, &mut areas)?;
        prepared.push((key, q.query, p));
    }
    let answers: Vec<(String, Value)> = prepared
        .into_par_iter()
        .map(|(key, name, p)| {
            let result = match name.as_deref().map(str::trim) {
                Some(name) if !name.is_empty() => candidates(service, name, &p),
                _ => Vec::new(),
            };
            (key, json!({ "result": result }))
        })
        .collect();
    Ok((Value::Object(answers.into_iter().collect()), n))
}

/// A query's options and type filter, ready to resolve.
struct Prepared {
    options: Options,
    kinds: Vec<Kind>,
    limit: usize,
}

fn prepare(
    service: &Service,
    q: &Query,
    areas: &mut HashMap<String, Option<PlaceId>>,
) -> Result<Prepared, BadRequest> {
    let mut options = Options {
        threshold: service
            .options
            .threshold
            .unwrap_or(Options::default().threshold),
        ..Options::default()
    };
    let kinds = match &q.types {
        None => Vec::new(),
        Some(t) => t
            .clone()
            .into_vec()
            .iter()
            .map(|s| {
                s.parse::<Kind>()
                    .map_err(|e| BadRequest(format!("type: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    if let [one] = kinds.as_slice() {
        options.kind = Some(*one);
    }
    let limit = match q.limit {
        None => DEFAULT_LIMIT,
        Some(l) if l.is_finite() && l >= 1.0 => (l as usize).min(MAX_LIMIT),
        Some(l) => return Err(BadRequest(format!("limit: {l} is not a positive number"))),
    };
    options.top = limit;
    let g = service.resolver.gazetteer();
    for prop in &q.properties {
        let pid = prop.pid.trim().to_ascii_lowercase();
        let values = prop.v.clone().into_vec();
        // the first value with text: a blank context cell narrows nothing
        let value = values.iter().find_map(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(Lookup::Name(s.trim().to_string())),
            Value::Object(o) => match o.get("id") {
                Some(Value::String(id)) => Some(Lookup::Id(id.clone())),
                _ => None,
            },
            Value::Number(n) => Some(Lookup::Name(n.to_string())),
            _ => None,
        });
        let Some(value) = value else { continue };
        match pid.as_str() {
            "province" | "admin1" | "district" | "admin2" | "within" => {
                if let Some(area) = area_of(service, &value, areas) {
                    options.within = Some(area);
                }
            }
            "country" => match &value {
                Lookup::Name(s) if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    options.country = Some(s.to_ascii_uppercase());
                }
                _ => {
                    if let Some(area) = area_of(service, &value, areas) {
                        options.country = Some(g.place(area).country.to_string());
                    }
                }
            },
            other => {
                let known: Vec<&str> = QUERY_PROPERTIES.iter().map(|(id, _)| *id).collect();
                return Err(BadRequest(format!(
                    "properties: unknown property {other:?} (expected one of {})",
                    known.join(", ")
                )));
            }
        }
    }
    Ok(Prepared {
        options,
        kinds,
        limit,
    })
}

enum Lookup {
    Name(String),
    Id(String),
}

/// The area a context value names: a place id, or a name resolved as `--within` does; `None`
/// when nothing fits (the query then goes unnarrowed).
fn area_of(
    service: &Service,
    value: &Lookup,
    areas: &mut HashMap<String, Option<PlaceId>>,
) -> Option<PlaceId> {
    let g = service.resolver.gazetteer();
    match value {
        Lookup::Id(id) => g.find_id(id),
        Lookup::Name(name) => *areas
            .entry(name.clone())
            .or_insert_with(|| service.resolver.find_area(name).ok()),
    }
}

fn candidates(service: &Service, name: &str, p: &Prepared) -> Vec<Value> {
    let resolver = &service.resolver;
    let g = resolver.gazetteer();
    let r = resolver.resolve(name, &p.options);
    let mut seen = Vec::new();
    let mut out = Vec::new();
    let all = r.best.iter().chain(r.candidates.iter());
    for (i, c) in all.enumerate() {
        let place = g.place(c.place);
        if seen.contains(&c.place) || (!p.kinds.is_empty() && !p.kinds.contains(&place.kind)) {
            continue;
        }
        seen.push(c.place);
        let matched = i == 0 && r.status == Status::Matched;
        out.push(candidate_json(&place, c, matched));
        if out.len() == p.limit {
            break;
        }
    }
    out
}

fn candidate_json(place: &PlaceRef<'_>, c: &Candidate, matched: bool) -> Value {
    json!({
        "id": place.id,
        "name": place.name,
        "description": describe(place),
        "type": [type_json(place.kind)],
        "score": score_100(c.score),
        "match": matched,
        "features": [
            { "id": "gazmap_score", "value": c.score },
        ],
    })
}

/// gazmap's score in [0, 1] as the API's 0–100, to two decimals.
pub fn score_100(score: f64) -> f64 {
    (score.clamp(0.0, 1.0) * 10_000.0).round() / 100.0
}

/// "district in Baghlan, AF" and the like.
fn describe(place: &PlaceRef<'_>) -> String {
    let within: Vec<&str> = [place.admin2, place.admin1, place.country]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if within.is_empty() {
        place.kind.as_str().to_string()
    } else {
        format!("{} in {}", place.kind.as_str(), within.join(", "))
    }
}

/// Entity suggestions for the text typed so far: places whose name or alternate name starts
/// with it (on small gazetteers), then the resolver's candidates for it.
pub fn suggest_entity(service: &Service, prefix: &str, kind: Option<&str>) -> Value {
    const N: usize = 10;
    let g = service.resolver.gazetteer();
    let kind: Option<Kind> = kind.and_then(|k| k.parse().ok());
    let folded = fold(prefix);
    let mut ids: Vec<PlaceId> = Vec::new();
    if !folded.is_empty() && g.len() <= 200_000 {
        for (i, p) in g.places().enumerate() {
            if kind.is_some_and(|k| k != p.kind) {
                continue;
            }
            if std::iter::once(p.name)
                .chain(p.alt_names())
                .any(|n| fold(n).starts_with(&folded))
            {
                ids.push(i as PlaceId);
                if ids.len() == N {
                    break;
                }
            }
        }
    }
    if ids.len() < N && !folded.is_empty() {
        let options = Options {
            kind,
            top: N,
            ..Options::default()
        };
        let r = service.resolver.resolve(prefix, &options);
        for c in r.best.iter().chain(r.candidates.iter()) {
            if ids.len() < N && !ids.contains(&c.place) {
                ids.push(c.place);
            }
        }
    }
    let result: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            let p = g.place(id);
            json!({
                "id": p.id,
                "name": p.name,
                "description": describe(&p),
                "notable": [type_json(p.kind)],
            })
        })
        .collect();
    json!({ "result": result })
}

/// Property suggestions: the context and extension properties whose id or name starts with
/// the prefix.
pub fn suggest_property(prefix: &str) -> Value {
    let want = prefix.trim().to_lowercase();
    let mut result = Vec::new();
    let all = QUERY_PROPERTIES.iter().chain(EXTEND_PROPERTIES.iter());
    for (id, name) in all {
        let hit = id.starts_with(&want) || name.to_lowercase().starts_with(&want);
        if hit && !result.iter().any(|r: &Value| r["id"] == *id) {
            result.push(json!({ "id": id, "name": name }));
        }
    }
    json!({ "result": result })
}

/// Type suggestions: the kinds that start with the prefix.
pub fn suggest_type(prefix: &str) -> Value {
    let want = prefix.trim().to_lowercase();
    let result: Vec<Value> = Kind::ALL
        .iter()
        .filter(|k| k.as_str().starts_with(&want))
        .map(|k| type_json(*k))
        .collect();
    json!({ "result": result })
}

/// The properties data extension offers for a type (any type gets them all).
pub fn propose_properties(kind: &str) -> Value {
    let properties: Vec<Value> = EXTEND_PROPERTIES
        .iter()
        .map(|(id, name)| json!({ "id": id, "name": name }))
        .collect();
    json!({ "type": kind, "properties": properties })
}

#[derive(Debug, Deserialize)]
struct ExtendQuery {
    ids: Vec<String>,
    properties: Vec<ExtendProperty>,
}

#[derive(Debug, Deserialize)]
struct ExtendProperty {
    id: String,
}

/// Parses a data extension query (the `extend` parameter) and answers it; the number of ids
/// comes back too, for the request log. An unknown id gets empty values.
pub fn extend(service: &Service, text: &str) -> Result<(Value, usize), BadRequest> {
    let q: ExtendQuery = serde_json::from_str(text)
        .map_err(|e| BadRequest(format!("extend: not a data extension query: {e}")))?;
    if q.ids.len() > service.options.max_batch {
        return Err(BadRequest(format!(
            "extend: {} ids in one query, at most {} allowed (--max-batch)",
            q.ids.len(),
            service.options.max_batch
        )));
    }
    let mut meta = Vec::new();
    for p in &q.properties {
        let Some((id, name)) = EXTEND_PROPERTIES.iter().find(|(id, _)| *id == p.id) else {
            let known: Vec<&str> = EXTEND_PROPERTIES.iter().map(|(id, _)| *id).collect();
            return Err(BadRequest(format!(
                "extend: unknown property {:?} (expected one of {})",
                p.id,
                known.join(", ")
            )));
        };
        meta.push(json!({ "id": id, "name": name }));
    }
    let g = service.resolver.gazetteer();
    let mut rows = Map::new();
    for id in &q.ids {
        let place = g.find_id(id).map(|i| g.place(i));
        let mut row = Map::new();
        for p in &q.properties {
            let values = match &place {
                Some(place) => property_values(service, place, &p.id),
                None => Vec::new(),
            };
            row.insert(p.id.clone(), Value::Array(values));
        }
        rows.insert(id.clone(), Value::Object(row));
    }
    let n = q.ids.len();
    Ok((json!({ "meta": meta, "rows": rows }), n))
}

fn property_values(service: &Service, place: &PlaceRef<'_>, property: &str) -> Vec<Value> {
    let g = service.resolver.gazetteer();
    let float = |x: Option<f64>| x.map(|v| json!({ "float": v })).into_iter().collect();
    let text = |s: &str| {
        if s.is_empty() {
            Vec::new()
        } else {
            vec![json!({ "str": s })]
        }
    };
    // a parent in the gazetteer is an entity the client can reconcile against; else its name
    let parent = |link: Option<PlaceId>, name: &str| match link {
        Some(id) => {
            let p = g.place(id);
            vec![json!({ "id": p.id, "name": p.name })]
        }
        None => text(name),
    };
    match property {
        "lat" => float(place.lat),
        "lon" => float(place.lon),
        "admin1" => parent(place.parents.province, place.admin1),
        "admin2" => parent(place.parents.district, place.admin2),
        "country" => text(place.country),
        "kind" => text(place.kind.as_str()),
        "population" => place
            .population
            .map(|n| json!({ "int": n }))
            .into_iter()
            .collect(),
        "alt_names" => place.alt_names().map(|a| json!({ "str": a })).collect(),
        "geonames_id" => place
            .id
            .strip_prefix("geonames:")
            .map(|n| json!({ "str": n }))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The HTML preview of a place (every field escaped); `None` for an unknown id.
pub fn preview(service: &Service, id: &str) -> Option<String> {
    let g = service.resolver.gazetteer();
    let place = g.place(g.find_id(id)?);
    let e = |s: &str| html_escape::encode_text(s).into_owned();
    let mut html = String::from("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    let _ = write!(html, "{}</title>", e(place.name));
    html.push_str(
        "<style>body{font:13px sans-serif;margin:6px}h3{margin:0 0 4px}\
         dt{float:left;clear:left;width:7em;color:#666}dd{margin-left:7.5em}</style>\
         </head><body>",
    );
    let _ = write!(html, "<h3>{}</h3><dl>", e(place.name));
    let mut row = |label: &str, value: &str| {
        if !value.is_empty() {
            let _ = write!(html, "<dt>{label}</dt><dd>{}</dd>", e(value));
        }
    };
    row("Kind", place.kind.as_str());
    row("Id", place.id);
    let admin: Vec<&str> = [place.admin2, place.admin1, place.country]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    row("In", &admin.join(", "));
    if let (Some(lat), Some(lon)) = (place.lat, place.lon) {
        row("Coordinates", &format!("{lat:.5}, {lon:.5}"));
    }
    if let Some(n) = place.population {
        row("Population", &n.to_string());
    }
    let alts: Vec<&str> = place.alt_names().collect();
    row("Also", &alts.join(" · "));
    html.push_str("</dl></body></html>\n");
    Some(html)
}
