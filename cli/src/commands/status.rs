use std::path::PathBuf;

use serde::Serialize;

use crate::capture::resolve_target;
use crate::cli::StatusArgs;
use crate::commands::{print_json, Context};
use crate::exit::Result;
use crate::pipeline::control::{self, LoopStatus, Request};
use crate::pipeline::present::find_glasses;
use crate::randr::backend::{anchored, monitor, spare_output, xr_manager, XrTarget};
use crate::randr::state::ScreenState;
use crate::randr::transaction::no_usable_crtc;
use crate::randr::Session;
use crate::runtime;
use xrdisplay_model::BackendKind;
use xrdisplay_model::Rect;
use xrdisplay_model::{CaptureMethod, SourceChoice};

#[derive(Serialize)]
struct Report {
    display: String,
    server: String,
    randr: String,
    screen: ScreenReport,
    backends: Vec<BackendReport>,
    xr: XrReport,
    capture_loop: LoopReport,
    outputs: Vec<OutputReport>,
    monitors: Vec<MonitorReport>,
    /// How DRM capture reads framebuffers: directly, through the capture helper, or not.
    drm_access: String,
}

#[derive(Serialize)]
struct ScreenReport {
    width: u16,
    height: u16,
    min: (u16, u16),
    max: (u16, u16),
}

#[derive(Serialize)]
struct BackendReport {
    name: BackendKind,
    available: bool,
    detail: String,
}

#[derive(Serialize)]
struct XrReport {
    name: String,
    /// "enabled", "disabled" (exists but off) or "absent".
    state: &'static str,
    backend: Option<BackendKind>,
    randr_output: Option<String>,
    geometry: Option<Rect>,
    refresh: Option<f64>,
    visible_to_gtk: Option<bool>,
    framebuffer_id: Option<u32>,
    note: Option<String>,
}

#[derive(Serialize)]
struct LoopReport {
    running: bool,
    socket: Option<String>,
    /// Which pixels a capture reads (the running loop's, else what one would read).
    source: Option<String>,
    /// The running loop's own report: method, presentation, figures.
    status: Option<LoopStatus>,
}

#[derive(Serialize)]
struct OutputReport {
    name: String,
    connected: bool,
    crtc: Option<u32>,
    geometry: Option<Rect>,
    mode: Option<String>,
    refresh: Option<f64>,
    primary: bool,
    non_desktop: bool,
    virtual_output: bool,
}

#[derive(Serialize)]
struct MonitorReport {
    name: String,
    geometry: Rect,
    primary: bool,
    automatic: bool,
    outputs: Vec<String>,
}

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<()> {
    let name = ctx.output_name(&args.output)?;
    let session = Session::connect(ctx.display.as_deref())?;
    let state = session.read()?;
    let report = build(&session, &state, &name);
    if args.json {
        print_json(&report)
    } else {
        print_text(&report);
        Ok(())
    }
}

fn build(session: &Session, state: &ScreenState, name: &str) -> Report {
    let spares: Vec<String> = spare_output::candidates(state)
        .iter()
        .map(|o| o.name.clone())
        .collect();
    let backend = |kind, result: std::result::Result<String, String>| BackendReport {
        name: kind,
        available: result.is_ok(),
        detail: result.unwrap_or_else(|why| why),
    };
    let backends = vec![
        backend(
            BackendKind::XrManager,
            xr_manager::available(state).map(|()| "XR-Manager output present".into()),
        ),
        backend(
            BackendKind::Anchored,
            find_glasses(session, state)
                .map_err(|e| e.message)
                .and_then(|glasses| {
                    let glasses = glasses.map(|(o, _)| o.name.as_str());
                    anchored::anchor_for(state, glasses, name)
                        .map(|o| format!("glasses on {o}"))
                        .map_err(|e| {
                            e.message
                                .trim_start_matches("anchored backend: ")
                                .to_string()
                        })
                }),
        ),
        backend(
            BackendKind::SpareOutput,
            if spares.is_empty() {
                Err("no disconnected output with a free CRTC".into())
            } else {
                Ok(format!("free: {}", spares.join(", ")))
            },
        ),
        backend(
            BackendKind::Monitor,
            monitor::available(state).map(|()| "RandR 1.5 monitors".into()),
        ),
    ];
    let socket = runtime::loop_socket(&session.display, name);
    Report {
        display: session.display.clone(),
        server: session.server_version(),
        randr: format!("{}.{}", state.randr_version.0, state.randr_version.1),
        screen: ScreenReport {
            width: state.width,
            height: state.height,
            min: state.min_size,
            max: state.max_size,
        },
        backends,
        xr: xr_report(state, name),
        capture_loop: loop_report(state, name, socket),
        outputs: state
            .outputs
            .iter()
            .map(|o| {
                let crtc = state.active_crtc_of(o);
                let mode = crtc.and_then(|c| state.modes.get(&c.mode));
                OutputReport {
                    name: o.name.clone(),
                    connected: o.connected,
                    crtc: crtc.map(|c| c.id),
                    geometry: crtc.map(|c| c.rect()),
                    mode: mode.map(|m| m.name.clone()),
                    refresh: mode.map(|m| round2(m.refresh)),
                    primary: o.id == state.primary,
                    non_desktop: o.non_desktop,
                    virtual_output: o.virtual_output,
                }
            })
            .collect(),
        monitors: state
            .monitors
            .iter()
            .map(|m| MonitorReport {
                name: m.name.clone(),
                geometry: m.rect,
                primary: m.primary,
                automatic: m.automatic,
                outputs: m
                    .outputs
                    .iter()
                    .map(|&o| state.output_name(o).to_string())
                    .collect(),
            })
            .collect(),
        drm_access: xrdisplay_capture::helper::Access::now().to_string(),
    }
}

fn xr_report(state: &ScreenState, name: &str) -> XrReport {
    let target = XrTarget::find(state, name);
    let output = target.output(state);
    let rect = target.rect(state);
    let refresh = output
        .and_then(|o| state.active_crtc_of(o))
        .and_then(|c| state.modes.get(&c.mode))
        .map(|m| round2(m.refresh));
    let note = match &target {
        XrTarget::Virtual { .. } if output.is_some_and(|o| xr_manager::reprobed(state, o)) => {
            Some(no_usable_crtc(name).message)
        }
        XrTarget::Absent => Some(format!(
            "run `xrdisplay enable --output {name}` to create it"
        )),
        _ => target.gtk_note(state),
    };
    XrReport {
        name: name.to_string(),
        state: match (&target, rect) {
            (XrTarget::Absent, _) => "absent",
            (_, Some(_)) => "enabled",
            (_, None) => "disabled",
        },
        backend: target.backend(),
        randr_output: output.map(|o| o.name.clone()),
        geometry: rect,
        refresh,
        visible_to_gtk: target
            .backend()
            .map(|_| target.visible_to_gtk(state) && rect.is_some()),
        framebuffer_id: output.and_then(|o| o.framebuffer_id),
        note,
    }
}

fn loop_report(state: &ScreenState, name: &str, socket: Option<PathBuf>) -> LoopReport {
    let status = socket
        .as_deref()
        .and_then(|path| control::request(path, &Request::Status).ok())
        .and_then(|reply| reply.status);
    let source = match &status {
        Some(s) => Some(s.source.clone()),
        None => resolve_target(state, name, SourceChoice::Auto)
            .ok()
            .map(|t| t.describe(CaptureMethod::Auto)),
    };
    LoopReport {
        running: status.is_some(),
        socket: socket.map(|p| p.display().to_string()),
        source,
        status,
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn print_text(r: &Report) {
    out!("Display    {} ({}, RandR {})", r.display, r.server, r.randr);
    out!(
        "Screen     {}x{} (min {}x{}, max {}x{})",
        r.screen.width,
        r.screen.height,
        r.screen.min.0,
        r.screen.min.1,
        r.screen.max.0,
        r.screen.max.1
    );
    for (i, b) in r.backends.iter().enumerate() {
        let label = if i == 0 { "Backends" } else { "" };
        let yes = if b.available { "yes" } else { "no " };
        out!("{label:<10} {:<13} {yes}  {}", b.name.to_string(), b.detail);
    }
    let xr = &r.xr;
    let mut line = format!("{}: {}", xr.name, xr.state);
    if let Some(g) = xr.geometry {
        line += &format!(", {g}");
    }
    if let Some(hz) = xr.refresh {
        line += &format!(" at {hz:.2} Hz");
    }
    if let Some(b) = xr.backend {
        line += &format!(", {b} backend");
    }
    if let Some(o) = xr.randr_output.as_ref().filter(|o| **o != xr.name) {
        line += &format!(" on {o}");
    }
    if let Some(fb) = xr.framebuffer_id {
        line += &format!(", FRAMEBUFFER_ID {fb}");
    }
    match xr.visible_to_gtk {
        Some(true) => line += ", visible to GTK/XFCE",
        Some(false) => line += ", NOT visible to GTK/XFCE",
        None => {}
    }
    out!("XR output  {line}");
    if let Some(note) = &xr.note {
        out!("           note: {note}");
    }
    let capture = &r.capture_loop;
    match &capture.status {
        Some(s) => {
            out!(
                "Capture    running (pid {}): {} by {}",
                s.pid,
                s.source,
                s.method
            );
            if let Some(note) = &s.method_note {
                out!("           note: {note}");
            }
            for also in &s.also {
                out!("           also {}: {}", also.output, also.source);
            }
            out!(
                "           presenting {}; renderer {}",
                s.present,
                s.renderer
            );
            out!("           head tracking {}", s.tracking);
            if !s.view.source.is_empty() {
                let rate = s.view.imu_rate_hz.map_or(String::new(), |hz| {
                    format!(
                        ", {hz:.0} samples/s, {} malformed reports dropped",
                        s.view.imu_dropped.unwrap_or(0)
                    )
                });
                out!("           pose source {}{rate}", s.view.source);
            }
            if let Some(stats) = &s.stats {
                out!("           {stats}");
            }
        }
        None => out!(
            "Capture    not running{}",
            capture
                .source
                .as_ref()
                .map_or(String::new(), |s| format!("; would read the {s}"))
        ),
    }
    out!("DRM access {}", r.drm_access);
    out!("Outputs");
    out!(
        "  {:<14} {:<12} {:<6} {:<20} {:<18} {:>7}  FLAGS",
        "NAME",
        "CONNECTION",
        "CRTC",
        "GEOMETRY",
        "MODE",
        "REFRESH"
    );
    for o in &r.outputs {
        let dash = || "-".to_string();
        let mut flags = Vec::new();
        if o.primary {
            flags.push("primary");
        }
        if o.non_desktop {
            flags.push("non-desktop");
        }
        if o.virtual_output {
            flags.push("virtual");
        }
        out!(
            "  {:<14} {:<12} {:<6} {:<20} {:<18} {:>7}  {}",
            o.name,
            if o.connected {
                "connected"
            } else {
                "disconnected"
            },
            o.crtc.map_or_else(dash, |c| format!("0x{c:x}")),
            o.geometry.map_or_else(dash, |g| g.to_string()),
            o.mode.clone().unwrap_or_else(dash),
            o.refresh.map_or_else(dash, |hz| format!("{hz:.2}")),
            flags.join(",")
        );
    }
    if !r.monitors.is_empty() {
        out!("Monitors");
        for m in &r.monitors {
            let outputs = if m.outputs.is_empty() {
                "no output".to_string()
            } else {
                m.outputs.join(",")
            };
            let kind = if m.automatic { "automatic" } else { "declared" };
            let primary = if m.primary { ", primary" } else { "" };
            out!(
                "  {:<14} {:<20} {kind}{primary}, {outputs}",
                m.name,
                m.geometry.to_string()
            );
        }
    }
}
