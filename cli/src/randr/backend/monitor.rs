//! A RandR 1.5 monitor with no CRTC behind it over a grown area of the screen. Works on
//! any X server with RandR 1.5; window managers that read RandR monitors see it, but
//! GTK 3 (and so XFCE) lists only monitors backed by an output with a CRTC.

use crate::randr::state::ScreenState;

/// RandR's monitor requests arrived in 1.5.
pub fn available(state: &ScreenState) -> std::result::Result<(), String> {
    if state.randr_version >= (1, 5) {
        Ok(())
    } else {
        Err(format!(
            "RandR {}.{} has no monitors (needs 1.5)",
            state.randr_version.0, state.randr_version.1
        ))
    }
}

/// Shown wherever a monitor-backend XR output is reported.
pub const GTK_NOTE: &str =
    "a RandR monitor without an output: window managers that read RandR monitors \
     (i3, awesome, bspwm) use it, but GTK 3 and XFCE do not see it";
