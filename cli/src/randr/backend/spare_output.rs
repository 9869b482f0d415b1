//! Any unused RandR output (an unplugged `HDMI-2`, virtio-gpu's `Virtual-2`, the dummy
//! driver's `DUMMY1`) driven by a free CRTC as the XR output.

use crate::exit::{Error, Result};
use crate::randr::backend::MODE_PREFIX;
use crate::randr::state::{Output, ScreenState};
use crate::randr::transaction::XR_MANAGER;

/// Outputs that nothing uses and that a free CRTC can drive.
pub fn candidates(state: &ScreenState) -> Vec<&Output> {
    state
        .outputs
        .iter()
        .filter(|o| is_spare_kind(o) && !o.connected && o.crtc == 0)
        .filter(|o| o.crtcs.iter().any(|&c| state.is_crtc_free(c)))
        .collect()
}

fn is_spare_kind(output: &Output) -> bool {
    !output.non_desktop && !output.virtual_output && output.name != XR_MANAGER
}

/// Whether xrdisplay drives this output now (its CRTC shows one of xrdisplay's modes).
pub fn driven_by_us(state: &ScreenState, output: &Output) -> bool {
    state
        .active_crtc_of(output)
        .and_then(|c| state.modes.get(&c.mode))
        .is_some_and(|m| m.name.starts_with(MODE_PREFIX))
}

/// Refuses outputs that are someone's monitor, or that cannot show a desktop. `ours` says
/// xrdisplay already drives it (a monitor of the XR name covers it).
pub fn check(state: &ScreenState, output: &Output, ours: bool) -> Result<()> {
    if !is_spare_kind(output) {
        return Err(Error::usage(format!(
            "{} cannot be a spare output (it is the driver's control output, a virtual output or marked non-desktop)",
            output.name
        )));
    }
    let in_use = output.connected && state.active_crtc_of(output).is_some();
    if in_use && !ours && !driven_by_us(state, output) {
        let spares: Vec<&str> = candidates(state).iter().map(|o| o.name.as_str()).collect();
        return Err(Error::usage(format!(
            "{} is a connected output in use; choose a spare output ({}) or another name for a new one",
            output.name,
            if spares.is_empty() { "none free".to_string() } else { spares.join(", ") }
        )));
    }
    Ok(())
}

/// The CRTC to drive `output` with: its current one, else a free one it can use.
pub fn crtc_for(state: &ScreenState, output: &Output) -> Result<u32> {
    if output.crtc != 0 {
        return Ok(output.crtc);
    }
    output
        .crtcs
        .iter()
        .copied()
        .find(|&c| state.is_crtc_free(c))
        .ok_or_else(|| {
            Error::unsupported(format!(
                "no free CRTC can drive {}: all of its CRTCs are in use; turn another output off first",
                output.name
            ))
        })
}

/// Shown when the spare output is disconnected (a free connector has nothing plugged in).
pub fn gtk_note(output: &str) -> String {
    format!(
        "on {output}, a connector with nothing plugged in (disconnected): GTK 3 and XFCE skip \
         monitors whose first output is disconnected, so XFCE will not put windows, panels or \
         wallpaper there; with the glasses connected the anchored backend is seen, and the \
         patched driver's xr-manager backend always is"
    )
}
