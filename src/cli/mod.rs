//! Command-line definitions (clap) and the glue from flags to library calls, one module per
//! subcommand.

mod clean;
mod export;
mod extract;
mod gazetteer;
mod import;
mod index;
mod resolve;
#[cfg(feature = "serve")]
mod serve;

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use gazmap::gazetteer::{Gazetteer, Kind};
use gazmap::resolve::{Options, Resolver, DEFAULT_PREFERENCE};

/// Resolve messy place-name spellings against a gazetteer and turn them into map layers.
#[derive(Debug, Parser)]
#[command(name = "gazmap", version, about, max_term_width = 100)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes (before or after the subcommand).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Gazetteer CSV, GeoNames dump (.txt/.zip) or index file (.gzi, from `gazmap index
    /// build`) to use instead of the embedded Afghan one (repeatable, but an index file
    /// goes alone).
    #[arg(long, global = true, value_name = "PATH")]
    pub gazetteer: Vec<PathBuf>,
    /// Least score in [0, 1] for a match.
    #[arg(long, global = true, value_name = "SCORE", value_parser = parse_unit)]
    pub threshold: Option<f64>,
    /// No progress bar or summary on standard error.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Which districts to match: `all`, or `2005` for the 398 of 2005 only (hides the newer
    /// districts, whose rows name the district they were carved from in admin2).
    #[arg(long, global = true, value_name = "SET", default_value = "all", value_parser = ["all", "2005"])]
    pub districts: String,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve place names given as arguments, or one per line on standard input.
    Resolve(resolve::ResolveArgs),
    /// Resolve a column of place names in a CSV file and append the gz_* columns.
    Clean(clean::CleanArgs),
    /// Turn an events CSV into map layers (GeoJSON per layer) and unresolved.csv.
    Export(export::ExportArgs),
    /// Find place mentions in news articles and turn them into dated events and map layers.
    Extract(extract::ExtractArgs),
    /// Turn other sources (a boundaries GeoJSON, a GeoNames dump) into a gazetteer CSV.
    #[command(subcommand)]
    Import(import::Import),
    /// Prebuilt index files that load in milliseconds.
    #[command(subcommand)]
    Index(index::IndexCommand),
    /// What the gazetteer holds (`gazmap gazetteer stats`).
    #[command(subcommand)]
    Gazetteer(gazetteer::GazetteerCommand),
    /// Serve the gazetteer to OpenRefine and other clients (W3C Reconciliation API 0.2).
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// Print a shell completion script (e.g. `gazmap completions bash > /etc/bash_completion.d/gazmap`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `gazmap man | man -l -`.
    Man,
}

/// `--format` values: the files `export` and `extract` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One `<layer>.geojson` per layer.
    Geojson,
    /// One `layers.gpkg` (GeoPackage) with a styled table per layer.
    Gpkg,
    /// One `index.html` map page that opens from disk (built with the `html` feature).
    Html,
}

/// The layer flags `export` and `extract` share.
#[derive(Debug, Args)]
pub struct LayerArgs {
    /// Layer files to write, comma-separated: geojson (a file per layer), gpkg (layers.gpkg),
    /// html (index.html, a map page).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "geojson")]
    pub format: Vec<FormatArg>,
    /// How a district or province is drawn in the layers: its polygon, or its point.
    #[arg(long, value_enum, default_value_t = export::GeometryArg::Polygon)]
    pub geometry: export::GeometryArg,
}

/// The formats named by `--format`.
pub fn formats(list: &[FormatArg]) -> gazmap::export::Formats {
    gazmap::export::Formats {
        geojson: list.contains(&FormatArg::Geojson),
        gpkg: list.contains(&FormatArg::Gpkg),
        html: list.contains(&FormatArg::Html),
    }
}

/// Filters shared by every subcommand that resolves names.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Keep only places in this country (ISO 3166-1 alpha-2).
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Keep only places inside this place (a country, province or district, itself resolved).
    #[arg(long, value_name = "PLACE")]
    pub within: Option<String>,
    /// Keep only places of this kind.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// Kind preference among one name at several levels, comma-separated
    /// [default: district,city,town,village,province,region,country,other].
    #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = parse_kind)]
    pub prefer: Vec<Kind>,
}

/// Output formats of `resolve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// One JSON object per query (JSON Lines).
    Json,
    /// CSV with a header row.
    Csv,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

fn parse_unit(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not a number in [0, 1]")),
    }
}

/// Loads the gazetteers named on the command line, or the embedded one, and indexes them;
/// an index file is opened as it is.
pub fn load_resolver(global: &GlobalArgs) -> Result<Resolver> {
    if global.districts == "2005" {
        let gazetteer = load_gazetteer(&global.gazetteer)?
            .without_newer_districts()
            .context("leaving out the newer districts")?;
        return Resolver::new(gazetteer).context("indexing the gazetteer");
    }
    // SAFETY: gazmap replaces index files by renaming, never rewrites one in place; the
    // README asks users not to change a .gzi another program has open
    let (gazetteer, index) = unsafe { gazmap::index::open_shared(&global.gazetteer, &mut warn) }
        .context("loading the gazetteer")?;
    Ok(Resolver::from_parts(gazetteer, index))
}

/// The places of the gazetteers named on the command line (index files' places included), or
/// the embedded gazetteer.
pub fn load_gazetteer(paths: &[PathBuf]) -> Result<Gazetteer> {
    gazmap::index::load_gazetteer(paths, &mut warn).context("loading the gazetteer")
}

fn warn(message: String) {
    eprintln!("gazmap: warning: {message}");
}

/// Turns filter flags into resolution [`Options`], resolving `--within`.
pub fn options(resolver: &Resolver, global: &GlobalArgs, filters: &FilterArgs) -> Result<Options> {
    let mut o = resolver.filter_options(
        filters.country.as_deref(),
        filters.within.as_deref(),
        filters.kind,
    )?;
    if let Some(t) = global.threshold {
        o.threshold = t;
    }
    if !filters.prefer.is_empty() {
        let mut prefer = filters.prefer.clone();
        prefer.extend(
            DEFAULT_PREFERENCE
                .iter()
                .filter(|k| !filters.prefer.contains(k)),
        );
        o.prefer = prefer;
    }
    Ok(o)
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Resolve(args) => resolve::run(&cli.global, args),
        Command::Export(args) => export::run(&cli.global, args),
        Command::Import(args) => import::run(&cli.global, args),
        Command::Clean(args) => clean::run(&cli.global, args),
        Command::Extract(args) => extract::run(&cli.global, args),
        Command::Index(args) => index::run(&cli.global, args),
        Command::Gazetteer(args) => gazetteer::run(&cli.global, args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&cli.global, args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_complete::generate(*shell, &mut cmd, "gazmap", &mut out);
            std::io::Write::flush(&mut out).context("writing the completion script")
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("writing the manual page")
        }
    }
}
