//! The one description of where drawn frames go.

use xrdisplay_model::Rect;

/// The three ways frames are shown, each holding what that way needs. [`Target`]
/// fills them with descriptions; the renderer fills the same three with the live
/// window, framebuffer or scanout buffers, so a way is added or changed in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Way<Offscreen, Window, Lease> {
    /// An offscreen framebuffer; nothing is shown (benchmarks, tests, a PNG).
    Offscreen(Offscreen),
    /// A borderless window covering the glasses' output.
    Window(Window),
    /// The glasses' output itself, through a RandR lease.
    Lease(Lease),
}

/// Where a [`crate::gpu::Renderer`] draws: an offscreen framebuffer of this size, a
/// window, or a leased output.
pub type Target = Way<(u32, u32), WindowTarget, LeaseTarget>;

/// An override-redirect window with no border covering `rect` (in root-window pixels:
/// the glasses' output) on `display` (`None`: `$DISPLAY`). Frames are swapped with
/// vsync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowTarget {
    pub display: Option<String>,
    pub rect: Rect,
}

/// The RandR output `output` leased with CRTC `crtc` on `display`, showing its mode
/// `mode` (`size` pixels); frames are page-flipped with vsync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseTarget {
    pub display: Option<String>,
    pub output: u32,
    pub crtc: u32,
    pub mode: u32,
    pub size: (u32, u32),
}

impl Target {
    /// The size of what is drawn, in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Target::Offscreen(size) => *size,
            Target::Window(window) => window.rect.size(),
            Target::Lease(lease) => lease.size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_draws_at_its_own_size() {
        let window = Target::Window(WindowTarget {
            display: None,
            rect: Rect::new(1920, 0, 1280, 720),
        });
        let lease = Target::Lease(LeaseTarget {
            display: None,
            output: 1,
            crtc: 2,
            mode: 3,
            size: (3840, 1080),
        });
        assert_eq!(Target::Offscreen((640, 480)).size(), (640, 480));
        assert_eq!(window.size(), (1280, 720));
        assert_eq!(lease.size(), (3840, 1080));
    }
}
