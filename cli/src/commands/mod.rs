//! One file per subcommand: parse, call the engine, print (text or `--json`).

/// Prints a line to stdout; a closed pipe (`xrdisplay status | head -1`) is not an error.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod bench;
mod completions;
mod config;
mod disable;
mod enable;
mod imu;
mod install;
mod profile;
mod run;
mod snapshot;
mod status;
mod uninstall;
mod view;
mod watch;

use std::path::PathBuf;

use crate::capture::Capture;
use crate::cli::{CaptureArgs, Cli, Command};
use crate::config::{self as cfg, FileConfig};
use crate::exit::{Error, Result};

pub fn run(cli: Cli) -> Result<()> {
    let ctx = Context {
        display: cli.display,
        config_path: cli.config.or_else(cfg::default_path),
    };
    match cli.command {
        Command::Status(args) => status::run(&ctx, &args),
        Command::Snapshot(args) => snapshot::run(&ctx, &args),
        Command::Bench(args) => bench::run(&ctx, &args),
        Command::Run(args) => run::run(&ctx, &args),
        Command::Recenter(args) => view::recenter(&ctx, &args),
        Command::Follow(args) => view::follow(&ctx, &args),
        Command::Curved(args) => view::curved(&ctx, &args),
        Command::Zoom(args) => view::zoom(&ctx, &args),
        Command::Steady(args) => view::steady(&ctx, &args),
        Command::Enable(args) => enable::run(&ctx, &args),
        Command::Disable(args) => disable::run(&ctx, &args),
        Command::Watch(args) => watch::run(&ctx, &args),
        Command::Profile(args) => profile::run(&args),
        Command::Config(args) => config::run(&ctx, &args),
        Command::Completions(args) => completions::run(&args),
        Command::Imu(args) => imu::run(&args),
        Command::Install(args) => install::run(&args),
        Command::Uninstall(args) => uninstall::run(&args),
    }
}

/// What every command shares: where the X server and the configuration are.
pub struct Context {
    pub display: Option<String>,
    pub config_path: Option<PathBuf>,
}

impl Context {
    pub fn file_config(&self) -> Result<FileConfig> {
        match &self.config_path {
            Some(path) => cfg::load(path),
            None => Ok(FileConfig::default()),
        }
    }

    /// The XR output's name: the flag, else the file's, else the default.
    pub fn output_name(&self, flag: &Option<String>) -> Result<String> {
        Ok(match flag {
            Some(name) => name.clone(),
            None => self
                .file_config()?
                .output
                .unwrap_or_else(|| cfg::DEFAULT_OUTPUT.into()),
        })
    }

    /// The output `--output`, `--source` and `--method` ask for, opened for reading.
    pub fn open_capture(&self, args: &CaptureArgs) -> Result<Capture> {
        let name = self.output_name(&args.output)?;
        Capture::open(self.display.as_deref(), name, args.source, args.method)
    }
}

/// Prints `value` as pretty JSON.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::runtime(format!("cannot encode JSON: {e}")))?;
    out!("{text}");
    Ok(())
}
