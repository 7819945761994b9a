//! `gazmap import`: other gazetteer formats into the gazetteer CSV contract.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use super::GlobalArgs;
use crate::export::atomic::AtomicFile;
use crate::gazetteer::geonames::{self, ImportOptions};
use crate::gazetteer::write_csv;

/// Flags of `gazmap import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The source format.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// The formats `gazmap import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A GeoNames dump (AF.txt, cities500.txt, allCountries.txt; plain or .zip).
    Geonames(GeonamesArgs),
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
    /// Output gazetteer CSV (`-` for standard output).
    #[arg(short, long, value_name = "OUT.csv", default_value = "-")]
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
pub fn run(global: &GlobalArgs, args: &ImportArgs) -> Result<()> {
    match &args.source {
        ImportSource::Geonames(a) => run_geonames(global, a),
    }
}

fn run_geonames(global: &GlobalArgs, args: &GeonamesArgs) -> Result<()> {
    let options = ImportOptions {
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
    let imported = geonames::import(&args.dump, &options, &mut progress)
        .with_context(|| format!("importing {}", args.dump.display()))?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout {
        let stdout = io::stdout();
        let mut lock = stdout.lock();
        write_csv(&imported.places, &mut lock, "<stdout>")?;
        lock.flush()?;
    } else {
        let mut file = AtomicFile::create(&args.output)
            .with_context(|| format!("writing {}", args.output.display()))?;
        write_csv(
            &imported.places,
            &mut file,
            &args.output.display().to_string(),
        )?;
        file.commit()
            .with_context(|| format!("writing {}", args.output.display()))?;
    }
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for p in imported.problems.iter().take(SHOWN_PROBLEMS) {
        writeln!(err, "gazmap: warning: skipped {p}")?;
    }
    if imported.problems.len() > SHOWN_PROBLEMS {
        writeln!(
            err,
            "gazmap: warning: … and {} more malformed lines (use --strict to stop at the first)",
            imported.problems.len() - SHOWN_PROBLEMS
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
