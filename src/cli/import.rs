//! `gazmap import …`: turn other sources into a contract gazetteer CSV.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use super::GlobalArgs;
use gazmap::gazetteer::geonames::{self, ImportOptions as GeonamesOptions};
use gazmap::gazetteer::{write_csv, Gazetteer, Kind};
use gazmap::import::boundaries::{boundaries_to_places, read_boundaries, ImportOptions};
use gazmap::index::Index;
use gazmap::io::atomic::write_file;

/// What `gazmap import` imports.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// A boundaries GeoJSON file (geoBoundaries, OCHA COD-AB) → gazetteer CSV with polygons.
    Boundaries(BoundariesArgs),
    /// A GeoNames dump (AF.txt, cities500.txt, allCountries.txt; plain or .zip).
    Geonames(GeonamesArgs),
}

/// Flags of `gazmap import boundaries`.
#[derive(Debug, Args)]
pub struct BoundariesArgs {
    /// Boundaries GeoJSON FeatureCollection in WGS84 lon/lat (`-` for standard input).
    #[arg(value_name = "FILE.geojson")]
    pub input: PathBuf,
    /// Property holding each feature's name (geoBoundaries: shapeName; COD-AB: ADM2_EN).
    #[arg(long, value_name = "FIELD")]
    pub name_field: String,
    /// Parent boundaries (provinces): each feature's admin1 is the parent containing it.
    #[arg(long, value_name = "FILE.geojson", requires = "parent_name_field")]
    pub parents: Option<PathBuf>,
    /// Property holding each parent's name.
    #[arg(long, value_name = "FIELD", requires = "parents")]
    pub parent_name_field: Option<String>,
    /// Kind of the imported places [default: district with --parents, else province].
    #[arg(long, value_name = "KIND", value_parser = super::parse_kind)]
    pub kind: Option<Kind>,
    /// ISO country code [default: the country of the matching places of the gazetteer].
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Gazetteer CSV to write (`-` for standard output).
    #[arg(long, short = 'o', value_name = "GAZETTEER.csv")]
    pub output: PathBuf,
}

/// Flags of `gazmap import geonames`.
#[derive(Debug, Args)]
pub struct GeonamesArgs {
    /// The dump: tab-separated, 19 columns, no header (plain or .zip).
    #[arg(value_name = "DUMP")]
    pub dump: PathBuf,
    /// alternateNamesV2.txt (or .zip); replaces the dump's alternatenames column.
    #[arg(long, value_name = "FILE")]
    pub alternate_names: Option<PathBuf>,
    /// admin1CodesASCII.txt: province names by code.
    #[arg(long, value_name = "FILE")]
    pub admin1: Option<PathBuf>,
    /// admin2Codes.txt: district names by code.
    #[arg(long, value_name = "FILE")]
    pub admin2: Option<PathBuf>,
    /// Feature classes to keep, comma-separated (A, H, L, P, R, S, T, U, V) [default: all].
    #[arg(long, value_name = "CLASSES", value_delimiter = ',', value_parser = parse_class)]
    pub feature_classes: Vec<char>,
    /// Fail on the first malformed line instead of reporting it and going on.
    #[arg(long)]
    pub strict: bool,
    /// Output gazetteer CSV (`-` for standard output), or an index file when it ends in
    /// `.gzi`.
    #[arg(short, long, value_name = "OUT.csv|OUT.gzi", default_value = "-")]
    pub output: PathBuf,
}

fn parse_class(s: &str) -> Result<char, String> {
    let t = s.trim().to_ascii_uppercase();
    match t.as_str() {
        "A" | "H" | "L" | "P" | "R" | "S" | "T" | "U" | "V" => Ok(t.chars().next().unwrap_or('A')),
        _ => Err(format!(
            "{s:?} is not a GeoNames feature class (A, H, L, P, R, S, T, U, V)"
        )),
    }
}

/// Problems printed one by one before the rest are only counted.
const SHOWN_PROBLEMS: usize = 20;

/// Runs `gazmap import`.
pub fn run(global: &GlobalArgs, import: &Import) -> Result<()> {
    match import {
        Import::Boundaries(args) => boundaries(global, args),
        Import::Geonames(args) => run_geonames(global, args),
    }
}

fn boundaries(global: &GlobalArgs, args: &BoundariesArgs) -> Result<()> {
    if let Some(cc) = &args.country {
        anyhow::ensure!(
            cc.len() == 2 && cc.bytes().all(|b| b.is_ascii_alphabetic()),
            "--country {cc:?}: expected an ISO 3166-1 alpha-2 code such as AF"
        );
    }
    let features = read_boundaries(&args.input, &args.name_field)?;
    let parents = match (&args.parents, &args.parent_name_field) {
        (Some(p), Some(f)) => Some(read_boundaries(p, f)?),
        _ => None,
    };
    // the reference whose alternate names are merged: --gazetteer, or the embedded one
    let resolver = super::load_resolver(global)?;
    let options = ImportOptions {
        kind: args.kind.unwrap_or(if parents.is_some() {
            Kind::District
        } else {
            Kind::Province
        }),
        country: args.country.clone(),
        threshold: global.threshold,
        file_stem: if args.input.as_os_str() == "-" {
            "stdin".to_string()
        } else {
            args.input
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        },
    };
    let report = boundaries_to_places(&features, parents.as_deref(), &resolver, &options)
        .with_context(|| format!("importing {}", args.input.display()))?;
    write_places(&report.places, &args.output)?;
    if !global.quiet {
        let n = report.places.len();
        eprintln!(
            "gazmap: {n} places ({}) from {} → {}; alternate names merged for {} of {n}",
            options.kind,
            args.input.display(),
            args.output.display(),
            report.merged,
        );
        if !report.nearest_parent.is_empty() {
            eprintln!(
                "  {} outside every parent polygon, given the nearest: {}",
                report.nearest_parent.len(),
                report.nearest_parent.join("; ")
            );
        }
        if !report.unmerged.is_empty() {
            eprintln!("  no alternate names for {}:", report.unmerged.len());
            for u in &report.unmerged {
                eprintln!("    {u}");
            }
        }
    }
    Ok(())
}

fn run_geonames(global: &GlobalArgs, args: &GeonamesArgs) -> Result<()> {
    let options = GeonamesOptions {
        alternate_names: args.alternate_names.clone(),
        admin1: args.admin1.clone(),
        admin2: args.admin2.clone(),
        feature_classes: args.feature_classes.clone(),
        strict: args.strict,
    };
    let bar = progress_bar(global.quiet);
    let mut progress = |name: &str, done: u64, total: u64| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
            if bar.message() != name {
                bar.set_message(name.to_string());
            }
        }
    };
    let mut imported = geonames::import(&args.dump, &options, &mut progress)
        .with_context(|| format!("importing {}", args.dump.display()))?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let to_stdout = args.output.as_os_str() == "-";
    if args.output.extension().is_some_and(|e| e == "gzi") {
        // the places are not needed again: moved, not copied (a world dump is large)
        let gazetteer = Gazetteer::from_places(std::mem::take(&mut imported.places))
            .context("loading the imported places")?;
        let index = Index::build(&gazetteer).context("indexing the imported places")?;
        super::index::write_index(&args.output, &gazetteer, &index)?;
    } else {
        write_places(&imported.places, &args.output)?;
    }
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for p in imported.problems.iter().take(SHOWN_PROBLEMS) {
        writeln!(err, "gazmap: warning: skipped {p}")?;
    }
    if imported.stats.bad_lines > SHOWN_PROBLEMS as u64 {
        writeln!(
            err,
            "gazmap: warning: … and {} more malformed lines (use --strict to stop at the first)",
            imported.stats.bad_lines - SHOWN_PROBLEMS as u64
        )?;
    }
    if !global.quiet {
        let s = &imported.stats;
        let into = if to_stdout {
            String::new()
        } else {
            format!(" into {}", args.output.display())
        };
        writeln!(
            err,
            "gazmap: imported {} places with {} alternate names from {} lines{into}",
            s.places, s.alt_names, s.lines
        )?;
        let skipped: Vec<String> = [
            (s.bad_lines, "malformed lines"),
            (s.other_class, "lines of other feature classes"),
            (s.alt_pseudo, "link/code pseudo-names"),
            (s.alt_colloquial, "colloquial names"),
            (s.alt_other_places, "alternate names of places not imported"),
            (s.alt_unusable, "names containing '|'"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !skipped.is_empty() {
            writeln!(err, "gazmap: skipped {}", skipped.join(", "))?;
        }
        if s.unnamed_admin_codes > 0 {
            writeln!(
                err,
                "gazmap: {} places have an admin1/admin2 code with no name in the dump or the \
                 code files; their admin1/admin2 are left empty",
                s.unnamed_admin_codes
            )?;
        }
    }
    Ok(())
}

/// A byte progress bar on standard error, when it is a terminal and not `--quiet`.
fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(1);
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

/// Writes places as gazetteer CSV to `output` (atomically) or to standard output for `-`.
fn write_places(places: &[gazmap::gazetteer::Place], output: &std::path::Path) -> Result<()> {
    if output.as_os_str() == "-" {
        let mut out = io::stdout().lock();
        write_csv(places, &mut out, "<stdout>")?;
        out.flush()?;
    } else {
        let dest = output.display().to_string();
        write_file(output, |f| write_csv(places, f, &dest))
            .with_context(|| format!("writing {dest}"))?;
    }
    Ok(())
}
