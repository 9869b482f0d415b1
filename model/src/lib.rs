//! The values every layer of xrdisplay shares: the command line and the configuration
//! file parse into them, and the RandR planner, the loop and the capture library take
//! them. They hold no I/O and know nothing of clap, X or DRM, so a change of flags
//! never reaches an engine and an engine can be built and tested without the CLI.

mod capture;
mod choice;
mod rect;

pub use capture::{CaptureMethod, SourceChoice};
pub use choice::Choice;
pub use rect::Rect;

#[doc(hidden)]
pub use serde as __serde;
