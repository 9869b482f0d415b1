//! Where the loop shows its picture: a window on the glasses (found by EDID) or on a
//! named output, or offscreen.

use super::config::PresentConfig;
use crate::exit::{Error, Result};
use crate::glasses;
use crate::randr::state::ScreenState;
use crate::randr::Session;
use xrdisplay_capture::present::{LeaseTarget, Target, WindowTarget};
use xrdisplay_model::{PresentChoice, Rect};

/// Where the loop draws, and what `status` says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    pub target: Target,
    /// The output a window or lease shows on; `None` offscreen.
    pub on: Option<ShownOn>,
    /// Frames per second: the output's mode, or the offscreen render rate.
    pub refresh: f64,
}

/// The output a window or lease shows on.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownOn {
    pub output: String,
    /// The glasses' model, when recognised by their EDID.
    pub model: Option<&'static str>,
}

impl Presentation {
    /// The view's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        self.target.size()
    }

    pub fn describe(&self) -> String {
        let on = self.on.as_ref().map_or(String::new(), |on| {
            let model = on.model.map_or(String::new(), |m| format!(" ({m})"));
            format!("{}{model}", on.output)
        });
        let refresh = self.refresh;
        match &self.target {
            Target::Window(window) => {
                format!("window on {on} {} at {refresh:.2} Hz", window.rect)
            }
            Target::Offscreen((width, height)) => {
                format!("offscreen {width}x{height} at {refresh} Hz")
            }
            Target::Lease(lease) => format!(
                "lease of {on} {}x{} at {refresh:.2} Hz",
                lease.size.0, lease.size.1
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
            return Ok(Presentation {
                target: Target::Offscreen(config.view_size.unwrap_or(anchor)),
                on: None,
                refresh: f64::from(config.refresh),
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
                return lease(session, state, output, model)
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
        Ok(Presentation {
            target: Target::Window(WindowTarget {
                display: Some(session.display.clone()),
                rect,
            }),
            on: Some(ShownOn {
                output: output.name.clone(),
                model,
            }),
            refresh: state.modes.get(&crtc.mode).map_or(60.0, |m| m.refresh),
        })
    }
}

/// A lease of `output` (off, so the desktop does not use it) with a free CRTC that
/// can drive it, showing its preferred mode.
fn lease(
    session: &Session,
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
    Ok(Presentation {
        target: Target::Lease(LeaseTarget {
            display: Some(session.display.clone()),
            output: output.id,
            crtc,
            mode: mode.id,
            size: (u32::from(mode.width), u32::from(mode.height)),
        }),
        on: Some(ShownOn {
            output: name.clone(),
            model,
        }),
        refresh: mode.refresh,
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
