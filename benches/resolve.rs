//! Queries per second for `resolve`: the embedded gazetteer and a generated gazetteer of about
//! one million names, with a brute-force strsim scan over all names as the baseline.
//!
//! ```text
//! cargo bench --bench resolve            # GAZMAP_BENCH_NAMES=200000 for a quicker run
//! ```

use std::time::{Duration, Instant};

use gazmap::gazetteer::Parents;
use gazmap::normalize::fold;
use gazmap::{Gazetteer, Kind, Options, Place, Resolver, Status};

const ONSETS: &[&str] = &[
    "b", "p", "t", "j", "ch", "kh", "d", "r", "z", "s", "sh", "gh", "f", "q", "k", "g", "l", "m",
    "n", "w", "h", "y", "",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "aa", "ai", "ou"];
const CODAS: &[&str] = &["", "", "n", "r", "d", "b", "h", "z", "m", "sht", "rd", "kh"];
const SECOND: &[&str] = &[
    "abad", "khel", "dara", "qala", "kot", "zai", "shahr", "deh", "bagh",
];

fn word(rng: &mut fastrand::Rng) -> String {
    let syllables = 2 + rng.usize(..2);
    let mut w = String::new();
    for _ in 0..syllables {
        w.push_str(ONSETS[rng.usize(..ONSETS.len())]);
        w.push_str(VOWELS[rng.usize(..VOWELS.len())]);
        w.push_str(CODAS[rng.usize(..CODAS.len())]);
    }
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn generated_gazetteer(names: usize) -> Gazetteer {
    let mut rng = fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15);
    let mut places = Vec::with_capacity(names / 2);
    let mut count = 0;
    let mut i = 0;
    while count < names {
        let name = if rng.usize(..3) == 0 {
            format!("{}-e {}", word(&mut rng), SECOND[rng.usize(..SECOND.len())])
        } else {
            word(&mut rng)
        };
        let alt = (0..rng.usize(..3))
            .map(|_| word(&mut rng))
            .collect::<Vec<_>>();
        count += 1 + alt.len();
        places.push(Place {
            id: format!("gen:{i}"),
            name,
            kind: [Kind::Village, Kind::Town, Kind::District][rng.usize(..3)],
            country: "ZZ".into(),
            admin1: String::new(),
            admin2: String::new(),
            lat: Some(30.0 + (i % 1000) as f64 / 100.0),
            lon: Some(60.0 + (i % 997) as f64 / 100.0),
            population: None,
            alt_names: alt,
            geometry: None,
            parents: Parents::default(),
        });
        i += 1;
    }
    Gazetteer::from_places(places).expect("unique ids")
}

/// Queries from the gazetteer's own names: a third verbatim, a third with a romanization
/// variation (e↔i, o↔u, ou for u, h dropped, hyphens), a third with one typo.
fn queries(g: &Gazetteer, n: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(42);
    (0..n)
        .map(|k| {
            let p = g.place(rng.u32(..g.len() as u32));
            let name = p.name.to_string();
            match k % 3 {
                0 => name,
                1 => name
                    .replacen('e', "i", 1)
                    .replacen('u', "ou", 1)
                    .replacen("-", " ", 1)
                    .replacen("h ", " ", 1),
                _ => {
                    let mut chars: Vec<char> = name.chars().collect();
                    if chars.len() > 3 {
                        let at = 1 + rng.usize(..chars.len() - 2);
                        chars[at] = ['a', 'e', 'r', 'n', 's'][rng.usize(..5)];
                    }
                    chars.into_iter().collect()
                }
            }
        })
        .collect()
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn bench_index(label: &str, r: &Resolver, qs: &[String]) -> f64 {
    let opts = Options::default();
    let t = Instant::now();
    let mut matched = 0;
    for q in qs {
        if r.resolve(q, &opts).status != Status::Unmatched {
            matched += 1;
        }
    }
    let qps = per_second(qs.len(), t.elapsed());
    println!(
        "{label:<44} {qps:>12.0} queries/s  ({matched}/{} resolved)",
        qs.len()
    );
    qps
}

fn bench_brute_force(label: &str, r: &Resolver, qs: &[String]) -> f64 {
    let names: Vec<&str> = r.index().names().map(|n| n.fold).collect();
    let t = Instant::now();
    let mut sink = 0usize;
    for q in qs {
        let f = fold(q);
        let best = names
            .iter()
            .enumerate()
            .map(|(i, n)| (strsim::jaro_winkler(&f, n), i))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        sink += best.map_or(0, |b| b.1);
    }
    let qps = per_second(qs.len(), t.elapsed());
    println!(
        "{label:<44} {qps:>12.1} queries/s  ({} names scanned per query; {sink})",
        names.len()
    );
    qps
}

fn main() {
    let target: usize = std::env::var("GAZMAP_BENCH_NAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);

    let t = Instant::now();
    let embedded =
        Resolver::new(Gazetteer::embedded().expect("embedded gazetteer")).expect("index");
    println!(
        "embedded gazetteer: {} places, {} names, loaded and indexed in {:.0} ms",
        embedded.gazetteer().len(),
        embedded.index().len(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let qs = queries(embedded.gazetteer(), 3000);
    bench_index("resolve, embedded (index)", &embedded, &qs);
    bench_brute_force(
        "brute-force jaro-winkler scan, embedded",
        &embedded,
        &qs[..300],
    );

    let t = Instant::now();
    let g = generated_gazetteer(target);
    let gen_time = t.elapsed();
    let t = Instant::now();
    let big = Resolver::new(g).expect("index");
    println!(
        "generated gazetteer: {} places, {} names; generated in {:.1} s, indexed in {:.1} s",
        big.gazetteer().len(),
        big.index().len(),
        gen_time.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    let qs = queries(big.gazetteer(), 3000);
    let fast = bench_index("resolve, generated (index)", &big, &qs);
    let slow = bench_brute_force("brute-force jaro-winkler scan, generated", &big, &qs[..20]);
    println!(
        "index vs brute force on the generated gazetteer: {:.0}x",
        fast / slow
    );
}
