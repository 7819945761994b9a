//! Scores `extract` on the real-article corpus of `tests/data/articles`.
//!
//! ```text
//! cargo run --release --example eval_articles -- tests/data/articles [--split dev|heldout|all] [--misses] [--list]
//! ```
//!
//! Each `<lang>/<slug>.txt` (first line `date: …`) has a `<slug>.json` listing the district,
//! city and province events a reader found in it. A (place, event) pair of `events.csv` is
//! right when the reader found the same event at the same GeoNames place in that article.
//! Prints precision, recall and F1 of those pairs, and over the matched pairs the share whose
//! date (where the reader could date it; a month-precision date is right when the day falls
//! in it), certainty and `against` (where the reader found the side it was taken from) are
//! right, per language and split.
//!
//! The split never depends on the content, and adding an article never moves another: an
//! article whose JSON has `"split": "dev"` or `"heldout"` is in that split (the 42 articles of
//! the first rounds, frozen as the old lowest-fifth-of-the-hash rule had placed them); one
//! without it is held out when the FNV-1a 64-bit hash of its URL is 0 modulo 5. `--misses`
//! lists the missed and wrong pairs of the dev split only; the held-out articles are for
//! reporting. `--list` prints each article's split first.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use gazmap::extract::{extract, Config, EventType};
use gazmap::{Gazetteer, Resolver, Status};
use serde::Deserialize;

#[derive(Deserialize)]
struct Gold {
    url: String,
    /// `dev` or `heldout` for the articles whose split was frozen; absent on articles added
    /// later, which the hash of the URL places.
    #[serde(default)]
    split: Option<String>,
    events: Vec<GoldEvent>,
}

#[derive(Deserialize)]
struct GoldEvent {
    place: String,
    place_id: String,
    event: String,
    date: Option<String>,
    certainty: String,
    /// The side the place was taken from, where the reader found the text saying it.
    #[serde(default)]
    against: Option<String>,
}

#[derive(Default, Clone, Copy)]
struct Score {
    articles: usize,
    gold: usize,
    predicted: usize,
    matched: usize,
    dated: usize,
    date_ok: usize,
    certainty_ok: usize,
    sided: usize,
    against_ok: usize,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.articles += o.articles;
        self.gold += o.gold;
        self.predicted += o.predicted;
        self.matched += o.matched;
        self.dated += o.dated;
        self.date_ok += o.date_ok;
        self.certainty_ok += o.certainty_ok;
        self.sided += o.sided;
        self.against_ok += o.against_ok;
    }

    fn line(&self, label: &str) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "    -".to_string()
            } else {
                format!("{:5.1}", 100.0 * a as f64 / b as f64)
            }
        };
        let p = self.matched as f64 / self.predicted.max(1) as f64;
        let r = self.matched as f64 / self.gold.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        format!(
            "{label:<14} {:>3} {:>4} {:>4} {:>4}  P {} R {} F1 {:5.1}  date {} ({}/{})  certainty {} ({}/{})  against {} ({}/{})",
            self.articles,
            self.gold,
            self.predicted,
            self.matched,
            pct(self.matched, self.predicted),
            pct(self.matched, self.gold),
            100.0 * f,
            pct(self.date_ok, self.dated),
            self.date_ok,
            self.dated,
            pct(self.certainty_ok, self.matched),
            self.certainty_ok,
            self.matched,
            pct(self.against_ok, self.sided),
            self.against_ok,
            self.sided,
        )
    }
}

/// The first row of a predicted (place, event) pair: date, certainty, place as written and
/// against.
type Predicted = (Option<String>, String, String, String);

/// FNV-1a, 64 bits: a hash anyone can recompute to check the split.
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

struct Article {
    lang: String,
    txt: PathBuf,
    gold: Gold,
}

fn load(root: &Path) -> Result<Vec<Article>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    let mut langs: Vec<PathBuf> = std::fs::read_dir(root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    langs.sort();
    for dir in langs {
        let lang = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for json in files {
            let gold: Gold = serde_json::from_str(&std::fs::read_to_string(&json)?)
                .map_err(|e| format!("{}: {e}", json.display()))?;
            out.push(Article {
                lang: lang.clone(),
                txt: json.with_extension("txt"),
                gold,
            });
        }
    }
    Ok(out)
}

/// Whether an article is held out: its frozen `split` where it has one, else the hash of its
/// URL (one in five, each article alone, so adding one never moves another).
fn is_heldout(gold: &Gold) -> Result<bool, String> {
    match gold.split.as_deref() {
        Some("heldout") => Ok(true),
        Some("dev") => Ok(false),
        Some(other) => Err(format!(
            "{}: split {other:?}: expected dev or heldout",
            gold.url
        )),
        None => Ok(fnv1a(&gold.url).is_multiple_of(5)),
    }
}

fn date_right(gold: &str, got: Option<&str>) -> bool {
    match got {
        Some(d) => d == gold || (gold.len() == 7 && d.starts_with(gold)),
        None => false,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut split = "all".to_string();
    let mut show = false;
    let mut list = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--split" => split = args.next().ok_or("--split needs dev, heldout or all")?,
            "--misses" => show = true,
            "--list" => list = true,
            _ => root = Some(PathBuf::from(a)),
        }
    }
    let root =
        root.ok_or("usage: eval_articles DIR [--split dev|heldout|all] [--misses] [--list]")?;
    if !["dev", "heldout", "all"].contains(&split.as_str()) {
        return Err(format!("--split {split:?}: expected dev, heldout or all").into());
    }
    let articles = load(&root)?;
    let resolver = Resolver::new(Gazetteer::embedded()?)?;
    let g = resolver.gazetteer();
    let mut scores: BTreeMap<(String, &str), Score> = BTreeMap::new();
    let mut misses = Vec::new();
    for a in &articles {
        let part = if is_heldout(&a.gold)? {
            "heldout"
        } else {
            "dev"
        };
        if split != "all" && split != part {
            continue;
        }
        if list {
            println!("{part} {}", a.txt.display());
        }
        let bytes = std::fs::read(&a.txt).map_err(|e| format!("{}: {e}", a.txt.display()))?;
        let x = extract(
            &resolver,
            &bytes,
            &a.txt.display().to_string(),
            &Config::default(),
        )?;
        // predicted pairs, first row of each pair kept
        let mut predicted: BTreeMap<(String, String), Predicted> = BTreeMap::new();
        for e in &x.events {
            if e.event == EventType::Other {
                continue;
            }
            let id = match (&e.resolution.status, &e.resolution.best) {
                (Status::Matched, Some(b)) => g.place(b.place).id.to_string(),
                _ => format!("unresolved:{}", e.place),
            };
            predicted
                .entry((id, e.event.as_str().to_string()))
                .or_insert((
                    e.date.map(|d| d.to_string()),
                    e.certainty.as_str().to_string(),
                    e.place.clone(),
                    e.against.to_string(),
                ));
        }
        let mut gold: BTreeMap<(String, String), &GoldEvent> = BTreeMap::new();
        for e in &a.gold.events {
            gold.entry((e.place_id.clone(), e.event.clone()))
                .or_insert(e);
        }
        let mut s = Score {
            articles: 1,
            gold: gold.len(),
            predicted: predicted.len(),
            ..Score::default()
        };
        let name = a.txt.file_stem().unwrap_or_default().to_string_lossy();
        for (k, ge) in &gold {
            match predicted.get(k) {
                Some((date, certainty, _, against)) => {
                    s.matched += 1;
                    if let Some(gd) = &ge.date {
                        s.dated += 1;
                        if date_right(gd, date.as_deref()) {
                            s.date_ok += 1;
                        } else {
                            misses.push(format!(
                                "{part} {}/{name}: date {} {}: {:?}, want {gd}",
                                a.lang, ge.place, ge.event, date
                            ));
                        }
                    }
                    if let Some(ga) = ge.against.as_deref().filter(|a| !a.is_empty()) {
                        s.sided += 1;
                        if against == ga {
                            s.against_ok += 1;
                        } else {
                            misses.push(format!(
                                "{part} {}/{name}: against {} {}: {against:?}, want {ga}",
                                a.lang, ge.place, ge.event
                            ));
                        }
                    }
                    if *certainty == ge.certainty {
                        s.certainty_ok += 1;
                    } else {
                        misses.push(format!(
                            "{part} {}/{name}: certainty {} {}: {certainty}, want {}",
                            a.lang, ge.place, ge.event, ge.certainty
                        ));
                    }
                }
                None => misses.push(format!(
                    "{part} {}/{name}: missed {} {} ({})",
                    a.lang, ge.place, ge.event, ge.place_id
                )),
            }
        }
        for (k, (_, _, place, _)) in &predicted {
            if !gold.contains_key(k) {
                misses.push(format!(
                    "{part} {}/{name}: wrong {place} {} ({})",
                    a.lang, k.1, k.0
                ));
            }
        }
        scores.entry((a.lang.clone(), part)).or_default().add(&s);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "split/lang     art gold pred  hit")?;
    let mut total: BTreeMap<&str, Score> = BTreeMap::new();
    for ((lang, part), s) in &scores {
        writeln!(out, "{}", s.line(&format!("{part} {lang}")))?;
        total.entry(part).or_default().add(s);
    }
    for (part, s) in &total {
        writeln!(out, "{}", s.line(&format!("{part} all")))?;
    }
    if show {
        for m in misses.iter().filter(|m| m.starts_with("dev ")) {
            writeln!(out, "{m}")?;
        }
    }
    Ok(())
}
