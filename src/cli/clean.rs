//! `gazmap clean`: a CSV column of names in, the same CSV with the `gz_*` columns out.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{load_resolver, options, FilterArgs, GlobalArgs};
use gazmap::clean::{clean, CleanOptions, ColumnRef, Event, OutputEncoding, Summary};
use gazmap::io::atomic::AtomicFile;
use gazmap::io::input::{self, InputOptions, SourceEncoding};

/// Flags of `gazmap clean`.
#[derive(Debug, Args)]
pub struct CleanArgs {
    /// The CSV file to clean, or `-` for standard input.
    #[arg(value_name = "INPUT.csv")]
    pub input: String,
    /// The column holding the names: its header name or its 1-based number.
    #[arg(long, short = 'c', value_name = "COL")]
    pub column: String,
    /// Where to write the cleaned CSV (`-`: standard output).
    #[arg(long, short = 'o', value_name = "OUT.csv", default_value = "-")]
    pub output: String,
    /// Field delimiter (`,`, `;`, `tab`, or any one ASCII character) [default: sniffed].
    #[arg(long, short = 'd', value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Encoding of the input (utf-8, utf-16le, utf-16be, windows-1252) [default: detected].
    #[arg(long, value_name = "ENC")]
    pub encoding: Option<SourceEncoding>,
    /// Encoding of the output: the input's (BOM kept) or UTF-8.
    #[arg(long, value_enum, value_name = "ENC", default_value_t = OutEnc::Input)]
    pub output_encoding: OutEnc,
    /// Prefix of the appended columns.
    #[arg(long, value_name = "PREFIX", default_value = "gz_")]
    pub prefix: String,
    /// Leave out malformed rows (listed on standard error) instead of stopping at the first.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Worker threads for resolving (0: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Filters.
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// Output encodings of `clean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutEnc {
    /// The input's encoding, with its byte-order mark if it had one.
    Input,
    /// UTF-8 without byte-order mark.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "{s:?} is not a delimiter: give one ASCII character such as , or ; or the word tab"
        )),
    }
}

/// Runs `gazmap clean`.
pub fn run(global: &GlobalArgs, args: &CleanArgs) -> Result<()> {
    let resolver = load_resolver(global)?;
    let opts = options(&resolver, global, &args.filters)?;
    let input = input::open(
        &args.input,
        &InputOptions {
            delimiter: args.delimiter,
            encoding: args.encoding,
        },
    )?;
    let detected = input.describe();
    let mut clean_opts = CleanOptions::new(ColumnRef::Name(args.column.clone()));
    clean_opts.prefix = args.prefix.clone();
    clean_opts.skip_bad_rows = args.skip_bad_rows;
    clean_opts.threads = capped_threads(args.threads);
    clean_opts.output_encoding = match args.output_encoding {
        OutEnc::Input => OutputEncoding::Input,
        OutEnc::Utf8 => OutputEncoding::Utf8,
    };

    let bar = progress_bar(global.quiet, input.len);
    let bytes_read = input.bytes_read.clone();
    let source = input.source_name.clone();
    // skipped rows are always listed, as they come: nothing the user gave is dropped silently
    let mut on_progress = |e: Event| match e {
        Event::Progress { rows } => {
            bar.set_position(bytes_read.load(Ordering::Relaxed));
            bar.set_message(format!("{rows} rows"));
        }
        Event::BadRow(bad) => bar.suspend(|| {
            eprintln!(
                "gazmap: warning: {source}:{}: row left out: {}",
                bad.line, bad.message
            )
        }),
    };
    // the bar is cleared whether or not the run succeeded
    let run = |out: &mut dyn Write| {
        let s = clean(input, out, &resolver, &opts, &clean_opts, &mut on_progress);
        bar.finish_and_clear();
        s
    };
    let summary = if args.output == "-" {
        let stdout = io::stdout();
        let mut out = io::BufWriter::with_capacity(256 * 1024, stdout.lock());
        let s = run(&mut out)?;
        out.flush().context("writing standard output")?;
        s
    } else {
        let path = PathBuf::from(&args.output);
        let mut out = AtomicFile::create(&path)?;
        let s = run(&mut out).with_context(|| format!("nothing written to {}", path.display()))?;
        out.commit()?;
        s
    };
    let mut detected = detected;
    if let Some(area) = opts.within {
        let p = resolver.gazetteer().place(area);
        detected.push_str(&format!("; within {} ({}, {})", p.name, p.kind, p.id));
    }
    report(global.quiet, &summary, &detected);
    Ok(())
}

pub(crate) fn progress_bar(quiet: bool, len: Option<u64>) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let style = match len {
        Some(_) => {
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} (eta {eta})"
        }
        None => "{spinner} [{elapsed_precise}] {bytes} {msg}",
    };
    if let Ok(style) = ProgressStyle::with_template(style) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn report(quiet: bool, s: &Summary, detected: &str) {
    if quiet {
        return;
    }
    let mut line = format!(
        "gazmap clean: {} rows: {} matched, {} ambiguous, {} unmatched",
        s.rows, s.matched, s.ambiguous, s.unmatched
    );
    if s.bad_rows > 0 {
        line.push_str(&format!(", {} malformed rows left out", s.bad_rows));
    }
    if s.blank_lines > 0 {
        line.push_str(&format!(", {} blank lines kept", s.blank_lines));
    }
    line.push_str(&format!(
        "; {} distinct names resolved in {:.2} s ({}; names from column {} {:?})",
        s.resolved_names, s.seconds, detected, s.column.0, s.column.1
    ));
    eprintln!("{line}");
}

/// Most worker threads per core: more only add switching (and 100,000 threads take minutes
/// to start).
const MAX_THREADS_PER_CORE: usize = 4;

/// `--threads`, at most [`MAX_THREADS_PER_CORE`] per core, with a warning when capped.
fn capped_threads(asked: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = cores * MAX_THREADS_PER_CORE;
    if asked > cap {
        eprintln!(
            "gazmap: warning: --threads {asked}: using {cap} ({MAX_THREADS_PER_CORE} per core, \
             {cores} cores)"
        );
        return cap;
    }
    asked
}
