use serde::Serialize;

use crate::cli::DisableArgs;
use crate::commands::{print_json, Context};
use crate::exit::Result;
use crate::randr::backend::plan_disable;
use crate::randr::{transaction, Session};

#[derive(Serialize)]
struct Report {
    output: String,
    changed: bool,
    dry_run: bool,
    requests: Vec<String>,
}

pub fn run(ctx: &Context, args: &DisableArgs) -> Result<()> {
    let name = ctx.output_name(&args.output)?;
    let session = Session::connect(ctx.display.as_deref())?;
    let state = session.read()?;
    let plan = plan_disable(&state, &name)?;
    let requests: Vec<String> = plan
        .iter()
        .flat_map(|p| p.ops.iter().map(ToString::to_string))
        .collect();
    if let Some(plan) = plan.as_ref().filter(|_| !args.dry_run) {
        transaction::apply(&session, plan)?;
    }
    let report = Report {
        output: name,
        changed: plan.is_some(),
        dry_run: args.dry_run,
        requests,
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
    Ok(())
}
