//! `xrdisplay`: create, place and remove a virtual XR monitor on an X11 desktop.

mod capture;
mod cli;
mod commands;
mod config;
mod desktop;
mod docs;
mod exit;
mod geometry;
mod glasses;
mod interrupt;
mod pidlock;
mod pipeline;
mod profiles;
mod randr;
mod runtime;
mod windows;
mod xdg;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            eprintln!("xrdisplay: {}", one_line(&e.render().to_string()));
            return ExitCode::from(exit::Kind::Usage.exit_code());
        }
    };
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xrdisplay: {e}");
            ExitCode::from(e.kind.exit_code())
        }
    }
}

/// clap's usage error (and its tip, if any) on one line.
fn one_line(message: &str) -> String {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    match lines.find(|l| l.starts_with("tip:")) {
        Some(tip) => format!("{first} ({tip})"),
        None => first.to_string(),
    }
}
