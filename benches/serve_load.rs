//! Load test of `gazmap serve` on 127.0.0.1: rounds of 10,000 reconciliation queries in
//! OpenRefine-sized batches over 64 concurrent keep-alive connections; prints requests/s,
//! queries/s, p50/p99 latency, errors and the service's memory after each round.
//!
//! `cargo bench --bench serve_load` (release build). Bounded: a fixed number of requests per
//! round, each with a 60 s timeout, and the whole run gives up after 10 minutes.
//! `GAZMAP_LOAD_ROUNDS`, `GAZMAP_LOAD_QUERIES`, `GAZMAP_LOAD_BATCH` and
//! `GAZMAP_LOAD_CONNECTIONS` change the sizes; `GAZMAP_LOAD_GAZETTEER` serves another file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of a process in KiB (Linux), 0 where unknown.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Query names: the embedded gazetteer's names and alternate names, some with a typo.
fn names() -> Vec<(String, String)> {
    let g = gazmap::Gazetteer::embedded().expect("embedded gazetteer");
    let mut rng = fastrand::Rng::with_seed(14);
    let mut out = Vec::new();
    for p in g.places() {
        for n in std::iter::once(p.name).chain(p.alt_names().take(2)) {
            let mut chars: Vec<char> = n.chars().collect();
            if chars.len() > 4 && rng.bool() {
                let k = rng.usize(1..chars.len() - 2);
                chars.swap(k, k + 1);
            }
            out.push((chars.into_iter().collect(), p.admin1.to_string()));
        }
    }
    rng.shuffle(&mut out);
    out
}

fn main() {
    let rounds = env_usize("GAZMAP_LOAD_ROUNDS", 3);
    let queries = env_usize("GAZMAP_LOAD_QUERIES", 10_000);
    let batch = env_usize("GAZMAP_LOAD_BATCH", 10);
    let connections = env_usize("GAZMAP_LOAD_CONNECTIONS", 64);
    let deadline = Instant::now() + Duration::from_secs(600);

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gazmap"));
    cmd.args(["serve", "--port", "0", "--quiet"]);
    if let Ok(g) = std::env::var("GAZMAP_LOAD_GAZETTEER") {
        cmd.args(["--gazetteer", &g]);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting gazmap serve");
    let first = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .next()
        .expect("a first line")
        .expect("UTF-8");
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("an address")
        .to_string();
    let url = format!("http://{addr}/reconcile");
    let pid = child.id();
    println!("{first}");
    println!(
        "{rounds} rounds of {queries} queries, {batch} per request, {connections} connections; \
         service RSS at start {} MiB",
        rss_kib(pid) / 1024
    );

    // the request bodies: every other query carries its province as a property
    let names = names();
    let requests: Vec<String> = (0..queries.div_ceil(batch))
        .map(|r| {
            let qs: Map<String, Value> = (0..batch)
                .map(|i| {
                    let (name, province) = &names[(r * batch + i) % names.len()];
                    let mut q = json!({ "query": name, "type_strict": "should" });
                    if i % 2 == 0 && !province.is_empty() {
                        q["properties"] = json!([{ "pid": "province", "v": province }]);
                    }
                    (format!("q{i}"), q)
                })
                .collect();
            serde_json::to_string(&qs).unwrap()
        })
        .collect();
    let requests = Arc::new(requests);

    for round in 1..=rounds {
        let next = Arc::new(AtomicUsize::new(0));
        let latencies = Arc::new(Mutex::new(Vec::with_capacity(requests.len())));
        let errors = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = {
            let (peak, done) = (peak.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(pid) as usize, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        let start = Instant::now();
        let workers: Vec<_> = (0..connections)
            .map(|_| {
                let (next, latencies, errors, requests, url) = (
                    next.clone(),
                    latencies.clone(),
                    errors.clone(),
                    requests.clone(),
                    url.clone(),
                );
                std::thread::spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .timeout_global(Some(Duration::from_secs(60)))
                        .max_idle_connections_per_host(1)
                        .build()
                        .into();
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= requests.len() || Instant::now() > deadline {
                            break;
                        }
                        let t = Instant::now();
                        let ok = agent
                            .post(&url)
                            .send_form([("queries", requests[i].as_str())])
                            .ok()
                            .filter(|r| r.status() == 200)
                            .and_then(|mut r| r.body_mut().read_to_string().ok())
                            .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                            .is_some_and(|v| v.as_object().is_some_and(|o| o.len() == batch));
                        mine.push(t.elapsed());
                        if !ok {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    latencies.lock().unwrap().extend(mine);
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let elapsed = start.elapsed().as_secs_f64();
        done.store(true, Ordering::Relaxed);
        sampler.join().unwrap();
        let mut lat = latencies.lock().unwrap().clone();
        lat.sort();
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(f64::NAN)
        };
        let n = lat.len();
        println!(
            "round {round}: {n} requests ({} queries) in {elapsed:.2} s: {:.0} requests/s, \
             {:.0} queries/s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, errors {}, \
             RSS peak {} MiB, after {} MiB",
            n * batch,
            n as f64 / elapsed,
            (n * batch) as f64 / elapsed,
            pct(0.50),
            pct(0.99),
            pct(1.0),
            errors.load(Ordering::Relaxed),
            peak.load(Ordering::Relaxed) / 1024,
            rss_kib(pid) / 1024
        );
        if Instant::now() > deadline {
            println!("stopped at the 10-minute bound");
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
