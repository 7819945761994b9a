//! `gazmap extract`: news articles in, dated place events and map layers out.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use clap::Args;

use super::{formats, load_resolver, options, FilterArgs, FormatArg, GlobalArgs, LayerArgs};
use gazmap::export::layers::{ColumnType, Columns, Typing};
use gazmap::export::{LayerBy, LayerRow};
use gazmap::extract::{self, Config, DateValue, Event, EventType, Extraction};
use gazmap::gazetteer::place_values;
use gazmap::io::atomic::{is_special_file, AtomicFile, OutputSet};
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
    /// Language of the articles: auto, en, fr, de or es.
    #[arg(long, value_name = "LANG", default_value = "auto", value_parser = ["auto", "en", "fr", "de", "es"])]
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
    /// Layer files and how places are drawn.
    #[command(flatten)]
    pub layers: LayerArgs,
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
    // the articles' events in order, borrowed: a copy would double the largest part of memory
    let events: Vec<&Event> = extractions.iter().flat_map(|x| &x.events).collect();
    let g = resolver.gazetteer();
    let csv_path = args
        .events_csv
        .clone()
        .unwrap_or_else(|| args.output.join("events.csv"));
    if let Some(m) = &args.mentions {
        if csv_path.as_os_str() != "-" && same_target(&csv_path, m) {
            clap::Error::raw(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "--events-csv and --mentions name the same file {}; give two files\n",
                    m.display()
                ),
            )
            .exit();
        }
    }
    // the layers, and the events CSV and mentions when they go in the same folder, are put
    // in place together; files elsewhere are renamed right after
    let mut set = OutputSet::create(&args.output)
        .with_context(|| format!("writing to {}", args.output.display()))?;
    let mut elsewhere = Vec::new();
    if csv_path.as_os_str() == "-" {
        let stdout = io::stdout();
        extract::write_events_csv(stdout.lock(), g, events.iter().copied())?;
    } else {
        write_output(&mut set, &mut elsewhere, &csv_path, |w| {
            extract::write_events_csv(w, g, events.iter().copied())
        })?;
    }
    if let Some(path) = &args.mentions {
        write_output(&mut set, &mut elsewhere, path, |w| {
            write_mentions(w, &resolver, &extractions)
        })?;
    }
    let layers = write_layers(
        &resolver,
        &events,
        args.layers.geometry.into(),
        &mut set,
        formats(&args.layers.format),
    )?;
    set.commit()
        .with_context(|| format!("writing the layers to {}", args.output.display()))?;
    for f in elsewhere {
        let path = f.path().to_path_buf();
        f.commit()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if !global.quiet {
        for x in &extractions {
            summary(&resolver, x);
        }
        if csv_path.as_os_str() != "-" {
            eprintln!("wrote {} events to {}", events.len(), csv_path.display());
        }
        if args.layers.format.contains(&FormatArg::Geojson) {
            for layer in &layers.layers {
                eprintln!("{:>8}  {}", layer.features, layer.path.display());
            }
        }
        if let Some(h) = &layers.html_path {
            let n: usize = layers.layers.iter().map(|l| l.features).sum();
            eprintln!("{n:>8}  {}", h.display());
        }
        if let Some(g) = &layers.gpkg_path {
            let n: usize = layers.layers.iter().map(|l| l.features).sum();
            eprintln!("{n:>8}  {} ({} tables)", g.display(), layers.layers.len());
        }
        eprintln!(
            "{:>8}  {} (events with no place)",
            layers.unresolved,
            layers.unresolved_path.display()
        );
    }
    Ok(())
}

/// The map layers of the events, one per event type, into the output set.
fn write_layers(
    resolver: &Resolver,
    events: &[&Event],
    draw: gazmap::export::DrawAs,
    set: &mut OutputSet,
    formats: gazmap::export::Formats,
) -> Result<gazmap::export::LayerSummary> {
    let g = resolver.gazetteer();
    // the export writer adds the resolved place's columns and the time columns itself
    let own = [
        "place_id",
        "place_name",
        "kind",
        "admin1",
        "admin2",
        "date_start",
        "date_end",
        "time_precision",
        "time_precision_code",
    ];
    let keep: Vec<usize> = (0..extract::EVENTS_HEADER.len())
        .filter(|&i| !own.contains(&extract::EVENTS_HEADER[i]))
        .collect();
    let header: Vec<String> = keep
        .iter()
        .map(|&i| extract::EVENTS_HEADER[i].to_string())
        .collect();
    let typing = header
        .iter()
        .map(|h| {
            Typing::Fixed(match h.as_str() {
                "confidence" => ColumnType::Real,
                "start" | "end" => ColumnType::Integer,
                _ => ColumnType::Text,
            })
        })
        .collect();
    // each event's row is made when the layers ask for it (they plan, then write), so the
    // rows of every event are never all in memory at once
    let rows = |each: &mut dyn FnMut(&LayerRow<'_>) -> gazmap::Result<()>| {
        events.iter().try_for_each(|e| {
            let rec = e.record(g);
            let date = e.date.map(|d| d.to_string()).unwrap_or_default();
            each(&LayerRow {
                values: keep.iter().map(|&i| rec[i].as_str()).collect(),
                date: &date,
                event: e.event.as_str(),
                resolution: &e.resolution,
            })
        })
    };
    let dir = set.given_dir().to_path_buf();
    gazmap::export::layers::write_layers_with(
        g,
        Columns::new(&header, typing),
        rows,
        LayerBy::Event,
        draw,
        set,
        formats,
    )
    .with_context(|| format!("writing the layers to {}", dir.display()))
}

/// Whether two output paths name the same file (existing or not).
fn same_target(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::canonicalize(parent)
            .ok()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
    };
    match (resolve(a), resolve(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Writes `path` into the output set when it is a file of the set's folder, else into an
/// atomic file (special files, such as a FIFO, directly) committed after the set.
fn write_output(
    set: &mut OutputSet,
    elsewhere: &mut Vec<AtomicFile>,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> gazmap::Result<()>,
) -> Result<()> {
    let in_set = !is_special_file(path)
        && path.file_name().is_some()
        && same_target(&set.final_path("x"), &path.with_file_name("x"));
    if in_set {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let mut f = set.create_file(&name)?;
        write(&mut f).with_context(|| format!("writing {}", path.display()))?;
        f.finish()?;
    } else {
        let mut f =
            AtomicFile::create(path).with_context(|| format!("writing {}", path.display()))?;
        write(&mut f).with_context(|| format!("writing {}", path.display()))?;
        elsewhere.push(f);
    }
    Ok(())
}

fn read_article(path: &str) -> Result<(Vec<u8>, String)> {
    let cap = extract::MAX_ARTICLE_BYTES;
    let mut bytes = Vec::new();
    let (reader, source): (Box<dyn Read>, String) = if path == "-" {
        (Box::new(io::stdin()), "<stdin>".to_string())
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            bail!("{path}: is a directory, expected a plain-text article");
        }
        let f = std::fs::File::open(p).with_context(|| format!("reading {path}"))?;
        (Box::new(f), path.to_string())
    };
    reader
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {source}"))?;
    if bytes.len() as u64 > cap {
        bail!(
            "{source}: longer than {} MiB, far more than a news article (split it into articles)",
            cap >> 20
        );
    }
    Ok((bytes, source))
}

fn write_mentions(w: &mut dyn Write, resolver: &Resolver, xs: &[Extraction]) -> gazmap::Result<()> {
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
        "role",
    ])
    .map_err(err)?;
    for x in xs {
        for m in &x.mentions {
            let r = &m.resolution;
            let best = r.best.as_ref();
            let place = best.map(|b| g.place(b.place));
            let [place_id, place_name, kind, admin1] = {
                use gazmap::gazetteer::PlaceColumn::*;
                place_values([Id, Name, Kind, Admin1], place.as_ref(), None)
            };
            let cands: Vec<&str> = r.candidates.iter().map(|c| g.place(c.place).id).collect();
            csv.write_record([
                x.source.as_str(),
                &m.start.to_string(),
                &m.end.to_string(),
                &m.text,
                m.found.as_str(),
                r.status.as_str(),
                &place_id,
                &place_name,
                &kind,
                &admin1,
                &best.map_or(String::new(), |b| format!("{:.3}", b.score)),
                &m.decided_by,
                &cands.join("|"),
                m.role.as_str(),
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
