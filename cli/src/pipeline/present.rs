//! Where the loop shows its picture: a window on the glasses (found by EDID) or on a
//! named output, or offscreen.

use crate::cli::{PresentChoice, RunArgs};
use crate::exit::{Error, Result};
use crate::geometry::Rect;
use crate::glasses;
use crate::randr::state::ScreenState;
use crate::randr::Session;

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
}

impl Presentation {
    /// The view's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Presentation::Window { rect, .. } => (rect.width, rect.height),
            Presentation::Offscreen { size, .. } => *size,
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
        }
    }

    /// Decides from the flags and the outputs; `xr` is where the captured outputs are
    /// on the screen (the anchor first), which a window must not overlap (it would
    /// capture itself).
    pub fn choose(
        session: &Session,
        state: &ScreenState,
        args: &RunArgs,
        xr: &[Rect],
    ) -> Result<Presentation> {
        if args.present == PresentChoice::None {
            let anchor = xr.first().map_or((0, 0), |r| (r.width, r.height));
            let size = args.view_size.map_or(anchor, |s| (s.width, s.height));
            return Ok(Presentation::Offscreen {
                size,
                refresh: args.refresh,
            });
        }
        let (output, model) = match &args.present_on {
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
        if output.non_desktop || args.present == PresentChoice::Lease {
            return Err(Error::unsupported(format!(
                "{} is marked non-desktop, so no window can cover it, and presenting through \
                 a RandR lease is not implemented yet; make it a desktop output with \
                 `xrandr --output {} --set non-desktop 0`",
                output.name, output.name
            )));
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
