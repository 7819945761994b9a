//! `gazmap serve`: the reconciliation service as OpenRefine speaks to it, every answer checked
//! against the W3C Reconciliation API 0.2 schemas, and requests that must be refused.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::{data, gazmap, stdout_of, temp_path};

/// A running `gazmap serve` on a free port of 127.0.0.1, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the service with extra arguments and waits until it listens.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("gazmap"))
            .args(["serve", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting gazmap serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("a first line").expect("UTF-8");
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server {
            child,
            base: format!("http://{addr}"),
            addr,
            log,
        }
    }

    /// Lines the service wrote on standard error after starting.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that returns error statuses as answers.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// An answer: status, content type, body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn finish(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut resp = resp.expect("an HTTP answer");
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .expect("a body");
    Answer {
        status,
        content_type,
        body,
    }
}

fn get(base: &str, path_and_query: &str) -> Answer {
    finish(agent().get(format!("{base}{path_and_query}")).call())
}

/// GETs a page that must answer 200.
fn get_ok(base: &str, path_and_query: &str) -> Answer {
    let a = get(base, path_and_query);
    assert_eq!(a.status, 200, "{path_and_query}: {}", a.body);
    a
}

/// The text field `field` of each object of the array `list`.
fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let items = list.as_array().expect("an array");
    items.iter().map(|v| v[field].as_str().unwrap()).collect()
}

/// Posts a batch of reconciliation queries, checked against the query schema, and returns
/// the answer, checked to be a 200 that the result schema accepts.
fn reconcile(server: &Server, batch: &str) -> Value {
    assert_valid(
        "reconciliation-query-batch",
        &serde_json::from_str(batch).unwrap(),
    );
    let a = post_form(&server.base, "/reconcile", &[("queries", batch)]);
    assert_eq!(a.status, 200, "{}", a.body);
    let answer = a.json();
    assert_valid("reconciliation-result-batch", &answer);
    answer
}

/// POSTs a form as OpenRefine does.
fn post_form(base: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    finish(
        agent()
            .post(format!("{base}{path}"))
            .send_form(fields.iter().copied()),
    )
}

/// The reconciliation schemas (copied from the specification, see the README there).
fn schema_dir() -> PathBuf {
    data("reconciliation")
}

/// Resolves the schemas' references to the copied files (tests never download).
struct LocalSchemas;

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let s = uri.as_str();
        let file = if s.starts_with("http://swagger.io/v2/schema.json") {
            "swagger-security-scheme.json".to_string()
        } else {
            let name = s.rsplit('/').next().unwrap_or("");
            name.split('#').next().unwrap_or("").to_string()
        };
        let text = fs::read_to_string(schema_dir().join(&file))
            .map_err(|e| format!("{s}: no local copy {file}: {e}"))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// A validator for one of the specification's schemas, by file stem.
fn validator(name: &str) -> jsonschema::Validator {
    let text = fs::read_to_string(schema_dir().join(format!("{name}.json"))).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_retriever(LocalSchemas)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema {name}: {e}"))
}

/// Asserts that `value` is valid against the named schema, listing every violation.
fn assert_valid(name: &str, value: &Value) {
    let v = validator(name);
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{name}: {errors:#?}\n{}",
        serde_json::to_string_pretty(value).unwrap()
    );
}

#[test]
fn schemas_accept_the_valid_examples_and_reject_the_invalid_ones() {
    let mut checked = (0, 0);
    for entry in fs::read_dir(schema_dir().join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let v = validator(&name);
        for (sub, want) in [("valid", true), ("invalid", false)] {
            let Ok(files) = fs::read_dir(dir.join(sub)) else {
                continue;
            };
            for f in files {
                let path = f.unwrap().path();
                let doc: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(v.is_valid(&doc), want, "{}", path.display());
                if want {
                    checked.0 += 1
                } else {
                    checked.1 += 1
                }
            }
        }
    }
    // the copies hold this many of each; fewer means a folder went unread
    assert_eq!(checked, (28, 16), "valid and invalid examples checked");
}

#[test]
fn manifest_is_valid_and_answers_cors_and_jsonp() {
    let server = Server::start(&[]);
    assert!(
        server.addr.starts_with("127.0.0.1:"),
        "binds to loopback by default"
    );
    let a = get_ok(&server.base, "/reconcile");
    assert!(
        a.content_type.starts_with("application/json"),
        "{}",
        a.content_type
    );
    let m = a.json();
    assert_valid("manifest", &m);
    let types = strings(&m["defaultTypes"], "id");
    assert_eq!(
        types,
        ["country", "province", "district", "city", "town", "village"]
    );
    assert_eq!(
        m["preview"]["url"],
        format!("{}/preview?id={{{{id}}}}", server.base)
    );
    assert_eq!(m["suggest"]["entity"]["service_url"], server.base);

    // JSONP for GET
    let a = get_ok(&server.base, "/reconcile?callback=jsonp_cb123");
    assert!(a.content_type.starts_with("application/javascript"));
    let inner = a
        .body
        .strip_prefix("jsonp_cb123(")
        .and_then(|r| r.strip_suffix(");"))
        .unwrap_or_else(|| panic!("not JSONP: {}", a.body));
    assert_valid("manifest", &serde_json::from_str(inner).unwrap());
    // a callback that is not an identifier is refused (no script injection)
    let a = get(&server.base, "/reconcile?callback=alert(1)//");
    assert_eq!(a.status, 400, "{}", a.body);

    // CORS: a simple request and a preflight
    let resp = agent()
        .get(format!("{}/reconcile", server.base))
        .header("Origin", "http://openrefine.local:3333")
        .call()
        .unwrap();
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "*"
    );
    let resp = agent()
        .options(format!("{}/reconcile", server.base))
        .header("Origin", "http://openrefine.local:3333")
        .header("Access-Control-Request-Method", "POST")
        .call()
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        "*"
    );
}

/// The rows of `tests/data/serve/districts.csv`: a messy district name, its province as
/// a data clerk typed it, and the gazetteer's name and province of the district meant.
fn district_rows() -> Vec<(String, String, (String, String))> {
    let mut rdr = csv::Reader::from_path(data("serve/districts.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let want = (r[2].to_string(), r[3].to_string());
            (r[0].to_string(), r[1].to_string(), want)
        })
        .collect()
}

/// The id of the embedded gazetteer's district with this name in this province.
fn district_id(name: &str, admin1: &str) -> String {
    let g = gazmap::Gazetteer::embedded().unwrap();
    let found: Vec<String> = g
        .places()
        .filter(|p| p.kind == gazmap::Kind::District && p.name == name && p.admin1 == admin1)
        .map(|p| p.id.to_string())
        .collect();
    assert_eq!(found.len(), 1, "{name} in {admin1}: {found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn openrefine_reconciles_a_district_column_with_a_province_column() {
    let server = Server::start(&[]);
    let rows = district_rows();
    assert_eq!(rows.len(), 20);
    // 1. "Add standard service": the manifest
    let m = get(&server.base, "/reconcile").json();
    assert_valid("manifest", &m);
    // 2. guessing the column's type: the first ten cells, no type, limit 3
    let guess: serde_json::Map<String, Value> = rows
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, (name, _, _))| (format!("q{i}"), json!({ "query": name, "limit": 3 })))
        .collect();
    let answer = reconcile(&server, &serde_json::to_string(&guess).unwrap());
    for i in 0..10 {
        let result = answer[format!("q{i}")]["result"].as_array().unwrap();
        assert!(result.len() <= 3);
        assert!(
            result[0]["type"][0]["id"] == "district",
            "q{i}: {}",
            result[0]
        );
    }
    // 3. reconciling against type district, the province column as a property, in
    // OpenRefine's batches of ten
    let mut first = Vec::new();
    for (b, chunk) in rows.chunks(10).enumerate() {
        let batch: serde_json::Map<String, Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, (name, province, _))| {
                let q = json!({
                    "query": name,
                    "type": "district",
                    "type_strict": "should",
                    "properties": [{ "pid": "province", "v": province }],
                });
                (format!("q{}", b * 10 + i), q)
            })
            .collect();
        let answer = reconcile(&server, &serde_json::to_string(&batch).unwrap());
        for i in 0..chunk.len() {
            first.push(answer[format!("q{}", b * 10 + i)]["result"][0].clone());
        }
    }
    for ((name, province, want), got) in rows.iter().zip(&first) {
        let want_id = district_id(&want.0, &want.1);
        assert_eq!(got["id"], want_id.as_str(), "{name} ({province}): {got}");
        assert_eq!(got["match"], true, "{name} ({province}): {got}");
        let score = got["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score) && score >= 80.0, "{got}");
    }
    // 4. the preview OpenRefine shows on hover, for a matched cell
    let id = first[0]["id"].as_str().unwrap();
    let a = get_ok(&server.base, &format!("/preview?id={id}"));
    assert!(a.content_type.starts_with("text/html"));
    assert!(
        a.body.contains("Shikī") && a.body.contains("Badakhshan"),
        "{}",
        a.body
    );
}

#[test]
fn match_and_score_follow_gazmap_resolve() {
    let server = Server::start(&[]);
    let names = [
        "Pul-i-Hisar",
        "Kohistan",
        "Fayzabad",
        "Qwxzt Brrn",
        "Kunduz",
    ];
    let batch: serde_json::Map<String, Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (format!("q{i}"), json!({ "query": n })))
        .collect();
    let batch = serde_json::to_string(&batch).unwrap();
    let answer = post_form(&server.base, "/reconcile", &[("queries", &batch)]).json();
    assert_valid("reconciliation-result-batch", &answer);
    let lines = stdout_of(gazmap().args(["resolve", "--format", "json"]).args(names));
    for (i, line) in lines.lines().enumerate() {
        let cli: Value = serde_json::from_str(line).unwrap();
        let result = answer[format!("q{i}")]["result"].as_array().unwrap();
        let matched = cli["status"] == "matched";
        // match is true exactly on the best candidate of a matched name
        for (k, c) in result.iter().enumerate() {
            assert_eq!(c["match"], matched && k == 0, "{}: {c}", names[i]);
        }
        if let Some(best) = cli["best"].as_object() {
            assert_eq!(result[0]["id"], best["id"], "{}", names[i]);
            let want = (best["score"].as_f64().unwrap() * 10_000.0).round() / 100.0;
            assert_eq!(result[0]["score"].as_f64().unwrap(), want, "{}", names[i]);
        }
    }
    // an ambiguous name lists every tied place, none matched
    let kohistan = answer["q1"]["result"].as_array().unwrap();
    assert!(kohistan.len() >= 2, "{kohistan:?}");
    // a name like no place has no candidates
    assert_eq!(answer["q3"]["result"], json!([]));
}

#[test]
fn type_limit_and_country_narrow_the_candidates() {
    let server = Server::start(&[]);
    let batch = json!({
        "prov": { "query": "Kunduz", "type": "province" },
        "dist": { "query": "Kunduz", "type": ["district"] },
        "one": { "query": "Kohistan", "limit": 1 },
        "cc": { "query": "Kabul", "properties": [{ "pid": "country", "v": "IR" }] },
        "ccname": { "query": "Kabul", "properties": [{ "pid": "country", "v": "Afghanistan" }] },
        "entity": { "query": "Kohistan", "properties": [{ "pid": "province", "v": { "id": "geonames:1147745", "name": "Badakhshan" } }] },
        "blank": { "query": "Kohistan", "properties": [{ "pid": "province", "v": "" }] },
        "noname": { "properties": [{ "pid": "province", "v": "Kabul" }] },
    });
    let text = batch.to_string();
    assert_valid("reconciliation-query-batch", &batch);
    let a = agent()
        .get(format!("{}/reconcile", server.base))
        .query("queries", &text)
        .call();
    let answer = finish(a).json();
    assert_valid("reconciliation-result-batch", &answer);
    assert_eq!(answer["prov"]["result"][0]["type"][0]["id"], "province");
    assert_eq!(answer["dist"]["result"][0]["type"][0]["id"], "district");
    assert_eq!(answer["one"]["result"].as_array().unwrap().len(), 1);
    assert_eq!(answer["cc"]["result"], json!([]), "no Kabul in Iran");
    assert_eq!(answer["ccname"]["result"][0]["match"], true);
    let entity = &answer["entity"]["result"][0];
    assert!(
        entity["description"]
            .as_str()
            .unwrap()
            .contains("Badakhshan"),
        "{entity}"
    );
    assert_eq!(entity["match"], true);
    assert!(answer["blank"]["result"].as_array().unwrap().len() >= 2);
    assert_eq!(answer["noname"]["result"], json!([]));
}

#[test]
fn bad_queries_get_a_400_naming_the_problem() {
    let server = Server::start(&[]);
    let cases = [
        (
            r#"{"q0": {"query": "Kabul", "type": "planet"}}"#,
            "unknown kind",
        ),
        (
            r#"{"q0": {"query": "Kabul", "properties": [{"pid": "colour", "v": "red"}]}}"#,
            "unknown property \"colour\"",
        ),
        (
            r#"{"q0": {"query": "Kabul", "typo": 1}}"#,
            "unknown field `typo`",
        ),
        (r#"{"q0": {"query": "Kabul", "limit": -2}}"#, "limit"),
        (r#"["Kabul"]"#, "not a JSON object"),
    ];
    for (q, want) in cases {
        let a = post_form(&server.base, "/reconcile", &[("queries", q)]);
        assert_eq!(a.status, 400, "{q}: {}", a.body);
        let err = a.json();
        assert!(err["error"].as_str().unwrap().contains(want), "{q}: {err}");
    }
}

#[test]
fn suggest_services_answer_valid_documents() {
    let server = Server::start(&[]);
    let a = get(&server.base, "/suggest/entity?prefix=Pul-e");
    let s = a.json();
    assert_valid("suggest-entities-response", &s);
    let names = strings(&s["result"], "name");
    assert!(names.contains(&"Pul-e Ḩişār"), "{names:?}");
    // a misspelling still suggests through the resolver
    let s = get(
        &server.base,
        "/suggest/entity?prefix=Pol-i-Hesar&type=district",
    )
    .json();
    assert_valid("suggest-entities-response", &s);
    assert_eq!(s["result"][0]["name"], "Pul-e Ḩişār");
    let s = get(&server.base, "/suggest/property?prefix=prov").json();
    assert_valid("suggest-properties-response", &s);
    assert_eq!(s["result"][0]["id"], "province");
    let s = get(&server.base, "/suggest/type?prefix=di").json();
    assert_valid("suggest-types-response", &s);
    assert_eq!(
        s["result"],
        json!([{ "id": "district", "name": "District" }])
    );
    let s = get(&server.base, "/extend/propose?type=district").json();
    assert_valid("data-extension-property-proposal", &s);
    let ids = strings(&s["properties"], "id");
    for want in [
        "lat",
        "lon",
        "admin1",
        "admin2",
        "population",
        "alt_names",
        "geonames_id",
    ] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
}

#[test]
fn data_extension_returns_the_gazetteer_fields() {
    let server = Server::start(&[]);
    let id = district_id("Pul-e Ḩişār", "Baghlan");
    let q = json!({
        "ids": [id, "no-such-id"],
        "properties": [
            {"id": "lat"}, {"id": "lon"}, {"id": "admin1"}, {"id": "admin2"},
            {"id": "population"}, {"id": "alt_names"}, {"id": "geonames_id"},
        ],
    });
    assert_valid("data-extension-query", &q);
    let a = post_form(&server.base, "/reconcile", &[("extend", &q.to_string())]);
    assert_eq!(a.status, 200, "{}", a.body);
    let x = a.json();
    assert_valid("data-extension-response", &x);
    let g = gazmap::Gazetteer::embedded().unwrap();
    let p = g.place(g.find_id(&id).unwrap());
    let row = &x["rows"][id.as_str()];
    assert_eq!(row["lat"], json!([{ "float": p.lat.unwrap() }]));
    assert_eq!(row["lon"], json!([{ "float": p.lon.unwrap() }]));
    assert_eq!(
        row["admin1"],
        json!([{ "id": "geonames:1147537", "name": "Baghlan" }])
    );
    assert_eq!(row["admin2"], json!([]));
    let alts = strings(&row["alt_names"], "str");
    assert_eq!(alts, p.alt_names().collect::<Vec<_>>());
    assert_eq!(
        row["geonames_id"],
        json!([{ "str": id.trim_start_matches("geonames:") }])
    );
    assert_eq!(x["rows"]["no-such-id"]["lat"], json!([]));
    assert_eq!(x["meta"][0], json!({ "id": "lat", "name": "Latitude" }));
    // an unknown property is refused
    let bad = json!({ "ids": [id], "properties": [{ "id": "elevation" }] }).to_string();
    let a = post_form(&server.base, "/reconcile", &[("extend", &bad)]);
    assert_eq!(a.status, 400);
    assert!(a.body.contains("elevation"), "{}", a.body);
}

#[test]
fn serves_a_csv_gazetteer_and_escapes_the_preview() {
    let csv = data("serve/gazetteer.csv");
    let server = Server::start(&["--gazetteer", csv.to_str().unwrap()]);
    let m = get(&server.base, "/reconcile").json();
    assert_eq!(m["name"], "gazmap (3 places)");
    let q = json!({ "q0": { "query": "Qala Kohna", "properties": [{"pid": "province", "v": "Nord"}] } });
    let answer = post_form(&server.base, "/reconcile", &[("queries", &q.to_string())]).json();
    assert_valid("reconciliation-result-batch", &answer);
    assert_eq!(answer["q0"]["result"][0]["id"], "T3");
    let x = json!({ "ids": ["T3"], "properties": [{"id": "population"}, {"id": "geonames_id"}] });
    let x = post_form(&server.base, "/reconcile", &[("extend", &x.to_string())]).json();
    assert_valid("data-extension-response", &x);
    assert_eq!(x["rows"]["T3"]["population"], json!([{ "int": 5400 }]));
    assert_eq!(x["rows"]["T3"]["geonames_id"], json!([]));
    let a = get_ok(&server.base, "/preview?id=T2");
    assert!(
        a.body.contains("North &lt;Hills&gt; &amp; Vale"),
        "{}",
        a.body
    );
    assert!(
        !a.body.contains("<script>") && !a.body.contains("<Hills>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("11.50000, 21.25000"), "{}", a.body);
    let a = get(&server.base, "/preview?id=nope");
    assert_eq!(a.status, 404);
}

#[test]
fn serves_an_index_file_with_the_same_answers_as_its_csv() {
    let (_dir, gzi) = temp_path("af.gzi");
    gazmap()
        .args(["index", "build", "-q", "-o"])
        .arg(&gzi)
        .assert()
        .success();
    let rows = district_rows();
    let batch: serde_json::Map<String, Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (n, p, _))| {
            let q = json!({ "query": n, "properties": [{"pid": "province", "v": p}] });
            (format!("q{i}"), q)
        })
        .collect();
    let batch = serde_json::to_string(&batch).unwrap();
    let answers: Vec<Value> = [None, Some(gzi.as_path())]
        .iter()
        .map(|g: &Option<&Path>| {
            let args: Vec<&str> = match g {
                Some(p) => vec!["--gazetteer", p.to_str().unwrap()],
                None => vec![],
            };
            let server = Server::start(&args);
            post_form(&server.base, "/reconcile", &[("queries", &batch)]).json()
        })
        .collect();
    assert_valid("reconciliation-result-batch", &answers[1]);
    assert_eq!(answers[0], answers[1]);
}

/// Sends `head` then a body of `len` bytes (in chunks if `chunked`) from a writer thread that
/// stops when the service closes the connection, and returns the head of the answer.
fn streaming(addr: &str, head: String, len: usize, chunked: bool) -> String {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        w.write_all(head.as_bytes())?;
        let piece = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < len {
            if chunked {
                w.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
            }
            w.write_all(&piece)?;
            if chunked {
                w.write_all(b"\r\n")?;
            }
            sent += piece.len();
        }
        if chunked {
            w.write_all(b"0\r\n\r\n")?;
        }
        Ok(())
    });
    let mut reader = BufReader::new(&s);
    let mut out = String::new();
    // the status line, headers and a short JSON body
    while let Ok(n) = reader.read_line(&mut out) {
        if n == 0 || out.contains("}") {
            break;
        }
    }
    let _ = s.shutdown(std::net::Shutdown::Both);
    let _ = writer.join();
    out
}

fn still_serving(server: &Server) {
    let a = get(&server.base, "/reconcile");
    assert_eq!(a.status, 200, "the service stopped answering");
    let q = r#"{"q0":{"query":"Pul-i-Hisar"}}"#;
    let a = post_form(&server.base, "/reconcile", &[("queries", q)]);
    assert_eq!(a.json()["q0"]["result"][0]["match"], true);
}

#[test]
fn faults_get_clear_http_errors_and_the_service_keeps_serving() {
    let server = Server::start(&["--body-timeout", "2"]);
    // malformed JSON: 400 with serde's line and column
    let a = post_form(
        &server.base,
        "/reconcile",
        &[("queries", "{\"q0\": {\"query\": ")],
    );
    assert_eq!(a.status, 400);
    let e = a.json();
    assert!(
        e["error"].as_str().unwrap().contains("line 1 column"),
        "{e}"
    );
    still_serving(&server);

    // a 20 MB body, announced: 413 without reading it
    let head = format!(
        "POST /reconcile HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        20 * 1024 * 1024
    );
    let out = streaming(&server.addr, head, 20 * 1024 * 1024, false);
    assert!(
        out.starts_with("HTTP/1.1 413"),
        "{}",
        &out[..out.len().min(300)]
    );
    assert!(out.contains("larger than 2097152 bytes"), "{out}");
    still_serving(&server);

    // the same sent in chunks with no length: refused once the limit is passed
    let head = format!(
        "POST /reconcile HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.addr
    );
    let out = streaming(&server.addr, head, 20 * 1024 * 1024, true);
    assert!(
        out.starts_with("HTTP/1.1 413"),
        "{}",
        &out[..out.len().min(300)]
    );
    still_serving(&server);

    // 10,000 queries in one batch: 400 naming the limit
    let batch: serde_json::Map<String, Value> = (0..10_000)
        .map(|i| (format!("q{i}"), json!({ "query": "Kabul" })))
        .collect();
    let batch = serde_json::to_string(&batch).unwrap();
    let a = post_form(&server.base, "/reconcile", &[("queries", &batch)]);
    assert_eq!(a.status, 400, "{}", &a.body[..a.body.len().min(300)]);
    let e = a.json();
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("10000 queries in one batch, at most 1000"),
        "{e}"
    );
    still_serving(&server);

    // clients that drop mid-request: in the headers, and in the body
    for partial in [
        "POST /reconcile HTTP/1.1\r\nHost: x\r\nContent-Le".to_string(),
        "POST /reconcile HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nqueries=%7B%22q0".to_string(),
    ] {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        s.write_all(partial.as_bytes()).unwrap();
        drop(s);
    }
    still_serving(&server);

    // a client that stops sending its body: 408 after --body-timeout
    let started = Instant::now();
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"POST /reconcile HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nqueries=")
        .unwrap();
    let mut out = String::new();
    let _ = BufReader::new(&s).read_line(&mut out);
    assert!(out.starts_with("HTTP/1.1 408"), "{out:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    still_serving(&server);

    // unknown endpoint: 404 in JSON
    let a = get(&server.base, "/nope");
    assert_eq!(a.status, 404);
    assert!(a.json()["error"].as_str().unwrap().contains("/reconcile"));
}

#[test]
fn each_request_is_logged_in_one_line() {
    let server = Server::start(&[]);
    get(&server.base, "/reconcile");
    let q = r#"{"q0":{"query":"Kabul"},"q1":{"query":"Herat"}}"#;
    post_form(&server.base, "/reconcile", &[("queries", q)]);
    get(&server.base, "/preview?id=nope");
    // the log is written after the answer: wait for it briefly
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.log().len() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let log = server.log();
    assert_eq!(log.len(), 3, "{log:#?}");
    assert!(log[0].contains(" GET /reconcile 200 "), "{}", log[0]);
    assert!(
        log[1].contains(" POST /reconcile 200 ") && log[1].ends_with("queries=2"),
        "{}",
        log[1]
    );
    assert!(log[2].contains(" GET /preview 404 "), "{}", log[2]);
    assert!(log.iter().all(|l| l.contains("127.0.0.1:")), "{log:#?}");
    // --quiet: no request lines
    let quiet = Server::start(&["--quiet"]);
    get(&quiet.base, "/reconcile");
    std::thread::sleep(Duration::from_millis(200));
    assert!(quiet.log().is_empty(), "{:?}", quiet.log());
}
