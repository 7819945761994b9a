//! The gazmap command line: flags parsed by clap, work done by the library.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if is_broken_pipe(&err) {
                // a closed pipe (gazmap … | head) is not a failure
                return ExitCode::SUCCESS;
            }
            eprintln!("gazmap: error: {}", message(&err));
            ExitCode::from(1)
        }
    }
}

/// True when the error or any of its causes is a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(gazmap::error::is_broken_pipe)
}

/// The error and its causes, each cause once: a library error already names its cause in
/// its own message, so a cause whose text ends the message so far is not repeated.
fn message(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if text.ends_with(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
