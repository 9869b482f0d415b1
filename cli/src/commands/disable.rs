use serde::Serialize;

use crate::cli::DisableArgs;
use crate::commands::{print_json, Context};
use crate::desktop::xfconf::{self, Xfconf};
use crate::exit::Result;
use crate::profiles;
use crate::randr::backend::{plan_disable, XrTarget};
use crate::randr::state::ScreenState;
use crate::randr::{transaction, Session};
use crate::runtime;
use crate::windows;

#[derive(Serialize)]
struct Report {
    output: String,
    changed: bool,
    dry_run: bool,
    requests: Vec<String>,
    /// A running capture loop for the output was stopped.
    loop_stopped: bool,
    /// The stopped loop also showed other outputs: what happened to the loop started
    /// again for them.
    loop_restarted: Option<String>,
    xfce_profile: Option<String>,
}

pub fn run(ctx: &Context, args: &DisableArgs) -> Result<()> {
    let name = ctx.output_name(&args.output)?;
    let xfce = match args.dry_run {
        true => None,
        false => Xfconf::for_mode(args.xfce)?,
    };
    let session = Session::connect(ctx.display.as_deref())?;
    let state = session.read()?;
    let plan = plan_disable(&state, &name)?;
    // The RandR output behind it, whose profile entry goes with it.
    let randr_output = XrTarget::find(&state, &name)
        .output(&state)
        .map(|o| o.name.clone());
    let requests: Vec<String> = plan
        .iter()
        .flat_map(|p| p.ops.iter().map(ToString::to_string))
        .collect();
    let others = match args.dry_run {
        true => None,
        false => runtime::stop_loop(&session.display, &name),
    };
    // Windows on the XR screen, to bring back once its area is gone.
    let stranded = match XrTarget::find(&state, &name).rect(&state) {
        Some(rect) if plan.is_some() && !args.dry_run => windows::on(&session, rect)?,
        _ => Vec::new(),
    };
    if let Some(plan) = plan.as_ref().filter(|_| !args.dry_run) {
        // A signal now rolls the change back and restores /Notify, instead of
        // leaving RandR half-applied.
        crate::interrupt::catch();
        let hold = xfce.as_ref().map(Xfconf::hold_notify).transpose()?;
        transaction::apply(&session, plan)?;
        hold.map(|h| h.restore()).transpose()?;
    }
    if plan.is_some() && !args.dry_run {
        let after = session.read()?;
        windows::bring_back(&session, &after, &stranded)?;
        forget_for_the_glasses(&session, &after, &name)?;
    }
    let loop_restarted = match &others {
        Some(others) if !others.is_empty() => Some(runtime::spawn_loop(
            &session,
            others,
            ctx.config_path.as_deref(),
        )?),
        _ => None,
    };
    let xfce_profile =
        xfconf::keep_in_step(xfce.as_ref(), &session, randr_output.as_deref(), &name)?;
    let report = Report {
        output: name,
        changed: plan.is_some(),
        dry_run: args.dry_run,
        requests,
        loop_stopped: others.is_some(),
        loop_restarted,
        xfce_profile,
    };
    if args.json {
        return print_json(&report);
    }
    match (report.changed, args.dry_run) {
        (false, _) => out!("{} is not enabled; nothing to do", report.output),
        (true, true) => {
            out!("Would send:");
            for request in &report.requests {
                out!("  {request}");
            }
        }
        (true, false) => out!("{} disabled", report.output),
    }
    match (&report.loop_restarted, report.loop_stopped) {
        (Some(restarted), _) => out!("Capture loop for the other outputs: {restarted}"),
        (None, true) => out!("Capture loop stopped"),
        (None, false) => {}
    }
    if let Some(profile) = &report.xfce_profile {
        out!("XFCE display profile {profile} updated");
    }
    Ok(())
}

/// Drops the XR output from the connected pair's layout: turned off while the pair is
/// plugged in, it stays off when the pair comes back. (When the pair is unplugged,
/// `watch` disables its outputs with no glasses connected, and the layout is kept.)
fn forget_for_the_glasses(session: &Session, state: &ScreenState, name: &str) -> Result<()> {
    let glasses = runtime::Glasses::find(session, state)?;
    if let Some(pair) = glasses.and_then(|g| g.pair) {
        if let Err(e) = profiles::drop_output(&pair, name) {
            eprintln!("xrdisplay: note: the layout of glasses {pair} was not updated: {e}");
        }
    }
    Ok(())
}
