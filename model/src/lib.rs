//! The values every layer of xrdisplay shares: the command line and the configuration
//! file parse into them, and the RandR planner, the loop and the capture library take
//! them. They hold no I/O and know nothing of clap, X or DRM, so a change of flags
//! never reaches an engine and an engine can be built and tested without the CLI.

mod backend;
mod capture;
mod choice;
mod follow;
mod pose_source;
mod present;
mod rect;
mod view;
mod xfce;
mod zoom;

pub use backend::BackendKind;
pub use capture::{CaptureMethod, SourceChoice};
pub use choice::Choice;
pub use follow::Follow;
pub use pose_source::ImuChoice;
pub use present::PresentChoice;
pub use rect::Rect;
pub use view::{ViewConfig, EYE_OFFSET_RANGE, FOV_RANGE};
pub use xfce::XfceMode;
pub use zoom::{Zoom, ZOOM_RANGE};

#[doc(hidden)]
pub use serde as __serde;
