//! Where the loop shows its picture: a window on the glasses (found by EDID) or on a
//! named output, or offscreen.

use super::config::PresentConfig;
use crate::exit::{Error, Result};
use crate::glasses;
use crate::randr::state::ScreenState;
use crate::randr::Session;
use xrdisplay_model::{PresentChoice, Rect};

#[derive(Debug, Clone, PartialEq)]
pub enum Presentation {
    /// A borderless window covering `output`.
    Window {
        output: String,
        rect: Rect,
        refresh: f64,
        /// The glasses' model, when recognised by their EDID.
        model: Option<&'static str>,
    },
    Offscreen {
        size: (u32, u32),
        refresh: u32,
    },
    /// `output` leased with the free CRTC `crtc`, showing its mode `mode`.
    Lease {
        output: String,
        output_id: u32,
        crtc: u32,
        mode: u32,
        size: (u32, u32),
        refresh: f64,
        model: Option<&'static str>,
    },
}

impl Presentation {
    /// The view's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Presentation::Window { rect, .. } => (rect.width, rect.height),
            Presentation::Offscreen { size, .. } | Presentation::Lease { size, .. } => *size,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Presentation::Window {
                output,
                rect,
                refresh,
                model,
            } => format!(
                "window on {output}{} {rect} at {refresh:.2} Hz",
                model.map_or(String::new(), |m| format!(" ({m})"))
            ),
            Presentation::Offscreen { size, refresh } => {
                format!("offscreen {}x{} at {refresh} Hz", size.0, size.1)
            }
            Presentation::Lease {
                output,
                size,
                refresh,
                model,
                ..
            } => format!(
                "lease of {output}{} {}x{} at {refresh:.2} Hz",
                model.map_or(String::new(), |m| format!(" ({m})")),
                size.0,
                size.1
            ),
        }
    }

    /// Decides from the flags and the outputs; `xr` is where the captured outputs are
    /// on the screen (the anchor first), which a window must not overlap (it would
    /// capture itself).
    pub fn choose(
        session: &Session,
        state: &ScreenState,
        config: &PresentConfig,
        xr: &[Rect],
    ) -> Result<Presentation> {
        if config.choice == PresentChoice::None {
            let anchor = xr.first().map_or((0, 0), |r| (r.width, r.height));
            return Ok(Presentation::Offscreen {
                size: config.view_size.unwrap_or(anchor),
                refresh: config.refresh,
            });
        }
        let (output, model) = match &config.on {
            Some(name) => {
                let output = state
                    .output(name)
                    .ok_or_else(|| Error::usage(format!("--present-on {name}: no such output")))?;
                (output, glasses::model(&session.edid(output.id)?))
            }
            None => find_glasses(session, state)?.ok_or_else(|| {
                Error::unsupported(
                    "no XR glasses found among the outputs (by the monitor name in their \
                     EDID); name the output with --present-on OUTPUT, or render offscreen \
                     with --present none",
                )
            })?,
        };
        match (config.choice, output.non_desktop) {
            (PresentChoice::Lease, _) | (PresentChoice::Auto, true) => {
                return lease(state, output, model)
            }
            (PresentChoice::Window, true) => {
                return Err(Error::usage(format!(
                    "{} is marked non-desktop, so no window can cover it; present through a \
                     lease (--present lease, or auto)",
                    output.name
                )))
            }
            _ => {}
        }
        let crtc = state.active_crtc_of(output).ok_or_else(|| {
            Error::usage(format!(
                "{} is off; turn it on (e.g. `xrandr --output {} --auto`) to present on it",
                output.name, output.name
            ))
        })?;
        let rect = crtc.rect();
        if xr.iter().any(|x| rect.overlaps(x)) {
            return Err(Error::usage(format!(
                "{} ({rect}) overlaps the captured output: the window would capture itself; \
                 present on another output",
                output.name
            )));
        }
        Ok(Presentation::Window {
            output: output.name.clone(),
            rect,
            refresh: state.modes.get(&crtc.mode).map_or(60.0, |m| m.refresh),
            model,
        })
    }
}

/// A lease of `output` (off, so the desktop does not use it) with a free CRTC that
/// can drive it, showing its preferred mode.
fn lease(
    state: &ScreenState,
    output: &crate::randr::state::Output,
    model: Option<&'static str>,
) -> Result<Presentation> {
    let name = &output.name;
    if output.crtc != 0 {
        return Err(Error::usage(format!(
            "{name} is part of the desktop; turn it off (`xrandr --output {name} --off`) to \
             lease it, or present in a window on it"
        )));
    }
    let crtc = output
        .crtcs
        .iter()
        .copied()
        .find(|&id| state.is_crtc_free(id))
        .ok_or_else(|| {
            Error::unsupported(format!(
                "no free CRTC can drive {name}; turn another output off to free one"
            ))
        })?;
    // RandR lists the preferred modes first.
    let mode = output
        .modes
        .iter()
        .find_map(|id| state.modes.get(id))
        .ok_or_else(|| {
            Error::unsupported(format!(
                "{name} offers no mode to show (is anything connected to it?)"
            ))
        })?;
    Ok(Presentation::Lease {
        output: name.clone(),
        output_id: output.id,
        crtc,
        mode: mode.id,
        size: (u32::from(mode.width), u32::from(mode.height)),
        refresh: mode.refresh,
        model,
    })
}

/// The first connected output whose EDID names known glasses.
pub fn find_glasses<'a>(
    session: &Session,
    state: &'a ScreenState,
) -> Result<Option<(&'a crate::randr::state::Output, Option<&'static str>)>> {
    for output in state.outputs.iter().filter(|o| o.connected) {
        if let Some(model) = glasses::model(&session.edid(output.id)?) {
            return Ok(Some((output, Some(model))));
        }
    }
    Ok(None)
}
