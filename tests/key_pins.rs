//! The keys index files are built from are pinned: a change to what `fold`, `skeleton`,
//! `consonants` or `bare_name` return fails here until `KEY_RULES_VERSION` is raised, so an
//! index file built with other keys is refused rather than answering wrongly.
//!
//! After raising the version on purpose, rewrite the pins with
//! `GAZMAP_BLESS_KEYS=1 cargo test --test tests key_pins`.

use std::fmt::Write as _;
use std::path::Path;

use gazmap::normalize::{bare_name, consonants, fold, skeleton, KEY_RULES_VERSION};
use gazmap::Gazetteer;

const PINS: &str = "tests/data/key-pins.tsv";
const HEADER: &str = "# name\tfold\tskeleton\tconsonants\tbare_name";

/// One probe name's keys as a pins line.
fn keys_line(name: &str) -> String {
    let bare = bare_name(name).unwrap_or_default();
    format!(
        "{name}\t{}\t{}\t{}\t{bare}",
        fold(name),
        skeleton(name),
        consonants(&skeleton(name))
    )
}

/// Probe names for a new pins file: a spread of the embedded gazetteer's names and alternate
/// names in every script, plus designated forms.
fn fresh_probe_names() -> Vec<String> {
    let g = Gazetteer::embedded().expect("embedded gazetteer");
    let mut names: Vec<String> = Vec::new();
    for (i, p) in g.places().enumerate() {
        if i % 3 == 0 {
            names.push(p.name.to_string());
        }
        for (j, alt) in p.alt_names().enumerate() {
            if (i + j) % 11 == 0 {
                names.push(alt.to_string());
            }
        }
    }
    names.extend(
        [
            "Andarab district",
            "ولسوالی اندراب",
            "la province du Panjshir",
            "Provinz Kundus",
            "Kunduz city",
            "KUNDUZ - CENTER OF KUNDUZ",
        ]
        .map(String::from),
    );
    names.retain(|n| !n.contains(['\t', '\n', '\r']));
    names.sort();
    names.dedup();
    names
}

fn pins_text(version: u32, names: &[String]) -> String {
    let mut text = format!("# KEY_RULES_VERSION {version}\n{HEADER}\n");
    for name in names {
        writeln!(text, "{}", keys_line(name)).expect("write to string");
    }
    text
}

#[test]
fn key_pins_hold_until_the_key_rules_version_is_raised() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PINS);
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    let mut lines = pinned.lines();
    let pinned_version: Option<u32> = lines
        .next()
        .and_then(|l| l.strip_prefix("# KEY_RULES_VERSION "))
        .and_then(|v| v.trim().parse().ok());
    let names: Vec<String> = lines
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect();
    let bless = std::env::var_os("GAZMAP_BLESS_KEYS").is_some();
    let names = if names.is_empty() {
        fresh_probe_names()
    } else {
        names
    };
    let now = pins_text(KEY_RULES_VERSION, &names);
    let unchanged_keys =
        pinned_version.is_some() && pins_text(pinned_version.unwrap_or(0), &names) == pinned;
    if bless {
        assert!(
            unchanged_keys || pinned_version.is_none_or(|v| KEY_RULES_VERSION > v),
            "keys changed but KEY_RULES_VERSION is still {KEY_RULES_VERSION}: raise it first"
        );
        std::fs::write(&path, &now).expect("write pins");
        return;
    }
    assert!(
        pinned_version.is_some(),
        "{PINS} is missing: write it with GAZMAP_BLESS_KEYS=1"
    );
    let changed: Vec<String> = pinned
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b && !a.starts_with('#'))
        .take(10)
        .map(|(a, b)| format!("  pinned: {a}\n  now:    {b}"))
        .collect();
    assert!(
        changed.is_empty(),
        "key rules changed (first differences below): raise KEY_RULES_VERSION in \
         src/normalize/mod.rs, then run GAZMAP_BLESS_KEYS=1 cargo test --test tests key_pins\n{}",
        changed.join("\n")
    );
    assert_eq!(
        pinned_version,
        Some(KEY_RULES_VERSION),
        "KEY_RULES_VERSION was raised: rewrite the pins with GAZMAP_BLESS_KEYS=1"
    );
    assert!(names.len() >= 300, "only {} probe names", names.len());
}
