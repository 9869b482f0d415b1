//! How `enable` gets an XR output.

use crate::Choice;

/// The way to get an XR output, as `--backend` and the `backend` key name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    #[default]
    Auto,
    XrManager,
    Anchored,
    SpareOutput,
    Monitor,
}

impl Choice for BackendKind {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Self::Auto,
            "auto",
            "xr-manager if the patched driver runs, else anchored on connected glasses, else \
             a free spare output, else a monitor",
        ),
        (
            Self::XrManager,
            "xr-manager",
            "A virtual output of the patched modesetting driver (XR-Manager)",
        ),
        (
            Self::Anchored,
            "anchored",
            "A RandR 1.5 monitor over a grown screen area, named by the glasses' connected \
             output: no CRTC, and GTK/XFCE see it",
        ),
        (
            Self::SpareOutput,
            "spare-output",
            "An unused RandR output driven by a free CRTC (GTK/XFCE see it only if connected)",
        ),
        (
            Self::Monitor,
            "monitor",
            "A RandR 1.5 monitor over a grown screen area, with no output (invisible to \
             GTK/XFCE)",
        ),
    ];
}
crate::choice_traits!(BackendKind);
