//! Scale benchmark: load and index time, resident memory, queries per second (one thread and
//! all cores) and top-1 accuracy on labelled exact, variant and typo queries, for the
//! embedded gazetteer, the GeoNames world `cities500` and a generated 10-million-name one.
//!
//! ```text
//! python3 benches/make_cities500.py     # once: target/bench-data/cities500.txt
//! cargo bench --bench scale             # all three; or: cargo bench --bench scale -- embedded cities500
//! python3 benches/rapidfuzz_baseline.py # the baseline, on the queries this run wrote
//! ```
//!
//! Without `target/bench-data/cities500.txt` that gazetteer is skipped with a message.
//! `GAZMAP_BENCH_DATA` sets the data directory, `GAZMAP_BENCH_QUERIES` the number of labelled
//! places per query set (default 1000). Queries are written to
//! `<data>/queries-<gazetteer>.tsv` (set, query, label id, label name) for the baseline.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gazmap::gazetteer::geonames::{self, ImportOptions};
use gazmap::gazetteer::Parents;
use gazmap::index::file;
use gazmap::normalize::skeleton;
use gazmap::{Gazetteer, Kind, Options, Place, Resolver};
use rayon::prelude::*;

/// Names per generated place: the name, a variant of it, a second name and its variant.
const SYNTH_NAMES_PER_PLACE: usize = 4;
const SYNTH_PLACES: usize = 2_500_000;

fn main() {
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    let data = std::env::var_os("GAZMAP_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    let per_set: usize = std::env::var("GAZMAP_BENCH_QUERIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    println!(
        "gazmap scale benchmark: {} threads on all cores, {per_set} labelled places per query set",
        rayon::current_num_threads()
    );
    if run("embedded") {
        bench("embedded", &data, per_set, || {
            Gazetteer::embedded().expect("embedded gazetteer")
        });
    }
    if run("cities500") {
        let dump = data.join("cities500.txt");
        if dump.exists() {
            bench("cities500", &data, per_set, || {
                let imported =
                    geonames::import(&dump, &ImportOptions::default(), &mut |_, _, _| {})
                        .expect("cities500.txt");
                Gazetteer::from_places(imported.places).expect("cities500 places")
            });
        } else {
            println!(
                "\n== cities500: skipped, {} is absent (run python3 benches/make_cities500.py)",
                dump.display()
            );
        }
    }
    if run("synthetic10m") {
        bench("synthetic10m", &data, per_set, synthetic);
    }
}

fn bench(name: &str, data: &std::path::Path, per_set: usize, load: impl FnOnce() -> Gazetteer) {
    println!("\n== {name}");
    let rss0 = rss_kib();
    let t = Instant::now();
    let gazetteer = load();
    let load_time = t.elapsed();
    let rss_loaded = rss_kib();
    let places = gazetteer.len();
    let t = Instant::now();
    let resolver = Resolver::new(gazetteer).expect("index");
    let build_time = t.elapsed();
    let rss_built = rss_kib();
    println!(
        "places {places}, names indexed {}\n\
         load (parse + link) {:.2} s, index build {:.2} s\n\
         resident memory: +{} MiB for the places, +{} MiB for the index, {} MiB in all (peak {} MiB)",
        resolver.index().len(),
        load_time.as_secs_f64(),
        build_time.as_secs_f64(),
        (rss_loaded - rss0) / 1024,
        (rss_built - rss_loaded) / 1024,
        rss_built / 1024,
        peak_kib() / 1024,
    );
    // the same through an index file: written, dropped from memory, opened by mapping
    let gzi = data.join(format!("{name}.gzi"));
    let t = Instant::now();
    if let Err(e) = std::fs::create_dir_all(data)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            file::write(&gzi, resolver.gazetteer(), resolver.index()).map_err(|e| e.to_string())
        })
    {
        println!("index file: {e}");
        return;
    }
    let write_time = t.elapsed();
    drop(resolver);
    let size = std::fs::metadata(&gzi).map_or(0, |m| m.len());
    let resident = || status_kib("RssFile:") + status_kib("RssAnon:");
    let rss_before = resident();
    let t = Instant::now();
    // SAFETY: the bench wrote this file and nothing changes it while it is open
    let (gazetteer, index) = unsafe { file::open_mapped(&gzi) }.expect("index file");
    let open_time = t.elapsed();
    let resolver = Resolver::from_parts(gazetteer, index);
    let rss_open = resident().saturating_sub(rss_before);
    println!(
        "index file {:.0} MiB, written in {:.2} s; opened (mapped, every section checksummed) \
         in {:.1} ms, +{} MiB resident ({:.2}× the file); the queries below go through it",
        size as f64 / 1048576.0,
        write_time.as_secs_f64(),
        open_time.as_secs_f64() * 1e3,
        rss_open / 1024,
        rss_open as f64 * 1024.0 / size.max(1) as f64
    );
    let sets = query_sets(resolver.gazetteer(), per_set);
    write_queries(data, name, resolver.gazetteer(), &sets);
    let opts = Options::default();
    println!(
        "{:<8} {:>7} {:>12} {:>12} {:>10} {:>10}",
        "queries", "count", "q/s 1 thread", "q/s all", "top-1 id", "top-1 name"
    );
    for (set, queries) in &sets {
        let texts: Vec<&str> = queries.iter().map(|q| q.text.as_str()).collect();
        let single = per_second(texts.len(), || {
            texts
                .iter()
                .map(|q| checksum(&resolver, q, &opts))
                .sum::<u64>()
        });
        let all = per_second(texts.len(), || {
            texts
                .par_iter()
                .map(|q| checksum(&resolver, q, &opts))
                .sum::<u64>()
        });
        let (by_id, by_name) = accuracy(&resolver, queries, &opts);
        println!(
            "{set:<8} {:>7} {single:>12.0} {all:>12.0} {:>9.1}% {:>9.1}%",
            queries.len(),
            100.0 * by_id,
            100.0 * by_name
        );
    }
    // where a typo query's time goes: keys, fuzzy candidate generation, the rest (scoring,
    // filters, decision)
    if let Some((_, typos)) = sets.iter().find(|(s, _)| *s == "typo") {
        let texts: Vec<&str> = typos.iter().map(|q| q.text.as_str()).collect();
        let n = texts.len().max(1) as f64;
        // each part timed on its own pass, the best of two (the machine may be shared)
        let total = best_of_two(|| {
            texts
                .iter()
                .map(|q| checksum(&resolver, q, &opts))
                .sum::<u64>()
        });
        let keys: Vec<String> = texts.iter().map(|q| skeleton(q)).collect();
        let key_time = best_of_two(|| texts.iter().map(|q| skeleton(q).len() as u64).sum::<u64>());
        // the resolver's candidate passes: the keys one and two edits away for every query,
        // the close trigram keys for those with neither (about: a near key below the
        // threshold goes on too)
        let index = resolver.index();
        let near_time = best_of_two(|| {
            keys.iter()
                .map(|k| index.keys_within(k, 2).len() as u64)
                .sum()
        });
        let far: Vec<&String> = keys
            .iter()
            .filter(|k| index.keys_within(k, 2).is_empty())
            .collect();
        let close_time = best_of_two(|| {
            far.iter()
                .map(|k| index.close_keys(k, 48).len() as u64)
                .sum()
        });
        let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
        println!(
            "typo query, µs each: {:.1} in all = {:.1} skeleton key + {:.1} keys one or two \
             edits away + {:.1} close trigram keys (for the {:.0}% with none that near: {:.0} µs \
             each) + {:.1} the rest (scoring, decision)",
            us(total),
            us(key_time),
            us(near_time),
            us(close_time),
            100.0 * far.len() as f64 / n,
            close_time.as_secs_f64() * 1e6 / far.len().max(1) as f64,
            (us(total) - us(key_time) - us(near_time) - us(close_time)).max(0.0)
        );
        automaton_candidates(&resolver, typos);
    }
}

/// A prototype of another fuzzy candidate generator: an fst of the distinct skeleton keys
/// searched with a Levenshtein automaton (distance 1). Prints its build time and size, its
/// cost per typo query and how often the labelled place's key is among what it finds.
fn automaton_candidates(resolver: &Resolver, typos: &[Query]) {
    let index = resolver.index();
    let t = Instant::now();
    let mut keys: Vec<&str> = index.names().map(|e| e.skeleton).collect();
    keys.sort_unstable();
    keys.dedup();
    let set = match fst::Set::from_iter(keys.iter()) {
        Ok(set) => set,
        Err(e) => return println!("fst prototype: {e}"),
    };
    let build = t.elapsed();
    let queries: Vec<(String, u32)> = typos.iter().map(|q| (skeleton(&q.text), q.label)).collect();
    let t = Instant::now();
    let mut found: Vec<Vec<String>> = Vec::with_capacity(queries.len());
    for (k, _) in &queries {
        let hits = fst::automaton::Levenshtein::new(k, 1)
            .ok()
            .and_then(|lev| {
                use fst::IntoStreamer;
                set.search(lev).into_stream().into_strs().ok()
            })
            .unwrap_or_default();
        found.push(hits);
    }
    let per_query = t.elapsed().as_secs_f64() * 1e6 / queries.len().max(1) as f64;
    let mut label_keys: std::collections::HashMap<u32, Vec<&str>> =
        queries.iter().map(|(_, l)| (*l, Vec::new())).collect();
    for e in index.names() {
        if let Some(v) = label_keys.get_mut(&e.place) {
            v.push(e.skeleton);
        }
    }
    let recall = queries
        .iter()
        .zip(&found)
        .filter(|((_, label), hits)| {
            label_keys[label]
                .iter()
                .any(|k| hits.iter().any(|h| h == k))
        })
        .count();
    println!(
        "fst prototype: {} distinct skeleton keys, built in {:.2} s, {} MiB; Levenshtein \
         distance 1 on a typo query: {per_query:.1} µs, {:.1} keys found, the labelled \
         place's key among them for {:.1}% of queries",
        keys.len(),
        build.as_secs_f64(),
        set.as_fst().as_bytes().len() >> 20,
        found.iter().map(Vec::len).sum::<usize>() as f64 / found.len().max(1) as f64,
        100.0 * recall as f64 / queries.len().max(1) as f64
    );
}

fn checksum(resolver: &Resolver, q: &str, opts: &Options) -> u64 {
    let r = resolver.resolve(q, opts);
    r.best.map_or(0, |b| u64::from(b.place) + 1)
}

/// Queries per second over `n` queries, repeating the pass until a second has gone by.
fn per_second(n: usize, mut pass: impl FnMut() -> u64) -> f64 {
    let mut passes = 0u32;
    let mut sink = 0u64;
    let t = Instant::now();
    while passes == 0 || t.elapsed() < Duration::from_secs(1) {
        sink = sink.wrapping_add(pass());
        passes += 1;
    }
    std::hint::black_box(sink);
    (n as f64 * f64::from(passes)) / t.elapsed().as_secs_f64()
}

fn best_of_two(mut pass: impl FnMut() -> u64) -> Duration {
    (0..2)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(pass());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Top-1 accuracy: the best place is the labelled one; or it has the labelled place's name
/// (a query without context cannot tell apart places that share a name).
fn accuracy(resolver: &Resolver, queries: &[Query], opts: &Options) -> (f64, f64) {
    let g = resolver.gazetteer();
    let (mut id, mut name) = (0usize, 0usize);
    for q in queries {
        if let Some(b) = resolver.resolve(&q.text, opts).best {
            if b.place == q.label {
                id += 1;
                name += 1;
            } else if g.place(b.place).name == g.place(q.label).name {
                name += 1;
            }
        }
    }
    let n = queries.len().max(1) as f64;
    (id as f64 / n, name as f64 / n)
}

/// A labelled query.
struct Query {
    text: String,
    label: u32,
}

/// The exact, variant, typo and mixed (variant and typo alternating) query sets.
fn query_sets(g: &Gazetteer, per_set: usize) -> Vec<(&'static str, Vec<Query>)> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let n = g.len();
    let picks: Vec<u32> = if n <= per_set {
        (0..n as u32).collect()
    } else {
        (0..per_set).map(|_| rng.below(n) as u32).collect()
    };
    let mut exact = Vec::new();
    let mut variant = Vec::new();
    let mut typo = Vec::new();
    for &p in &picks {
        let name = &g.place(p).name;
        exact.push(Query {
            text: name.to_string(),
            label: p,
        });
        let v = romanization_variant(name, &mut rng);
        if v != *name {
            variant.push(Query { text: v, label: p });
        }
        if name.chars().count() >= 4 {
            typo.push(Query {
                text: one_edit(name, &mut rng),
                label: p,
            });
        }
    }
    let mut mixed = Vec::new();
    for (v, t) in variant.iter().zip(&typo) {
        for q in [v, t] {
            mixed.push(Query {
                text: q.text.clone(),
                label: q.label,
            });
        }
    }
    vec![
        ("exact", exact),
        ("variant", variant),
        ("typo", typo),
        ("mixed", mixed),
    ]
}

fn write_queries(data: &std::path::Path, name: &str, g: &Gazetteer, sets: &[(&str, Vec<Query>)]) {
    if std::fs::create_dir_all(data).is_err() {
        return;
    }
    let mut text = String::from("set\tquery\tlabel_id\tlabel_name\n");
    for (set, queries) in sets {
        for q in queries {
            let p = g.place(q.label);
            let _ = writeln!(text, "{set}\t{}\t{}\t{}", q.text, p.id, p.name);
        }
    }
    let path = data.join(format!("queries-{name}.tsv"));
    match std::fs::File::create(&path).and_then(|mut f| f.write_all(text.as_bytes())) {
        Ok(()) => println!("queries written to {}", path.display()),
        Err(e) => println!("could not write {}: {e}", path.display()),
    }
}

/// A romanization-style variant: one or two of vowel swaps (e/i, o/u), ou → u or u → ou,
/// a dropped h, a space made a hyphen or a hyphen a space.
fn romanization_variant(name: &str, rng: &mut Rng) -> String {
    let mut s = name.to_string();
    let rounds = 1 + rng.below(2);
    for _ in 0..rounds {
        for _attempt in 0..6 {
            let before = s.clone();
            s = match rng.below(6) {
                0 => swap_one(&s, &[('e', 'i'), ('i', 'e')], rng),
                1 => swap_one(&s, &[('o', 'u'), ('u', 'o')], rng),
                2 => {
                    if s.contains("ou") {
                        s.replacen("ou", "u", 1)
                    } else {
                        s.replacen('u', "ou", 1)
                    }
                }
                3 => {
                    // a dropped h: "Deh" → "De", "Khost" → "Kost"
                    match s.char_indices().rfind(|&(i, c)| c == 'h' && i > 0) {
                        Some((i, _)) => format!("{}{}", &s[..i], &s[i + 1..]),
                        None => s,
                    }
                }
                4 => {
                    if s.contains(' ') {
                        s.replacen(' ', "-", 1)
                    } else {
                        s.replacen('-', " ", 1)
                    }
                }
                _ => swap_one(&s, &[('a', 'e')], rng),
            };
            if s != before {
                break;
            }
        }
    }
    s
}

fn swap_one(s: &str, pairs: &[(char, char)], rng: &mut Rng) -> String {
    let spots: Vec<(usize, char)> = s
        .char_indices()
        .filter_map(|(i, c)| pairs.iter().find(|p| p.0 == c).map(|p| (i, p.1)))
        .collect();
    if spots.is_empty() {
        return s.to_string();
    }
    let (i, to) = spots[rng.below(spots.len())];
    let len = s[i..].chars().next().map_or(1, char::len_utf8);
    format!("{}{to}{}", &s[..i], &s[i + len..])
}

/// One edit: a letter deleted, replaced, inserted, or two neighbours swapped (not the first).
fn one_edit(name: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = name.chars().collect();
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let i = 1 + rng.below(c.len() - 1);
    let letter = char::from(letters[rng.below(26)]);
    match rng.below(4) {
        0 => {
            c.remove(i);
        }
        1 => c[i] = if c[i] == letter { 'x' } else { letter },
        2 => c.insert(i, letter),
        _ => {
            let j = if i + 1 < c.len() { i + 1 } else { i - 1 };
            if c[i] == c[j] {
                c.remove(i);
            } else {
                c.swap(i, j);
            }
        }
    }
    c.into_iter().collect()
}

/// A generated gazetteer of 10 million names: 2.5 million places, each with a made-up
/// name, a romanization variant of it, a second name and a hyphenated variant of that.
fn synthetic() -> Gazetteer {
    const ONSETS: [&str; 24] = [
        "b", "d", "f", "g", "h", "j", "k", "kh", "l", "m", "n", "p", "q", "r", "s", "sh", "t", "v",
        "w", "y", "z", "gh", "ch", "",
    ];
    const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "aa", "ei", "ou"];
    const CODAS: [&str; 8] = ["", "", "n", "r", "m", "l", "h", "z"];
    const COUNTRIES: [&str; 12] = [
        "AF", "PK", "IR", "TJ", "UZ", "TM", "IN", "BD", "NP", "KG", "KZ", "MN",
    ];
    let mut rng = Rng(42);
    let word = |rng: &mut Rng| {
        let mut w = String::new();
        for _ in 0..2 + rng.below(2) {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(VOWELS[rng.below(VOWELS.len())]);
            w.push_str(CODAS[rng.below(CODAS.len())]);
        }
        let mut cs = w.chars();
        cs.next()
            .map(|f| f.to_uppercase().chain(cs).collect())
            .unwrap_or_default()
    };
    let mut places = Vec::with_capacity(SYNTH_PLACES);
    for i in 0..SYNTH_PLACES {
        let mut name = word(&mut rng);
        if rng.below(5) == 0 {
            name = format!("{name} {}", word(&mut rng));
        }
        let second = format!("{} {}", word(&mut rng), word(&mut rng));
        let mut alts = vec![
            romanization_variant(&name, &mut rng),
            second.clone(),
            romanization_variant(&second, &mut rng).replacen(' ', "-", 1),
        ];
        if alts[0] == name {
            alts[0] = format!("{name} Kalan");
        }
        let population = 10u64.pow(rng.below(6) as u32) * (1 + rng.below(9) as u64);
        places.push(Place {
            id: format!("synthetic:{i}"),
            name,
            kind: if population >= 100_000 {
                Kind::City
            } else if population >= 10_000 {
                Kind::Town
            } else {
                Kind::Village
            },
            country: COUNTRIES[rng.below(COUNTRIES.len())].to_string(),
            admin1: String::new(),
            admin2: String::new(),
            lat: Some(rng.below(180_000) as f64 / 1000.0 - 90.0),
            lon: Some(rng.below(360_000) as f64 / 1000.0 - 180.0),
            population: Some(population),
            alt_names: alts,
            geometry: None,
            parents: Parents::default(),
        });
    }
    debug_assert_eq!(places.len() * SYNTH_NAMES_PER_PLACE, 10_000_000);
    Gazetteer::from_places(places).expect("synthetic places")
}

/// SplitMix64: a small seeded generator, so the queries are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resident memory now (VmRSS), KiB.
fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// Peak resident memory (VmHWM), KiB.
fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}
