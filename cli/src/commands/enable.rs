use serde::Serialize;

use crate::cli::EnableArgs;
use crate::commands::{print_json, Context};
use crate::config::Settings;
use crate::desktop::xfconf::{self, Xfconf};
use crate::exit::Result;
use crate::profiles;
use crate::randr::backend::{self, EnableRequest};
use crate::randr::{transaction, Session};
use crate::runtime;
use xrdisplay_model::BackendKind;
use xrdisplay_model::Rect;

#[derive(Serialize)]
struct Report {
    output: String,
    backend: BackendKind,
    randr_output: Option<String>,
    geometry: Rect,
    refresh: u32,
    visible_to_gtk: bool,
    /// Why GTK/XFCE do or do not see it, when that needs saying.
    gtk_note: Option<String>,
    changed: bool,
    dry_run: bool,
    requests: Vec<String>,
    xfce_profile: Option<String>,
    /// What became of the render loop: started (with its pid), already running, or
    /// why it was not started.
    render_loop: Option<String>,
}

pub fn run(ctx: &Context, args: &EnableArgs) -> Result<()> {
    let settings = Settings::resolve(&ctx.file_config()?.overlay(args.as_config()))?;
    let xfce = match args.dry_run {
        true => None,
        false => Xfconf::for_mode(args.xfce)?,
    };
    let session = Session::connect(ctx.display.as_deref())?;
    let state = session.read()?;
    let glasses = runtime::Glasses::find(&session, &state)?;
    let request = EnableRequest {
        output: settings.output.clone(),
        size: settings.size,
        refresh: settings.refresh,
        placement: settings.placement.clone(),
        primary: settings.primary,
        backend: settings.backend,
        glasses: glasses.as_ref().map(|g| g.output.clone()),
    };
    let enabling = backend::plan_enable(&state, &request)?;
    let changed = !enabling.plan.ops.is_empty();
    if changed && !args.dry_run {
        // A signal now rolls the change back and restores /Notify, instead of
        // leaving RandR half-applied.
        crate::interrupt::catch();
        let hold = xfce.as_ref().map(Xfconf::hold_notify).transpose()?;
        transaction::apply(&session, &enabling.plan)?;
        hold.map(|h| h.restore()).transpose()?;
    }
    if !args.dry_run {
        remember_for_the_glasses(glasses.as_ref(), &request);
    }
    let xfce_profile = xfconf::keep_in_step(xfce.as_ref(), &session, None, &settings.output)?;
    let render_loop = (!args.dry_run)
        .then(|| {
            runtime::start_loop(
                &session,
                &settings.output,
                ctx.config_path.as_deref(),
                glasses.as_ref(),
            )
        })
        .transpose()?;
    let after = match args.dry_run {
        true => state,
        false => session.read()?,
    };
    let report = Report {
        output: settings.output.clone(),
        backend: enabling.backend,
        randr_output: enabling.output.clone(),
        geometry: enabling.rect,
        refresh: settings.refresh,
        visible_to_gtk: enabling.target.visible_to_gtk(&after),
        gtk_note: enabling.target.gtk_note(&after),
        changed,
        dry_run: args.dry_run,
        requests: enabling.plan.ops.iter().map(ToString::to_string).collect(),
        xfce_profile,
        render_loop,
    };
    if args.json {
        return print_json(&report);
    }
    if args.dry_run {
        if report.requests.is_empty() {
            out!(
                "{} is already enabled as asked; nothing would be sent",
                report.output
            );
        } else {
            out!("Would send:");
            for request in &report.requests {
                out!("  {request}");
            }
        }
        return Ok(());
    }
    let via = match &report.randr_output {
        Some(o) if *o != report.output => format!("{} backend, on output {o}", report.backend),
        _ => format!("{} backend", report.backend),
    };
    let verb = if changed {
        "enabled"
    } else {
        "already enabled; nothing changed"
    };
    out!(
        "{} {verb}: {} at {} Hz ({via})",
        report.output,
        report.geometry,
        report.refresh
    );
    if let Some(profile) = &report.xfce_profile {
        out!("XFCE display profile {profile} updated");
    }
    if let Some(state) = &report.render_loop {
        out!("Render loop: {state}");
    }
    if let Some(note) = &report.gtk_note {
        out!("note: {} is {note}", report.output);
    }
    Ok(())
}

/// Records the XR output in the connected pair's layout, for `watch` to bring back when
/// the pair is plugged in again. A layout that cannot be written is said, not fatal:
/// the change itself stands.
fn remember_for_the_glasses(glasses: Option<&runtime::Glasses>, request: &EnableRequest) {
    let Some((glasses, pair)) = glasses.and_then(|g| Some((g, g.pair.as_deref()?))) else {
        return;
    };
    if let Err(e) = profiles::remember(pair, glasses.model, request.clone()) {
        eprintln!("xrdisplay: note: the layout of glasses {pair} was not remembered: {e}");
    }
}
