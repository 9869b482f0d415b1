//! Where drawn frames go: an offscreen framebuffer (benchmarks, tests, a PNG of what
//! the glasses show), a borderless window covering the glasses' output on X, or the
//! glasses' output itself through a RandR lease.

mod headless;
mod lease;
mod x11;

pub(crate) use headless::Offscreen;
pub(crate) use lease::Lease;
pub(crate) use x11::Window;

/// What a [`crate::gpu::Renderer`] draws into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An offscreen framebuffer of this size; nothing is shown.
    Headless { size: (u32, u32) },
    /// An override-redirect window with no border covering `rect` (x, y, width,
    /// height in root-window pixels: the glasses' output) on `display` (`None`:
    /// `$DISPLAY`). Frames are swapped with vsync.
    X11 {
        display: Option<String>,
        rect: (i32, i32, u32, u32),
    },
    /// The RandR output `output` leased with CRTC `crtc` on `display`, showing its
    /// mode `mode` (`size` pixels); frames are page-flipped with vsync.
    Lease {
        display: Option<String>,
        output: u32,
        crtc: u32,
        mode: u32,
        size: (u32, u32),
    },
}

impl Target {
    /// The size of what is drawn, in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Target::Headless { size } => *size,
            Target::X11 { rect, .. } => (rect.2, rect.3),
            Target::Lease { size, .. } => *size,
        }
    }
}
