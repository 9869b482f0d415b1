//! Where the user asked the loop to show its picture.

use crate::Choice;

/// Where the loop shows its picture, as `--present` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresentChoice {
    Auto,
    Window,
    None,
    Lease,
}

impl Choice for PresentChoice {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Self::Auto,
            "auto",
            "A window on the glasses found by their EDID (or on --present-on); a lease when \
             they are marked non-desktop",
        ),
        (
            Self::Window,
            "window",
            "A borderless window covering an output (--present-on, else the glasses)",
        ),
        (
            Self::None,
            "none",
            "Offscreen, at --refresh (benchmarks, tests, --save-frame)",
        ),
        (
            Self::Lease,
            "lease",
            "A RandR lease of the output (glasses marked non-desktop, or any output that is \
             off): xrdisplay sets its mode and shows frames by page flips",
        ),
    ];
}
crate::choice_traits!(PresentChoice);
