//! A RandR 1.5 monitor over a grown area of the screen whose output list names the
//! glasses' own connected output. GTK 3 lists a monitor when its first output is
//! connected, whatever CRTC shows the area, so XFCE places windows, panels and wallpaper
//! on it, and no CRTC or mode is spent on it. The glasses' own area stops being a GTK
//! monitor (an output belongs to one monitor at most), which is right: the render loop's
//! window covers it. One connected output anchors one monitor.

use crate::exit::{Error, Result};
use crate::randr::backend::{monitor, spare_output};
use crate::randr::state::{Monitor, ScreenState};

/// Whether a client-declared monitor with one output is anchored on it, rather than an
/// alias naming a spare output that xrdisplay drives at the monitor's rectangle.
pub fn is_anchored(state: &ScreenState, monitor: &Monitor) -> bool {
    let [id] = monitor.outputs.as_slice() else {
        return false;
    };
    let Some(output) = state.output_by_id(*id) else {
        return false;
    };
    let shows_the_monitor = state
        .active_crtc_of(output)
        .is_some_and(|c| c.rect() == monitor.rect);
    output.connected && !shows_the_monitor && !spare_output::driven_by_us(state, output)
}

/// The output to anchor the monitor `name` on: the glasses' output, if it is connected,
/// can show a desktop, and anchors no other monitor.
pub fn anchor_for(state: &ScreenState, glasses: Option<&str>, name: &str) -> Result<String> {
    monitor::available(state)
        .map_err(|why| Error::unsupported(format!("anchored backend: {why}")))?;
    let glasses = glasses.ok_or_else(|| {
        Error::unsupported(
            "anchored backend: no connected XR glasses (found by the monitor name in their EDID)",
        )
    })?;
    let output = state
        .output(glasses)
        .filter(|o| o.connected && !o.non_desktop)
        .ok_or_else(|| {
            Error::unsupported(format!(
                "anchored backend: the glasses' output {glasses} is not a connected desktop output"
            ))
        })?;
    let taken = state
        .monitors
        .iter()
        .find(|m| !m.automatic && m.name != name && m.outputs.contains(&output.id));
    if let Some(other) = taken {
        return Err(Error::unsupported(format!(
            "anchored backend: {glasses} already anchors {} (an output names one monitor only); \
             on a stock driver further XR screens need a spare output, which GTK/XFCE see only if connected",
            other.name
        )));
    }
    Ok(output.name.clone())
}

/// Shown wherever an anchored XR output is reported.
pub fn gtk_note(anchor: &str) -> String {
    format!(
        "a RandR monitor named by the glasses' output {anchor}: GTK/XFCE see it; \
         {anchor}'s own area is covered by the render loop and is no monitor of its own"
    )
}
