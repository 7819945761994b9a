//! `gazmap index build`: a prebuilt index file that `--gazetteer` opens in milliseconds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::GlobalArgs;
use crate::gazetteer::Gazetteer;
use crate::index::{file, Index};

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
    let gazetteer = super::load_gazetteer(inputs)?;
    let index = Index::build(&gazetteer).context("indexing the gazetteer")?;
    write_index(&args.output, &gazetteer, &index)?;
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

/// Writes an index file, naming it in errors.
pub(super) fn write_index(output: &Path, gazetteer: &Gazetteer, index: &Index) -> Result<()> {
    file::write(output, gazetteer, index)
        .with_context(|| format!("writing the index {}", output.display()))
}
