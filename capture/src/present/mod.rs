//! Where drawn frames go: an offscreen framebuffer (benchmarks, tests, a PNG of what
//! the glasses show), a borderless window covering the glasses' output on X, or the
//! glasses' output itself through a RandR lease.

mod headless;
mod lease;
mod target;
mod x11;

pub(crate) use headless::Offscreen;
pub(crate) use lease::Lease;
pub use target::{LeaseTarget, Target, Way, WindowTarget};
pub(crate) use x11::Window;
