//! `gazmap import …`: turn other sources into a contract gazetteer CSV.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::GlobalArgs;
use crate::export::atomic::AtomicFile;
use crate::gazetteer::boundaries::{
    boundaries_to_places, places_csv, read_boundaries, ImportOptions,
};
use crate::gazetteer::{Gazetteer, Kind};
use crate::resolve::Resolver;

/// What `gazmap import` imports.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// A boundaries GeoJSON file (geoBoundaries, OCHA COD-AB) → gazetteer CSV with polygons.
    Boundaries(BoundariesArgs),
}

/// Flags of `gazmap import boundaries`.
#[derive(Debug, Args)]
pub struct BoundariesArgs {
    /// Boundaries GeoJSON FeatureCollection in WGS84 lon/lat.
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

/// Runs `gazmap import`.
pub fn run(global: &GlobalArgs, import: &Import) -> Result<()> {
    match import {
        Import::Boundaries(args) => boundaries(global, args),
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
    let reference = if global.gazetteer.is_empty() {
        Gazetteer::embedded().context("loading the embedded gazetteer")?
    } else {
        Gazetteer::from_csv_paths(&global.gazetteer).context("loading the gazetteer")?
    };
    let resolver = Resolver::new(reference);
    let options = ImportOptions {
        kind: args.kind.unwrap_or(if parents.is_some() {
            Kind::District
        } else {
            Kind::Province
        }),
        country: args.country.clone(),
        threshold: global.threshold,
        file_stem: args
            .input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let report = boundaries_to_places(&features, parents.as_deref(), &resolver, &options)
        .with_context(|| format!("importing {}", args.input.display()))?;
    let bytes = places_csv(&report.places)?;
    if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
    } else {
        let mut f = AtomicFile::create(&args.output)?;
        f.write_all(&bytes)
            .with_context(|| format!("writing {}", args.output.display()))?;
        f.commit()?;
    }
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
