//! Whether `enable` and `disable` keep XFCE's display profile in step.

use crate::Choice;

/// When XFCE's display profile is updated, as `--xfce` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XfceMode {
    #[default]
    Auto,
    On,
    Off,
}

impl Choice for XfceMode {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Self::Auto,
            "auto",
            "Only inside an XFCE session (XDG_CURRENT_DESKTOP names XFCE) with xfconf reachable",
        ),
        (
            Self::On,
            "on",
            "Always; failing to reach xfconf is an error",
        ),
        (Self::Off, "off", "Never touch XFCE's settings"),
    ];
}
crate::choice_traits!(XfceMode);
