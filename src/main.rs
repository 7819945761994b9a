use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = gazmap::cli::Cli::parse();
    match gazmap::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // a closed pipe (gazmap … | head) is not a failure
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("gazmap: error: {err:#}");
            ExitCode::from(1)
        }
    }
}
