//! `gazmap extract`: news articles in, dated place events and map layers out.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use clap::Args;

use super::{load_resolver, options, FilterArgs, GlobalArgs};
use gazmap::export::{LayerBy, LayerRow};
use gazmap::extract::{self, Config, DateValue, Event, EventType, Extraction};
use gazmap::io::atomic::{write_file, AtomicFile};
use gazmap::resolve::{Resolver, Status};

/// Flags of `gazmap extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Plain-text articles (UTF-8); `-` reads standard input.
    #[arg(value_name = "ARTICLE", required = true)]
    pub articles: Vec<String>,
    /// Article date (YYYY-MM-DD or YYYY-MM); default: a first line `date: YYYY-MM-DD`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<DateValue>,
    /// Language of the articles: auto, en or fr.
    #[arg(long, value_name = "LANG", default_value = "auto", value_parser = ["auto", "en", "fr"])]
    pub lang: String,
    /// Output folder for the events CSV and the layers.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    pub output: PathBuf,
    /// Where to write the events CSV (`-` for standard output) [default: DIR/events.csv].
    #[arg(long, value_name = "FILE")]
    pub events_csv: Option<PathBuf>,
    /// Also write every place mention found, with how it was resolved, to this CSV.
    #[arg(long, value_name = "FILE")]
    pub mentions: Option<PathBuf>,
    /// Filters.
    #[command(flatten)]
    pub filters: FilterArgs,
}

fn parse_date(s: &str) -> Result<DateValue, String> {
    DateValue::parse(s).ok_or_else(|| format!("{s:?}: expected YYYY-MM-DD or YYYY-MM"))
}

/// Runs `gazmap extract`.
pub fn run(global: &GlobalArgs, args: &ExtractArgs) -> Result<()> {
    let resolver = load_resolver(global)?;
    let config = Config {
        lang: (args.lang != "auto").then(|| args.lang.clone()),
        date: args.date,
        options: options(&resolver, global, &args.filters)?,
    };
    let mut extractions = Vec::new();
    for path in &args.articles {
        let (bytes, source) = read_article(path)?;
        // the library's errors already name the file, line and column
        let x = extract::extract(&resolver, &bytes, &source, &config)?;
        if x.date.is_none() {
            eprintln!("gazmap: warning: {source}: no article date (give --date or a first line `date: YYYY-MM-DD`); dates are left empty");
        }
        extractions.push(x);
    }
    let events: Vec<Event> = extractions
        .iter()
        .flat_map(|x| x.events.iter().cloned())
        .collect();
    let g = resolver.gazetteer();
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let csv_path = args
        .events_csv
        .clone()
        .unwrap_or_else(|| args.output.join("events.csv"));
    if csv_path.as_os_str() == "-" {
        let stdout = io::stdout();
        extract::write_events_csv(stdout.lock(), g, &events)?;
    } else {
        write_atomic(&csv_path, |w| extract::write_events_csv(w, g, &events))?;
    }
    if let Some(path) = &args.mentions {
        write_atomic(path, |w| write_mentions(w, &resolver, &extractions))?;
    }
    let layers = write_layers(&resolver, &events, &args.output)?;
    if !global.quiet {
        for x in &extractions {
            summary(&resolver, x);
        }
        if csv_path.as_os_str() != "-" {
            eprintln!("wrote {} events to {}", events.len(), csv_path.display());
        }
        for layer in &layers.layers {
            eprintln!("{:>8}  {}", layer.features, layer.path.display());
        }
        eprintln!(
            "{:>8}  {} (events with no place)",
            layers.unresolved,
            layers.unresolved_path.display()
        );
    }
    Ok(())
}

/// The map layers of the events, one per event type, in `dir`, through the export writer.
fn write_layers(
    resolver: &Resolver,
    events: &[Event],
    dir: &Path,
) -> Result<gazmap::export::LayerSummary> {
    let g = resolver.gazetteer();
    // the export writer adds the resolved place's columns itself
    let own = ["place_id", "place_name", "kind", "admin1", "admin2"];
    let rows: Vec<LayerRow> = events
        .iter()
        .map(|e| LayerRow {
            properties: extract::EVENTS_HEADER
                .iter()
                .zip(e.record(g))
                .filter(|(h, _)| !own.contains(h))
                .map(|(h, v)| (h.to_string(), v))
                .collect(),
            date: e.date.map(|d| d.to_string()).unwrap_or_default(),
            event: e.event.as_str().to_string(),
            resolution: e.resolution.clone(),
        })
        .collect();
    gazmap::export::write_layers(g, &rows, LayerBy::Event, dir)
        .with_context(|| format!("writing the layers to {}", dir.display()))
}

fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut AtomicFile) -> gazmap::Result<()>,
) -> Result<()> {
    write_file(path, write).with_context(|| format!("writing {}", path.display()))
}

fn read_article(path: &str) -> Result<(Vec<u8>, String)> {
    let mut bytes = Vec::new();
    if path == "-" {
        io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        return Ok((bytes, "<stdin>".to_string()));
    }
    let p = Path::new(path);
    if p.is_dir() {
        bail!("{path}: is a directory, expected a plain-text article");
    }
    bytes = std::fs::read(p).with_context(|| format!("reading {path}"))?;
    Ok((bytes, path.to_string()))
}

fn write_mentions(
    w: &mut impl Write,
    resolver: &Resolver,
    xs: &[Extraction],
) -> gazmap::Result<()> {
    let g = resolver.gazetteer();
    let mut csv = csv::Writer::from_writer(w);
    let err = |e: csv::Error| gazmap::Error::csv("the mentions CSV", e);
    csv.write_record([
        "source",
        "start",
        "end",
        "mention",
        "found",
        "status",
        "place_id",
        "place_name",
        "kind",
        "admin1",
        "score",
        "decided_by",
        "candidates",
    ])
    .map_err(err)?;
    for x in xs {
        for m in &x.mentions {
            let r = &m.resolution;
            let best = r.best.as_ref();
            let place = best.map(|b| g.place(b.place));
            let cands: Vec<&str> = r.candidates.iter().map(|c| g.place(c.place).id).collect();
            csv.write_record([
                x.source.as_str(),
                &m.start.to_string(),
                &m.end.to_string(),
                &m.text,
                m.found.as_str(),
                r.status.as_str(),
                place.map_or("", |p| p.id),
                place.map_or("", |p| p.name),
                place.map_or("", |p| p.kind.as_str()),
                place.map_or("", |p| p.admin1),
                &best.map_or(String::new(), |b| format!("{:.3}", b.score)),
                &m.decided_by,
                &cands.join("|"),
            ])
            .map_err(err)?;
        }
    }
    csv.flush()
        .map_err(|e| gazmap::Error::io("the mentions CSV", e))?;
    Ok(())
}

fn summary(resolver: &Resolver, x: &Extraction) {
    let g = resolver.gazetteer();
    let count = |s: Status| {
        x.mentions
            .iter()
            .filter(|m| m.resolution.status == s)
            .count()
    };
    let date = x.date.map_or("no date".to_string(), |d| d.to_string());
    eprintln!(
        "{}: {} ({date}): {} place mentions, {} resolved ({} provinces/countries used as context), {} ambiguous, {} unresolved",
        x.source,
        x.lang,
        x.mentions.len(),
        count(Status::Matched),
        x.context_mentions(g),
        count(Status::Ambiguous),
        count(Status::Unmatched),
    );
    for m in x
        .mentions
        .iter()
        .filter(|m| m.resolution.status != Status::Matched)
    {
        let names: Vec<String> = m
            .resolution
            .best
            .iter()
            .chain(&m.resolution.candidates)
            .map(|c| {
                let p = g.place(c.place);
                format!("{} ({})", p.name, p.admin1)
            })
            .collect();
        eprintln!(
            "  {} {:?} at byte {}: {}",
            m.resolution.status,
            m.text,
            m.start,
            if names.is_empty() {
                "no candidate".to_string()
            } else {
                names.join(", ")
            }
        );
    }
    let by_type: Vec<String> = EventType::ALL
        .iter()
        .map(|t| (t, x.events.iter().filter(|e| e.event == *t).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{} {n}", t.as_str()))
        .collect();
    eprintln!(
        "  events: {}",
        if by_type.is_empty() {
            "none".to_string()
        } else {
            by_type.join(", ")
        }
    );
}
