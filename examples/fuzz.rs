//! A mutation fuzzer for gazmap's readers that runs on the stable toolchain (cargo fuzz needs
//! nightly). Each target starts from the seeds in `fuzz/corpus/TARGET/`, mutates them (bit
//! flips, interesting bytes, inserted, deleted, duplicated and spliced ranges, format tokens)
//! and feeds them to the reader; a panic is a crash, a run over the time limit a hang. Both
//! are saved under `fuzz/findings/TARGET/` and counted.
//!
//! ```text
//! cargo build --release && cargo run --release --example fuzz -- all --seconds 600
//! cargo run --release --example fuzz -- index-resealed --seconds 60 --seed 7
//! ```
//!
//! Targets: csv (the clean reader), events (`gazmap export` run as a process), boundaries,
//! article, geonames, index, index-resealed (checksums recomputed after mutating, so the
//! reads behind them are fuzzed). Prints per target: runs, crashes, hangs. Exits 1 when any
//! target crashed or hung.

#[path = "../tests/common/probes.rs"]
mod probes;

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gazmap::clean::{self, CleanOptions, ColumnRef};
use gazmap::extract::{self, Config};
use gazmap::gazetteer::geonames;
use gazmap::import::boundaries::{self, ImportOptions};
use gazmap::index::file as index_file;
use gazmap::{Gazetteer, Kind, Options, Resolver};

const TARGETS: [&str; 7] = [
    "csv",
    "events",
    "boundaries",
    "article",
    "geonames",
    "index",
    "index-resealed",
];

/// Where the last panic happened.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// A run longer than this is a hang.
const HANG: Duration = Duration::from_secs(10);
/// Mutants kept to mutate further (no coverage feedback: a random sample of earlier ones).
const POOL: usize = 256;
/// Largest input tried.
const MAX_LEN: usize = 64 * 1024;

struct Args {
    targets: Vec<String>,
    seconds: u64,
    runs: Option<u64>,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        targets: Vec::new(),
        seconds: 60,
        runs: None,
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--seconds" => args.seconds = value("--seconds")?,
            "--minutes" => args.seconds = value("--minutes")? * 60,
            "--runs" => args.runs = Some(value("--runs")?),
            "--seed" => args.seed = value("--seed")?,
            "all" => args.targets.extend(TARGETS.iter().map(|t| t.to_string())),
            t if TARGETS.contains(&t) => args.targets.push(t.to_string()),
            other => {
                return Err(format!(
                    "unknown argument {other:?}; targets: all, {}; flags: --seconds N, \
                     --minutes N, --runs N, --seed N",
                    TARGETS.join(", ")
                ))
            }
        }
    }
    if args.targets.is_empty() {
        return Err(format!("name a target: all, {}", TARGETS.join(", ")));
    }
    Ok(args)
}

/// A small xorshift generator: runs repeat for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens of each format, inserted whole by the mutator.
fn tokens(target: &str) -> &'static [&'static [u8]] {
    match target {
        "csv" | "events" => &[
            b"\"",
            b"\"\"",
            b",",
            b";",
            b"\t",
            b"\r\n",
            b"\r",
            b"\n",
            b"\xEF\xBB\xBF",
            b"\xFF\xFE",
            b"date,place,event\n",
            b"Kunduz",
            b"2021-07-06",
            b"\xED\xA0\x80",
        ],
        "boundaries" => &[
            b"[",
            b"]",
            b"{",
            b"}",
            b",",
            b"[]",
            b"[1]",
            b"[1e308,-1e308]",
            b"-0",
            b"null",
            b"\"coordinates\":",
            b"\"type\":\"Polygon\"",
            b"\"type\":\"MultiPolygon\"",
            b"\"type\":\"GeometryCollection\",\"geometries\":[]",
            b"\"crs\":{\"properties\":{\"name\":\"EPSG:3857\"}},",
            b"[[[0,0],[0,0],[0,0],[0,0]]]",
        ],
        "article" => &[
            b"date: 2021-07-06\n",
            b"\n\n",
            b"\r\n",
            b"\r",
            b"KUNDUZ, Afghanistan - ",
            b"the district of ",
            b" captured ",
            b"le district de ",
            b"Khinjan",
            b"Baghlan province",
            b"'s ",
            b". ",
            b"\xE2\x80\x99",
            b"yesterday",
            b"on Sunday",
        ],
        "geonames" => &[
            b"\t",
            b"\n",
            b"\r\n",
            b"\t\t",
            b"ADM1",
            b"ADM2",
            b"PPL",
            b"\tA\t",
            b"\tP\t",
            b"AF",
            b"-1",
            b"99999999999999999999",
            b"1e400",
            b"NaN",
        ],
        _ => &[
            b"\0\0\0\0",
            b"\xFF\xFF\xFF\xFF",
            b"\x01\0\0\0",
            b"\0\0\0\x80",
            b"\xFF\xFF\xFF\x7F",
            b"\x08\0\0\0\0\0\0\0",
        ],
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8], toks: &[&[u8]], index: bool) {
    let n = 1 + rng.below(if index { 4 } else { 8 });
    for _ in 0..n {
        let len = input.len();
        match rng.below(if index { 6 } else { 10 }) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                let i = rng.below(len);
                input[i] = [0, 1, 0x7f, 0x80, 0xff, b'0', b'9'][rng.below(7)];
            }
            3 if len >= 4 => {
                // a little-endian number nudged, or set to an edge value
                let i = rng.below(len - 3);
                let v = u32::from_le_bytes(input[i..i + 4].try_into().expect("4 bytes"));
                let w = match rng.below(5) {
                    0 => v.wrapping_add(1),
                    1 => v.wrapping_sub(1),
                    2 => v.wrapping_add(rng.below(64) as u32 * 8),
                    3 => u32::MAX,
                    _ => 0,
                };
                input[i..i + 4].copy_from_slice(&w.to_le_bytes());
            }
            4 => {
                let t = toks[rng.below(toks.len())];
                if index && input.len() >= t.len() {
                    let i = rng.below(input.len() - t.len() + 1);
                    input[i..i + t.len()].copy_from_slice(t);
                } else {
                    let i = rng.below(len + 1);
                    input.splice(i..i, t.iter().copied());
                }
            }
            5 if len > 0 && index => {
                // a range copied over another (same length)
                let a = rng.below(len);
                let b = rng.below(len);
                let k = rng.below(16).min(len - a).min(len - b);
                let chunk = input[a..a + k].to_vec();
                input[b..b + k].copy_from_slice(&chunk);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let k = rng.below(len - i + 1).min(64);
                input.drain(i..i + k);
            }
            6 if len > 0 => {
                let i = rng.below(len);
                let k = (rng.below(len - i) + 1).min(256);
                let chunk = input[i..i + k].to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, chunk);
            }
            7 if !other.is_empty() => {
                // splice: our head, the other's tail
                let i = rng.below(input.len() + 1);
                let j = rng.below(other.len());
                input.truncate(i);
                input.extend_from_slice(&other[j..]);
            }
            8 if len > 0 => input.truncate(rng.below(len)),
            _ => {
                let i = rng.below(len + 1);
                let k = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..k).map(|_| rng.next() as u8).collect();
                input.splice(i..i, bytes);
            }
        }
    }
    input.truncate(MAX_LEN);
}

/// What every target needs, made once.
struct Fixture {
    resolver: Resolver,
    scratch: PathBuf,
    binary: Option<PathBuf>,
    gazetteer_csv: PathBuf,
}

fn run_one(fx: &Fixture, target: &str, input: &[u8]) -> Result<(), String> {
    match target {
        "csv" => {
            let Ok(inp) = gazmap::io::input::from_reader(
                Box::new(std::io::Cursor::new(input.to_vec())),
                "fuzz.csv",
                None,
                &Default::default(),
            ) else {
                return Ok(());
            };
            let mut opts = CleanOptions::new(ColumnRef::Name("place".into()));
            opts.threads = 1;
            opts.skip_bad_rows = input.first().is_some_and(|b| b % 2 == 0);
            let mut out = Vec::new();
            let _ = clean::clean(
                inp,
                &mut out,
                &fx.resolver,
                &Options::default(),
                &opts,
                &mut |_| {},
            );
            Ok(())
        }
        "events" => {
            let Some(bin) = &fx.binary else {
                return Err("no gazmap binary".into());
            };
            let path = fx.scratch.join("events.csv");
            std::fs::write(&path, input).map_err(|e| e.to_string())?;
            let out = fx.scratch.join("layers");
            let layer_by = ["event", "date", "none"][input.len() % 3];
            let mut child = Command::new(bin)
                .args(["export", "-q", "--layer-by", layer_by, "--gazetteer"])
                .arg(&fx.gazetteer_csv)
                .arg("-o")
                .arg(&out)
                .arg(&path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| e.to_string())?;
            let started = Instant::now();
            loop {
                if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                    let mut err = String::new();
                    if let Some(mut s) = child.stderr.take() {
                        let _ = std::io::Read::read_to_string(&mut s, &mut err);
                    }
                    return match status.code() {
                        Some(0) | Some(1) | Some(2) => Ok(()),
                        code => Err(format!("exit {code:?}: {err}")),
                    };
                }
                if started.elapsed() > HANG {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("HANG".into());
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        "boundaries" => {
            let Ok(bs) = boundaries::read_boundaries_from(input, "fuzz.geojson", "shapeName")
            else {
                return Ok(());
            };
            let options = ImportOptions {
                kind: Kind::District,
                country: None,
                file_stem: "fuzz".into(),
                threshold: None,
            };
            let _ = boundaries::boundaries_to_places(&bs, None, &fx.resolver, &options);
            let _ = boundaries::boundaries_to_places(&bs, Some(&bs), &fx.resolver, &options);
            Ok(())
        }
        "article" => {
            let _ = extract::extract(&fx.resolver, input, "fuzz.txt", &Config::default());
            Ok(())
        }
        "geonames" => {
            let path = fx.scratch.join("AF.txt");
            std::fs::write(&path, input).map_err(|e| e.to_string())?;
            let _ = geonames::import(&path, &Default::default(), &mut |_, _, _| {});
            Ok(())
        }
        _ => {
            let path = fx.scratch.join("fuzz.gzi");
            std::fs::write(&path, input).map_err(|e| e.to_string())?;
            let Ok((g, index)) = index_file::open(&path) else {
                return Ok(());
            };
            // every place and name read, then queries through the resolver
            for p in 0..g.len() {
                let _ = g.place(p as gazmap::PlaceId).alt_names().count();
            }
            let r = Resolver::from_parts(g, index);
            for q in probes::PROBE_NAMES.into_iter().chain([""]) {
                let _ = r.resolve(q, &Options::default());
            }
            Ok(())
        }
    }
}

struct Totals {
    runs: u64,
    crashes: u64,
    hangs: u64,
}

fn save(dir: &Path, kind: &str, input: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let hash = xxhash_rust::xxh3::xxh3_64(input);
    let path = dir.join(format!("{kind}-{hash:016x}"));
    let _ = std::fs::write(&path, input);
    path
}

fn fuzz(fx: &Fixture, target: &str, args: &Args, root: &Path) -> Totals {
    let corpus_dir = root
        .join("fuzz/corpus")
        .join(target.trim_end_matches("-resealed"));
    let findings = root.join("fuzz/findings").join(target);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&corpus_dir)
        .map(|d| {
            let mut paths: Vec<PathBuf> = d.flatten().map(|e| e.path()).collect();
            paths.sort();
            paths
                .into_iter()
                .filter_map(|p| std::fs::read(p).ok())
                .collect()
        })
        .unwrap_or_default();
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    let resealed = target == "index-resealed";
    let index = target.starts_with("index");
    let toks = tokens(target);
    let mut rng = Rng(args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let mut totals = Totals {
        runs: 0,
        crashes: 0,
        hangs: 0,
    };
    // the watchdog: an in-process run past HANG is saved and ends the process
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let started_at = Arc::new(AtomicU64::new(0));
    let clock = Instant::now();
    {
        let (current, started_at, findings) =
            (current.clone(), started_at.clone(), findings.clone());
        let name = target.to_string();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            let s = started_at.load(Ordering::Relaxed);
            if s != 0
                && (clock.elapsed().as_millis() as u64).saturating_sub(s) > HANG.as_millis() as u64
            {
                let input = current.lock().map(|c| c.clone()).unwrap_or_default();
                let p = save(&findings, "hang", &input);
                println!(
                    "{name}: HANG (over {HANG:?}), input saved to {}",
                    p.display()
                );
                std::process::exit(3);
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    // seeds first, unchanged
    let mut queue: Vec<Vec<u8>> = seeds.clone();
    while Instant::now() < deadline && args.runs.is_none_or(|r| totals.runs < r) {
        let input = match queue.pop() {
            Some(s) => s,
            None => {
                let base = if !pool.is_empty() && rng.below(2) == 0 {
                    &pool[rng.below(pool.len())]
                } else {
                    &seeds[rng.below(seeds.len())]
                };
                let mut m = base.clone();
                let other = &seeds[rng.below(seeds.len())];
                mutate(&mut rng, &mut m, other, toks, index);
                if resealed {
                    index_file::reseal(&mut m);
                }
                m
            }
        };
        if let Ok(mut c) = current.lock() {
            c.clone_from(&input);
        }
        started_at.store(clock.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let result = catch_unwind(AssertUnwindSafe(|| run_one(fx, target, &input)));
        started_at.store(0, Ordering::Relaxed);
        totals.runs += 1;
        let failure = match result {
            Ok(Ok(())) => None,
            Ok(Err(e)) if e == "HANG" => {
                totals.hangs += 1;
                Some(("hang", e))
            }
            Ok(Err(e)) => {
                totals.crashes += 1;
                Some(("crash", e))
            }
            Err(panic) => {
                totals.crashes += 1;
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let at = LAST_PANIC.lock().map(|l| l.clone()).unwrap_or_default();
                Some(("crash", format!("{msg} at {at}")))
            }
        };
        if let Some((kind, msg)) = failure {
            let p = save(&findings, kind, &input);
            let first = msg.lines().next().unwrap_or("");
            println!("{target}: {kind}: {first} (input saved to {})", p.display());
        }
        if pool.len() < POOL {
            pool.push(input);
        } else {
            let i = rng.below(POOL);
            pool[i] = input;
        }
    }
    totals
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // the panics are counted and their places kept, not printed
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
        }
    }));
    let resolver = match Gazetteer::embedded().and_then(Resolver::new) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let binary = root.join("target").join(profile).join("gazmap");
    let fx = Fixture {
        resolver,
        scratch: scratch.path().to_path_buf(),
        binary: binary.exists().then_some(binary),
        gazetteer_csv: root.join("tests/data/export/gazetteer.csv"),
    };
    if args.targets.iter().any(|t| t == "events") && fx.binary.is_none() {
        eprintln!("fuzz: the events target runs target/{profile}/gazmap: cargo build first");
        return ExitCode::from(2);
    }
    let mut failed = false;
    let mut out = std::io::stdout();
    for target in &args.targets {
        let started = Instant::now();
        let t = fuzz(&fx, target, &args, &root);
        failed |= t.crashes + t.hangs > 0;
        let _ = writeln!(
            out,
            "{target:<15} {:>9} runs  {:>4} crashes  {:>4} hangs  in {:.0} s",
            t.runs,
            t.crashes,
            t.hangs,
            started.elapsed().as_secs_f64()
        );
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
