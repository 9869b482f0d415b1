//! Turning a request into the RandR requests of a plan and the arrangement it must
//! produce. Pure: it reads a `ScreenState` and sends nothing.

use std::collections::BTreeMap;

use crate::exit::{Error, Result};
use crate::randr::backend::choose::{choose_backend, pick_spare};
use crate::randr::backend::{
    anchored, spare_output, xr_manager, BackendKind, EnableRequest, XrTarget, MODE_PREFIX,
};
use crate::randr::cvt;
use crate::randr::layout;
use crate::randr::ops::{CrtcConfig, CrtcRef, ModeRef, Op};
use crate::randr::state::{Monitor, Output, ScreenState};
use crate::randr::transaction::{no_usable_crtc, Plan};
use xrdisplay_model::Rect;

/// RandR's "no rotation, no reflection".
const ROTATE_0: u16 = 1;

/// A planned enable, with what it will produce.
#[derive(Debug)]
pub struct Enabling {
    pub plan: Plan,
    pub backend: BackendKind,
    /// The RandR output that shows the XR screen (none for the monitor backends).
    pub output: Option<String>,
    /// What the XR screen will be.
    pub target: XrTarget,
    pub rect: Rect,
}

pub fn plan_enable(state: &ScreenState, req: &EnableRequest) -> Result<Enabling> {
    let target = XrTarget::find(state, &req.output);
    let backend = choose_backend(state, req, &target)?;
    let mut planner = Planner::new(state);
    let name = req.output.clone();
    let (target, rect) = match backend {
        BackendKind::Monitor => (
            XrTarget::Monitor { name },
            planner.enable_monitor(req, None)?,
        ),
        BackendKind::Anchored => {
            let anchor = match &target {
                XrTarget::Anchored { anchor, .. } => anchor.clone(),
                _ => anchored::anchor_for(state, req.glasses.as_deref(), &req.output)?,
            };
            let rect = planner.enable_monitor(req, Some(&anchor))?;
            (XrTarget::Anchored { name, anchor }, rect)
        }
        BackendKind::XrManager => {
            let rect = planner.enable_virtual(req)?;
            (XrTarget::Virtual { output: name }, rect)
        }
        _ => {
            let (output, alias) = match &target {
                XrTarget::Spare { output, alias } => (output.clone(), alias.clone()),
                _ => match state.output(&req.output) {
                    Some(o) => (o.name.clone(), None),
                    None => (pick_spare(state)?, Some(name)),
                },
            };
            let rect = planner.enable_spare(req, &output, alias.as_deref())?;
            (XrTarget::Spare { output, alias }, rect)
        }
    };
    let output = target.output_name().map(str::to_string);
    let reprobed = backend == BackendKind::XrManager
        && state
            .output(&req.output)
            .is_some_and(|o| xr_manager::reprobed(state, o));
    if reprobed && !planner.ops.is_empty() {
        return Err(no_usable_crtc(&req.output));
    }
    // The driver makes a new virtual output's mode at the refresh asked for.
    let refresh = planner.xr_refresh.unwrap_or(f64::from(req.refresh));
    let expect_refresh = output.clone().map(|o| (o, refresh));
    Ok(Enabling {
        plan: planner.finish(expect_refresh),
        backend,
        output,
        target,
        rect,
    })
}

/// Plans turning the XR output off and removing what xrdisplay made for it;
/// `None` when it is not enabled.
pub fn plan_disable(state: &ScreenState, name: &str) -> Result<Option<Plan>> {
    let target = XrTarget::find(state, name);
    let mut planner = Planner::new(state);
    match &target {
        XrTarget::Absent => return Ok(None),
        XrTarget::Monitor { name } | XrTarget::Anchored { name, .. } => {
            let rect = state.monitor(name).map(|m| m.rect);
            planner.ops.push(Op::DeleteMonitor { name: name.clone() });
            planner.expect.monitors.remove(name);
            if let Some(rect) = rect {
                planner.close_gap(&occupied(state, &[name]), &rect, |_| {});
            }
        }
        XrTarget::Virtual { output } | XrTarget::Spare { output, .. } => {
            let Some(out) = state.output(output) else {
                return Ok(None);
            };
            let alias = match &target {
                XrTarget::Spare { alias, .. } => alias.clone(),
                _ => None,
            };
            let is_virtual = matches!(target, XrTarget::Virtual { .. });
            let crtc = state.active_crtc_of(out).cloned();
            if crtc.is_none() && alias.is_none() && !is_virtual {
                return Ok(None);
            }
            if !is_virtual
                && alias.is_none()
                && out.connected
                && !spare_output::driven_by_us(state, out)
            {
                return Err(Error::usage(format!(
                    "{output} is not an XR output enabled by xrdisplay; refusing to turn it off"
                )));
            }
            if let Some(alias) = &alias {
                planner.ops.push(Op::DeleteMonitor {
                    name: alias.clone(),
                });
                planner.expect.monitors.remove(alias);
            }
            if state.primary == out.id {
                let heir = next_primary(state, out.id);
                planner.ops.push(Op::SetPrimary {
                    output: heir.clone(),
                });
                planner.expect.primary = heir;
            }
            if let Some(crtc) = crtc {
                let names: Vec<&str> = crtc.outputs.iter().map(|&o| state.output_name(o)).collect();
                let others = occupied(state, &names);
                planner.expect.outputs.remove(output);
                planner.close_gap(&others, &crtc.rect(), |ops| {
                    ops.push(Op::SetCrtc {
                        crtc: CrtcRef::Id(crtc.id),
                        config: None,
                    });
                });
            }
            planner.remove_own_modes(out, None);
            if is_virtual {
                planner.ops.push(Op::DeleteXrOutput {
                    name: output.clone(),
                });
            }
        }
    }
    Ok(Some(planner.finish(None)))
}
/// What takes up room on the screen, by name: active outputs and monitors with an area
/// of their own (other XR screens: output-less or anchored), leaving out `except`.
fn occupied(state: &ScreenState, except: &[&str]) -> BTreeMap<String, Rect> {
    let monitors = state
        .monitors
        .iter()
        .filter(|m| has_own_area(state, m))
        .map(|m| (m.name.clone(), m.rect));
    state
        .output_rects()
        .into_iter()
        .chain(monitors)
        .filter(|(name, _)| !except.contains(&name.as_str()))
        .collect()
}

/// A client-declared monitor placed by its own rectangle rather than by its outputs'.
fn has_own_area(state: &ScreenState, m: &Monitor) -> bool {
    !m.automatic && (m.outputs.is_empty() || anchored::is_anchored(state, m))
}

/// The client-declared monitors that name `output` and cover exactly its rectangle
/// (XR-0 on a spare output): they move with it.
fn aliases_of<'s>(
    state: &'s ScreenState,
    output: &Output,
    rect: Rect,
) -> impl Iterator<Item = &'s Monitor> + 's {
    let id = output.id;
    state
        .monitors
        .iter()
        .filter(move |m| !m.automatic && m.rect == rect && m.outputs.contains(&id))
}

/// The output to make primary when the primary XR output goes: the connected active
/// output nearest the screen's origin.
fn next_primary(state: &ScreenState, leaving: u32) -> Option<String> {
    state
        .outputs
        .iter()
        .filter(|o| o.id != leaving && o.connected)
        .filter_map(|o| Some((state.active_crtc_of(o)?.rect(), o)))
        .min_by_key(|(r, _)| (r.y, r.x))
        .map(|(_, o)| o.name.clone())
}
/// The output-backed XR screen a plan drives: which output, CRTC and mode.
struct OnCrtc<'a> {
    output: &'a str,
    crtc: CrtcRef,
    mode: ModeRef,
    /// The CRTC's configuration now, if it is on.
    current: Option<&'a crate::randr::state::Crtc>,
    /// The monitor that names the output, when the XR name is not the output's.
    alias: Option<&'a str>,
    off_before_resize: Option<u32>,
}

/// Builds a plan and the arrangement it must produce.
struct Planner<'s> {
    state: &'s ScreenState,
    ops: Vec<Op>,
    expect: crate::randr::Arrangement,
    /// The refresh rate of the mode chosen for the XR output.
    xr_refresh: Option<f64>,
}

impl<'s> Planner<'s> {
    fn new(state: &'s ScreenState) -> Planner<'s> {
        Planner {
            state,
            ops: Vec::new(),
            expect: state.arrangement(),
            xr_refresh: None,
        }
    }

    fn finish(self, expect_refresh: Option<(String, f64)>) -> Plan {
        Plan {
            ops: self.ops,
            expect: self.expect,
            expect_refresh,
        }
    }

    /// Places the XR rectangle, moves the other outputs and sizes the screen around the
    /// requests `middle` adds.
    ///
    /// `off_before_resize` names an active CRTC that must be off while the screen changes
    /// size: the patched driver crashes resizing the screen under its active virtual CRTC.
    /// It is turned off first and set again (by `middle`, told so by its `bool`) once the
    /// screen has its size.
    fn arrange(
        &mut self,
        xr_name: &str,
        others: &BTreeMap<String, Rect>,
        req: &EnableRequest,
        off_before_resize: Option<u32>,
        middle: impl FnOnce(&mut Vec<Op>, Rect, bool),
    ) -> Result<Rect> {
        let (w, h) = (req.size.width, req.size.height);
        // A monitor that marks one output (XR-0 on a spare output) names that output.
        let placement = req.placement.rename_anchor(|name| {
            let monitor = self
                .state
                .monitor(name)
                .filter(|_| !others.contains_key(name))?;
            match monitor.outputs.as_slice() {
                [id] => self.state.output_by_id(*id).map(|o| o.name.clone()),
                _ => None,
            }
        });
        let arranged = layout::place(others, xr_name, w, h, &placement).map_err(Error::usage)?;
        let screen = self.screen_size(arranged.screen)?;
        let moves = self.moves(&arranged.others);
        let xr = arranged.xr;
        let resizing = screen != (u32::from(self.state.width), u32::from(self.state.height));
        match off_before_resize.filter(|_| resizing) {
            Some(crtc) => {
                self.ops.push(Op::SetCrtc {
                    crtc: CrtcRef::Id(crtc),
                    config: None,
                });
                self.resize_around(screen, |ops| ops.extend(moves));
                middle(&mut self.ops, xr, true);
            }
            None => self.resize_around(screen, |ops| {
                ops.extend(moves);
                middle(ops, xr, false);
            }),
        }
        self.expect_moved(arranged.others);
        Ok(xr)
    }

    /// Removes the XR rectangle `gone`, closing the gap it leaves among `others`.
    fn close_gap(
        &mut self,
        others: &BTreeMap<String, Rect>,
        gone: &Rect,
        middle: impl FnOnce(&mut Vec<Op>),
    ) {
        let (after, screen) = layout::remove(others, gone);
        let screen = self.clamp_min(screen);
        let moves = self.moves(&after);
        self.resize_around(screen, |ops| {
            middle(ops);
            ops.extend(moves);
        });
        self.expect_moved(after);
    }

    /// Records where the outputs, the monitors that name them, and the monitors with
    /// their own area in `moved` end up.
    fn expect_moved(&mut self, moved: BTreeMap<String, Rect>) {
        for (name, rect) in moved {
            let Some(output) = self.state.output(&name) else {
                self.expect.monitors.insert(name, rect);
                continue;
            };
            if let Some(crtc) = self.state.active_crtc_of(output) {
                for alias in aliases_of(self.state, output, crtc.rect()) {
                    self.expect.monitors.insert(alias.name.clone(), rect);
                }
            }
            self.expect.outputs.insert(name, rect);
        }
    }

    fn clamp_min(&self, (w, h): (u32, u32)) -> (u32, u32) {
        (
            w.max(u32::from(self.state.min_size.0)),
            h.max(u32::from(self.state.min_size.1)),
        )
    }

    fn screen_size(&self, needed: (u32, u32)) -> Result<(u32, u32)> {
        let (max_w, max_h) = self.state.max_size;
        if needed.0 > u32::from(max_w) || needed.1 > u32::from(max_h) {
            return Err(Error::unsupported(format!(
                "the screen would have to be {}x{}, larger than this X server's maximum {max_w}x{max_h}; \
                 choose a smaller size or another position",
                needed.0, needed.1
            )));
        }
        Ok(self.clamp_min(needed))
    }

    /// The requests that move outputs (`SetCrtc`), the monitors that name them, and
    /// monitors with their own area (`SetMonitor`), whose rectangles change.
    fn moves(&self, target: &BTreeMap<String, Rect>) -> Vec<Op> {
        let mut ops = Vec::new();
        let mut seen = Vec::new();
        for (name, rect) in target {
            if let Some(m) = self
                .state
                .monitor(name)
                .filter(|m| m.rect != *rect && has_own_area(self.state, m))
            {
                ops.extend(self.redefine(m, *rect));
                continue;
            }
            let Some(output) = self.state.output(name) else {
                continue;
            };
            let Some(crtc) = self.state.active_crtc_of(output) else {
                continue;
            };
            if crtc.rect() == *rect || seen.contains(&crtc.id) {
                continue;
            }
            seen.push(crtc.id);
            let Some(mode) = self.state.modes.get(&crtc.mode) else {
                continue;
            };
            ops.push(Op::SetCrtc {
                crtc: CrtcRef::Id(crtc.id),
                config: Some(CrtcConfig {
                    x: rect.x,
                    y: rect.y,
                    mode: ModeRef::Existing {
                        id: mode.id,
                        name: mode.name.clone(),
                    },
                    rotation: crtc.rotation,
                    outputs: crtc
                        .outputs
                        .iter()
                        .map(|&o| self.state.output_name(o).to_string())
                        .collect(),
                }),
            });
            for alias in aliases_of(self.state, output, crtc.rect()) {
                ops.extend(self.redefine(alias, *rect));
            }
        }
        ops
    }

    /// Moves a client-declared monitor: the server refuses to redefine one in place.
    fn redefine(&self, m: &Monitor, rect: Rect) -> [Op; 2] {
        [
            Op::DeleteMonitor {
                name: m.name.clone(),
            },
            Op::SetMonitor {
                name: m.name.clone(),
                rect,
                mm: m.mm,
                primary: m.primary,
                outputs: m
                    .outputs
                    .iter()
                    .map(|&o| self.state.output_name(o).to_string())
                    .collect(),
            },
        ]
    }

    /// Grows the screen before `middle` and shrinks it after, so every CRTC always fits.
    fn resize_around(&mut self, (w, h): (u32, u32), middle: impl FnOnce(&mut Vec<Op>)) {
        let current = (u32::from(self.state.width), u32::from(self.state.height));
        let grown = (current.0.max(w), current.1.max(h));
        let size_op = |(w, h): (u32, u32)| Op::SetScreenSize {
            width: w,
            height: h,
            mm: self.state.mm_for(w, h),
        };
        if grown != current {
            self.ops.push(size_op(grown));
        }
        middle(&mut self.ops);
        if (w, h) != grown {
            self.ops.push(size_op((w, h)));
        }
        self.expect.screen = (w, h);
    }

    /// An XR monitor with no CRTC: output-less, or anchored on the glasses' output.
    fn enable_monitor(&mut self, req: &EnableRequest, anchor: Option<&str>) -> Result<Rect> {
        let name = req.output.clone();
        let existing = self.state.monitor(&name).cloned();
        let others = occupied(self.state, &[&name]);
        let state = self.state;
        let primary = req.primary;
        let outputs: Vec<String> = anchor.map(str::to_string).into_iter().collect();
        let same_outputs = existing.as_ref().is_some_and(|m| {
            m.outputs.len() == outputs.len()
                && m.outputs
                    .iter()
                    .zip(&outputs)
                    .all(|(&id, name)| state.output_name(id) == name)
        });
        let rect = self.arrange(&name, &others, req, None, |ops, xr, _| {
            if existing
                .as_ref()
                .is_none_or(|m| m.rect != xr || m.primary != primary || !same_outputs)
            {
                if existing.is_some() {
                    ops.push(Op::DeleteMonitor { name: name.clone() });
                }
                ops.push(Op::SetMonitor {
                    name: name.clone(),
                    rect: xr,
                    mm: state.mm_for(xr.width, xr.height),
                    primary,
                    outputs,
                });
            }
        })?;
        self.expect.monitors.insert(name, rect);
        Ok(rect)
    }

    fn enable_virtual(&mut self, req: &EnableRequest) -> Result<Rect> {
        let name = &req.output;
        let (crtc, mode, current) = match self.state.output(name) {
            Some(output) => {
                let crtc = xr_manager::crtc_for(self.state, output)?;
                let mode = self.mode_for(output, req)?;
                (CrtcRef::Id(crtc), mode, self.state.crtc(crtc).cloned())
            }
            None => {
                let value =
                    xr_manager::create_value(name, req.size.width, req.size.height, req.refresh);
                self.ops.push(Op::CreateXrOutput {
                    name: name.clone(),
                    value,
                });
                (
                    CrtcRef::OfOutput(name.clone()),
                    ModeRef::PreferredOf(name.clone()),
                    None,
                )
            }
        };
        let target = OnCrtc {
            output: name,
            crtc,
            mode,
            off_before_resize: current.as_ref().filter(|c| c.is_active()).map(|c| c.id),
            current: current.as_ref(),
            alias: None,
        };
        self.enable_on_crtc(req, target)
    }

    fn enable_spare(
        &mut self,
        req: &EnableRequest,
        output: &str,
        alias: Option<&str>,
    ) -> Result<Rect> {
        let out = self
            .state
            .output(output)
            .ok_or_else(|| Error::usage(format!("no output named {output}")))?;
        spare_output::check(self.state, out, alias.is_some())?;
        let crtc = spare_output::crtc_for(self.state, out)?;
        let mode = self.mode_for(out, req)?;
        let current = self.state.crtc(crtc).filter(|c| c.is_active()).cloned();
        let target = OnCrtc {
            output,
            crtc: CrtcRef::Id(crtc),
            mode,
            current: current.as_ref(),
            alias,
            off_before_resize: None,
        };
        self.enable_on_crtc(req, target)
    }

    /// The shared part of the output-backed backends: place, set the CRTC, name it, tidy.
    fn enable_on_crtc(&mut self, req: &EnableRequest, target: OnCrtc) -> Result<Rect> {
        let OnCrtc {
            output,
            crtc,
            mode,
            current,
            alias,
            off_before_resize,
        } = target;
        let state = self.state;
        let xr_name = alias.unwrap_or(output);
        let others = occupied(state, &[output, xr_name]);
        let rect = self.arrange(
            xr_name,
            &others,
            req,
            off_before_resize,
            |ops, xr, was_off| {
                let unchanged = !was_off
                    && current.is_some_and(|c| {
                        c.rect() == xr
                            && matches!(&mode, ModeRef::Existing { id, .. } if *id == c.mode)
                    });
                if !unchanged {
                    ops.push(Op::SetCrtc {
                        crtc,
                        config: Some(CrtcConfig {
                            x: xr.x,
                            y: xr.y,
                            mode: mode.clone(),
                            rotation: ROTATE_0,
                            outputs: vec![output.to_string()],
                        }),
                    });
                }
            },
        )?;
        self.expect.outputs.insert(output.to_string(), rect);
        if let Some(alias) = alias {
            let existing = state.monitor(alias);
            if existing.is_none_or(|m| m.rect != rect) {
                if existing.is_some() {
                    self.ops.push(Op::DeleteMonitor {
                        name: alias.to_string(),
                    });
                }
                self.ops.push(Op::SetMonitor {
                    name: alias.to_string(),
                    rect,
                    mm: state.mm_for(rect.width, rect.height),
                    primary: false,
                    outputs: vec![output.to_string()],
                });
            }
            self.expect.monitors.insert(alias.to_string(), rect);
        }
        if req.primary && state.output(output).is_none_or(|o| o.id != state.primary) {
            self.ops.push(Op::SetPrimary {
                output: Some(output.to_string()),
            });
        }
        if req.primary {
            self.expect.primary = Some(output.to_string());
        }
        if let Some(out) = state.output(output) {
            let keep = match &mode {
                ModeRef::Existing { id, .. } => Some(*id),
                _ => None,
            };
            self.remove_own_modes(out, keep);
        }
        Ok(rect)
    }

    /// A mode of `width`x`height` at the refresh asked for: one the output already has,
    /// else one of xrdisplay's already on the server, else a new CVT mode.
    fn mode_for(&mut self, output: &Output, req: &EnableRequest) -> Result<ModeRef> {
        let (w, h, r) = (req.size.width, req.size.height, req.refresh);
        let name = format!("{MODE_PREFIX}{w}x{h}@{r}");
        // CVT lands a little below the refresh asked for (59.46 Hz for 640x480@60), so
        // xrdisplay's own mode is recognised by name.
        let fits = |m: &&crate::randr::state::Mode| {
            u32::from(m.width) == w
                && u32::from(m.height) == h
                && (m.name == name || (m.refresh - f64::from(r)).abs() < 0.5)
        };
        // The mode on screen counts even when the output no longer lists it (the patched
        // driver replaces a virtual output's list when a client re-probes).
        let current = self.state.active_crtc_of(output).map(|c| c.mode);
        if let Some(mode) = current
            .iter()
            .chain(&output.modes)
            .filter_map(|id| self.state.modes.get(id))
            .find(fits)
        {
            self.xr_refresh = Some(mode.refresh);
            return Ok(ModeRef::Existing {
                id: mode.id,
                name: mode.name.clone(),
            });
        }
        let timings = cvt::reduced_blanking(w, h, r);
        if timings.clock_khz.checked_mul(1000).is_none() {
            return Err(Error::usage(format!(
                "{w}x{h} at {r} Hz needs a {} MHz pixel clock, more than RandR can describe (4294 MHz); \
                 choose a smaller size or refresh",
                timings.clock_khz / 1000
            )));
        }
        self.xr_refresh = Some(timings.refresh());
        let mode = match self.state.modes.values().find(|m| m.name == name) {
            Some(m) => ModeRef::Existing {
                id: m.id,
                name: name.clone(),
            },
            None => {
                self.ops.push(Op::CreateMode {
                    name: name.clone(),
                    timings,
                });
                ModeRef::New(name)
            }
        };
        self.ops.push(Op::AddOutputMode {
            output: output.name.clone(),
            mode: mode.clone(),
        });
        Ok(mode)
    }

    /// Removes xrdisplay's modes from `output` (all but `keep`), and destroys those that
    /// no other output lists.
    fn remove_own_modes(&mut self, output: &Output, keep: Option<u32>) {
        let state = self.state;
        for &id in &output.modes {
            let Some(mode) = state.modes.get(&id) else {
                continue;
            };
            if Some(id) == keep || !mode.name.starts_with(MODE_PREFIX) {
                continue;
            }
            let mode = ModeRef::Existing {
                id,
                name: mode.name.clone(),
            };
            self.ops.push(Op::DeleteOutputMode {
                output: output.name.clone(),
                mode: mode.clone(),
            });
            let elsewhere = state
                .outputs
                .iter()
                .any(|o| o.id != output.id && o.modes.contains(&id));
            if !elsewhere {
                self.ops.push(Op::DestroyMode { mode });
            }
        }
    }
}
