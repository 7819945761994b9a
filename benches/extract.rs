//! Throughput of `extract` on a generated 1 MB article (the example articles' paragraphs
//! and some capitalised words the gazetteer lacks, repeated with numbered variations).
//! Run with `cargo bench --bench extract`; prints MB/s.

use std::time::Instant;

use gazmap::extract::{extract, Config};
use gazmap::{Gazetteer, Resolver};

fn article(lang: &str, size: usize) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let text =
        std::fs::read_to_string(format!("{root}/examples/article-{lang}.txt")).expect("example");
    let body: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut out = String::from("date: 2021-07-06\n");
    let mut i = 0usize;
    while out.len() < size {
        let p = body[i % body.len()];
        out.push_str(p);
        // unknown capitalised names so the fuzzy pass has work to do
        let name = |k: usize| {
            const SYL: [&str; 12] = [
                "ra", "hma", "tul", "lah", "gul", "bud", "din", "zar", "ghu", "nor", "sha", "kan",
            ];
            let mut s = String::from("Q");
            for j in 0..3 {
                s.push_str(SYL[(k / 12usize.pow(j)) % 12]);
            }
            s
        };
        out.push_str(&format!(
            " Commander {} met Elder {} in {}.\n\n",
            name(i % 1700),
            name((i * 7) % 1700),
            name((i * 13) % 1700)
        ));
        i += 1;
    }
    out
}

fn main() {
    let resolver =
        Resolver::new(Gazetteer::embedded().expect("embedded gazetteer")).expect("index");
    let config = Config::default();
    for lang in ["en", "fr"] {
        let text = article(lang, 1 << 20);
        // warm-up, then the best of three
        let _ = extract(&resolver, text.as_bytes(), "bench", &config).expect("extract");
        let mut best = f64::MAX;
        let mut events = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let x = extract(&resolver, text.as_bytes(), "bench", &config).expect("extract");
            best = best.min(t.elapsed().as_secs_f64());
            events = x.events.len();
        }
        let mb = text.len() as f64 / 1e6;
        println!(
            "extract {lang}: {:.2} MB in {:.3} s = {:.1} MB/s ({events} events)",
            mb,
            best,
            mb / best
        );
    }
}
