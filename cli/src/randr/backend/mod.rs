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

use serde::{Deserialize, Serialize};

use crate::geometry::Size;
use crate::randr::layout::Placement;
use xrdisplay_model::BackendKind;

pub use planner::{plan_disable, plan_enable};
pub use target::XrTarget;

/// Modes xrdisplay creates are named `xr-WIDTHxHEIGHT@REFRESH`, so it can find and
/// remove exactly its own.
pub const MODE_PREFIX: &str = "xr-";

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
