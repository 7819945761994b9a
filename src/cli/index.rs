//! `gazmap index build`: a prebuilt index file that `--gazetteer` opens in milliseconds.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use super::GlobalArgs;
use gazmap::gazetteer::Gazetteer;
use gazmap::index::{file, Index};

/// What `gazmap index` does.
#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Build an index file (.gzi) from gazetteers (CSV, GeoNames dumps; default: --gazetteer,
    /// else the embedded one).
    Build(BuildArgs),
}

/// Flags of `gazmap index build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Gazetteer CSVs or GeoNames dumps, loaded as one gazetteer.
    #[arg(value_name = "GAZETTEER")]
    pub inputs: Vec<PathBuf>,
    /// The index file to write.
    #[arg(long, short = 'o', value_name = "FILE.gzi")]
    pub output: PathBuf,
}

/// Runs `gazmap index …`.
pub fn run(global: &GlobalArgs, command: &IndexCommand) -> Result<()> {
    match command {
        IndexCommand::Build(args) => build(global, args),
    }
}

fn build(global: &GlobalArgs, args: &BuildArgs) -> Result<()> {
    let start = Instant::now();
    let inputs = if args.inputs.is_empty() {
        &global.gazetteer
    } else {
        &args.inputs
    };
    // a build of millions of names takes minutes: say which step it is at
    let step = spinner(global.quiet);
    let built = (|| {
        step.set_message("loading the gazetteer");
        let gazetteer = super::load_gazetteer(inputs)?;
        step.set_message(format!("indexing {} places", gazetteer.len()));
        let index = Index::build(&gazetteer).context("indexing the gazetteer")?;
        step.set_message(format!("writing {}", args.output.display()));
        write_index(&args.output, &gazetteer, &index)?;
        Ok::<_, anyhow::Error>((gazetteer, index))
    })();
    // cleared on failure too, so that the error is not printed after a stale spinner line
    step.finish_and_clear();
    let (gazetteer, index) = built?;
    if !global.quiet {
        let size = std::fs::metadata(&args.output).map_or(0, |m| m.len());
        eprintln!(
            "gazmap: wrote {}: {} places, {} names, {} keys, {:.1} MB in {:.1} s",
            args.output.display(),
            gazetteer.len(),
            index.len(),
            index.key_count(),
            size as f64 / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// A spinner with a message on standard error when it is a terminal; hidden otherwise.
fn spinner(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar
}

/// Writes an index file, naming it in errors.
pub(super) fn write_index(output: &Path, gazetteer: &Gazetteer, index: &Index) -> Result<()> {
    file::write(output, gazetteer, index)
        .with_context(|| format!("writing the index {}", output.display()))
}
