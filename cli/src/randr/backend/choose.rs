//! Which backend serves an enable request: the one the XR output already has, else
//! the one asked for, else the first that can in `auto`'s order.

use crate::exit::{Error, Result};
use crate::randr::backend::{
    anchored, monitor, spare_output, xr_manager, BackendKind, EnableRequest, XrTarget,
};
use crate::randr::state::ScreenState;

/// The backend for `req`, whose XR output is `target` now.
pub(super) fn choose_backend(
    state: &ScreenState,
    req: &EnableRequest,
    target: &XrTarget,
) -> Result<BackendKind> {
    let name = &req.output;
    let in_use = match target {
        XrTarget::Spare { alias: None, .. } => target.rect(state).is_some(),
        _ => true,
    };
    if let Some(current) = target.backend().filter(|_| in_use) {
        if req.backend != BackendKind::Auto && req.backend != current {
            return Err(Error::usage(format!(
                "{name} exists through the {current} backend; run `xrdisplay disable --output {name}` before switching to {}",
                req.backend
            )));
        }
        if let XrTarget::Spare { output, alias } = target {
            if let Some(o) = state.output(output) {
                spare_output::check(state, o, alias.is_some())?;
            }
        }
        return Ok(current);
    }
    if state.output(name).is_some() {
        return match req.backend {
            BackendKind::Auto | BackendKind::SpareOutput => Ok(BackendKind::SpareOutput),
            other => Err(Error::usage(format!(
                "{name} is already an output of this X server; the {other} backend needs a new name (e.g. XR-0), \
                 or use --backend spare-output to drive {name} itself"
            ))),
        };
    }
    check_new_name(state, name)?;
    let unsupported =
        |backend: BackendKind, why: String| Error::unsupported(format!("{backend} backend: {why}"));
    match req.backend {
        BackendKind::XrManager => xr_manager::available(state)
            .map(|()| BackendKind::XrManager)
            .map_err(|why| unsupported(BackendKind::XrManager, why)),
        BackendKind::Anchored => anchored::anchor_for(state, req.glasses.as_deref(), &req.output)
            .map(|_| BackendKind::Anchored),
        BackendKind::Monitor => monitor::available(state)
            .map(|()| BackendKind::Monitor)
            .map_err(|why| unsupported(BackendKind::Monitor, why)),
        BackendKind::SpareOutput => Ok(BackendKind::SpareOutput),
        BackendKind::Auto => {
            if xr_manager::available(state).is_ok() {
                Ok(BackendKind::XrManager)
            } else if anchored::anchor_for(state, req.glasses.as_deref(), &req.output).is_ok() {
                Ok(BackendKind::Anchored)
            } else if !spare_output::candidates(state).is_empty() {
                Ok(BackendKind::SpareOutput)
            } else {
                monitor::available(state).map_err(|why| {
                    Error::unsupported(format!(
                        "no backend can serve {name}: no XR-Manager output, no connected glasses, \
                         no spare output, and {why}"
                    ))
                })?;
                Ok(BackendKind::Monitor)
            }
        }
    }
}

/// A name that is not an output must be a new XR output's: `XR-<n>`. Anything else is
/// most likely a mistyped output, which must not silently become a new one.
fn check_new_name(state: &ScreenState, name: &str) -> Result<()> {
    let number = name.strip_prefix("XR-").unwrap_or("");
    if !number.is_empty() && number.len() <= 3 && number.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let outputs: Vec<&str> = state.outputs.iter().map(|o| o.name.as_str()).collect();
    Err(Error::usage(format!(
        "no output named {name:?}: a new XR output is named XR-<n> (XR-0, XR-1, ...), \
         an existing one is one of: {}",
        outputs.join(", ")
    )))
}
pub(super) fn pick_spare(state: &ScreenState) -> Result<String> {
    spare_output::candidates(state)
        .first()
        .map(|o| o.name.clone())
        .ok_or_else(|| {
            Error::unsupported(
                "no spare output: every output is connected or has no free CRTC; use --backend monitor",
            )
        })
}
