//! The helpdesk server binary's library: command line, router and the commands it runs.

pub mod api;
pub mod bench;
pub mod commands;
pub mod config;
pub mod guard;
pub mod live;
pub mod router;

use config::{Cli, LogFormat};
use tracing_subscriber::EnvFilter;

/// Structured logs to stderr; the filter comes from `--log-level` / `LOG_LEVEL`.
pub fn init_logging(cli: &Cli) -> Result<(), String> {
    let filter = EnvFilter::try_new(&cli.log_level)
        .map_err(|e| format!("invalid log level {:?}: {e}", cli.log_level))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    Ok(())
}
