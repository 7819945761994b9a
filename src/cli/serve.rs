//! `gazmap serve`: the OpenRefine reconciliation service.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Args;

use super::load_resolver;
use gazmap::serve::{self, ServeOptions};

/// Flags of `gazmap serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (127.0.0.1 serves this machine only; 0.0.0.0 every network).
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one; the address is printed on standard error).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = ServeOptions::default().max_body, value_name = "BYTES")]
    pub max_body: usize,
    /// Most queries in one reconciliation batch (and ids in one extension query).
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_batch: u32,
    /// Longest wait in seconds for a request body to arrive.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub body_timeout: u64,
}

/// Runs `gazmap serve` until interrupted.
pub fn run(global: &super::GlobalArgs, args: &ServeArgs) -> Result<()> {
    let resolver = load_resolver(global)?;
    let places = resolver.gazetteer().len();
    let options = ServeOptions {
        max_body: args.max_body,
        max_batch: args.max_batch as usize,
        threshold: global.threshold,
        body_timeout: Duration::from_secs(args.body_timeout),
        log: !global.quiet,
    };
    let addr = SocketAddr::new(args.host, args.port);
    serve::run(resolver, options, addr, |bound| {
        eprintln!("gazmap: serving {places} places at http://{bound}/reconcile (Ctrl-C stops)");
    })
    .with_context(|| format!("serving on {addr}"))
}
