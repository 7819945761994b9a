//! Benchmark of `gazmap clean`: generates a CSV of realistic spellings (exact names, alternate
//! names, romanization variants, typos, unknown words) from the embedded gazetteer, runs the
//! release binary on it with one resolver thread and with one per core, and prints rows/s and
//! peak memory (the child's maximum resident set size).
//!
//! `cargo bench --bench clean` (1,000,000 rows); `cargo bench --bench clean -- ROWS [DISTINCT]`
//! to change the row count and the number of distinct spellings drawn from.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use gazmap::Gazetteer;

/// One element of `xs`, chosen by `rng`.
fn pick<'a, T>(rng: &mut fastrand::Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.usize(..xs.len())]
}

/// Romanization variants as writers produce them (the ones the skeleton key merges).
fn variant(name: &str, rng: &mut fastrand::Rng) -> String {
    let swaps: [(&str, &str); 10] = [
        ("-e ", "-i-"),
        ("-e-", "-i-"),
        ("u", "ou"),
        ("e", "i"),
        ("o", "u"),
        ("i", "e"),
        ("j", "dj"),
        ("q", "k"),
        ("w", "v"),
        ("ah", "a"),
    ];
    let mut s = name.to_string();
    for _ in 0..2 {
        let (a, b) = pick(rng, &swaps);
        if s.contains(a) {
            s = s.replacen(a, b, 1);
        }
    }
    s
}

/// A keyboard slip: a letter replaced, dropped, doubled or two letters swapped.
fn typo(name: &str, rng: &mut fastrand::Rng) -> String {
    let mut c: Vec<char> = name.chars().collect();
    if c.len() < 4 {
        return name.to_string();
    }
    let i = 1 + rng.usize(..c.len() - 2);
    match rng.usize(..4) {
        0 => c[i] = *pick(rng, &['a', 'e', 'i', 'o', 'u', 'k', 'r', 's', 't', 'n']),
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, c[i]),
        _ => c.swap(i, i - 1),
    }
    c.into_iter().collect()
}

fn unknown(rng: &mut fastrand::Rng) -> String {
    const SYL: [&str; 16] = [
        "ka", "ro", "zan", "mir", "tol", "bu", "sha", "gul", "pe", "dor", "lim", "ya", "xe", "qo",
        "vin", "te",
    ];
    let mut s = String::new();
    for _ in 0..2 + rng.usize(..3) {
        let syl: &&str = pick(rng, &SYL[..]);
        s.push_str(syl);
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The pool of distinct spellings: for ~40% exact names, 15% alternate names, 20%
/// romanization variants, 15% typos, 10% unknown words.
fn spellings(g: &Gazetteer, distinct: usize, rng: &mut fastrand::Rng) -> Vec<String> {
    let places: Vec<gazmap::Place> = g.places().map(|p| p.to_place()).collect();
    let mut pool = Vec::with_capacity(distinct);
    let mut seen = std::collections::HashSet::new();
    let mut tries = 0;
    while pool.len() < distinct && tries < distinct * 50 {
        tries += 1;
        let p = pick(rng, &places);
        let s = match rng.usize(..100) {
            0..40 => p.name.clone(),
            40..55 if !p.alt_names.is_empty() => pick(rng, &p.alt_names).clone(),
            40..75 => variant(&p.name, rng),
            75..90 => typo(&p.name, rng),
            _ => unknown(rng),
        };
        if seen.insert(s.clone()) {
            pool.push(s);
        }
    }
    pool
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes the CSV: an id, a date, the place as spelled (drawn with a skew, since some places
/// recur far more than others, like in real event lists) and a note.
fn generate(
    path: &Path,
    rows: usize,
    pool: &[String],
    rng: &mut fastrand::Rng,
) -> std::io::Result<u64> {
    let mut w = BufWriter::new(File::create(path)?);
    writeln!(w, "id,date,place,note")?;
    for i in 0..rows {
        // the square of a uniform draw favours the start of the pool
        let u = rng.usize(..1 << 20) as f64 / (1u64 << 20) as f64;
        let name = &pool[((u * u) * pool.len() as f64) as usize];
        let day = 1 + rng.usize(..28);
        let month = 1 + rng.usize(..12);
        writeln!(
            w,
            "{i},2021-{month:02}-{day:02},{},report {}",
            quote(name),
            rng.usize(..1000)
        )?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

struct Run {
    seconds: f64,
    cpu_seconds: f64,
    peak_kib: i64,
    stderr: String,
}

/// Runs the binary and waits for it with wait4, which reports its peak resident memory.
#[allow(clippy::zombie_processes)] // reaped by wait4, not Child::wait
fn run(bin: &str, input: &Path, output: &Path, threads: usize) -> Run {
    let started = Instant::now();
    let child = Command::new(bin)
        .arg("clean")
        .arg(input)
        .args(["--column", "place", "--threads", &threads.to_string(), "-o"])
        .arg(output)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gazmap");
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.expect("stderr");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut text).expect("read stderr");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; the pointers are valid.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "gazmap failed: {text}"
    );
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Run {
        seconds,
        cpu_seconds: tv(usage.ru_utime) + tv(usage.ru_stime),
        peak_kib: usage.ru_maxrss,
        stderr: text,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let rows: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let distinct: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8_000);
    let bin = env!("CARGO_BIN_EXE_gazmap");
    let g = Gazetteer::embedded().expect("embedded gazetteer");
    let mut rng = fastrand::Rng::with_seed(0x5eed_1234_abcd_ef01);
    let pool = spellings(&g, distinct, &mut rng);
    let dir = tempfile::tempdir().expect("temporary directory");
    let input = dir.path().join("names.csv");
    let output = dir.path().join("cleaned.csv");
    let t = Instant::now();
    let bytes = generate(&input, rows, &pool, &mut rng).expect("write the CSV");
    println!(
        "generated {rows} rows ({:.1} MB, {} distinct spellings) in {:.1} s",
        bytes as f64 / 1e6,
        pool.len(),
        t.elapsed().as_secs_f64()
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // other processes compete for the cores: say how busy the machine was
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average before the runs: {}", load.trim());
    }
    for (label, threads) in [("1 thread", 1), ("all cores", 0)] {
        let r = run(bin, &input, &output, threads);
        let summary = r.stderr.lines().last().unwrap_or_default();
        println!(
            "clean, {label:<9} ({} cores): {:>6.2} s  {:>9.0} rows/s  peak RSS {:>6.1} MB  \
             (CPU {:.2} s)",
            if threads == 0 { cores } else { 1 },
            r.seconds,
            rows as f64 / r.seconds,
            r.peak_kib as f64 / 1024.0,
            r.cpu_seconds
        );
        println!("    {summary}");
    }
}
