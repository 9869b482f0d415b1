//! The four ways to get an XR output (one file each), which of them serves a request
//! (`choose.rs`), what exists on the server now (`target.rs`), and the planner that
//! turns a request into RandR requests (`planner.rs`).

pub mod anchored;
mod choose;
pub mod monitor;
mod planner;
pub mod spare_output;
mod target;
pub mod xr_manager;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::geometry::Size;
use crate::randr::layout::Placement;

pub use planner::{plan_disable, plan_enable};
pub use target::XrTarget;

/// Modes xrdisplay creates are named `xr-WIDTHxHEIGHT@REFRESH`, so it can find and
/// remove exactly its own.
pub const MODE_PREFIX: &str = "xr-";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    /// xr-manager if the patched driver runs, else anchored on connected glasses, else a
    /// free spare output, else a monitor.
    #[default]
    Auto,
    /// A virtual output of the patched modesetting driver (XR-Manager).
    XrManager,
    /// A RandR 1.5 monitor over a grown screen area, named by the glasses' connected
    /// output: no CRTC, and GTK/XFCE see it.
    Anchored,
    /// An unused RandR output driven by a free CRTC (GTK/XFCE see it only if connected).
    SpareOutput,
    /// A RandR 1.5 monitor over a grown screen area, with no output (invisible to GTK/XFCE).
    Monitor,
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackendKind::Auto => "auto",
            BackendKind::XrManager => "xr-manager",
            BackendKind::Anchored => "anchored",
            BackendKind::SpareOutput => "spare-output",
            BackendKind::Monitor => "monitor",
        })
    }
}

/// What `enable` was asked to do; also what a pair of glasses' layout remembers of
/// each XR output (`profiles.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnableRequest {
    pub output: String,
    pub size: Size,
    pub refresh: u32,
    pub placement: Placement,
    pub primary: bool,
    pub backend: BackendKind,
    /// The connected output of the glasses, which can anchor the XR monitor: found
    /// anew each time, never remembered.
    #[serde(skip)]
    pub glasses: Option<String>,
}

#[cfg(test)]
mod tests;
