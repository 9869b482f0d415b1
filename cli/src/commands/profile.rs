//! `xrdisplay profile list|forget`: the layouts `watch` brings back per pair of glasses.

use crate::cli::{ProfileAction, ProfileArgs};
use crate::commands::print_json;
use crate::exit::Result;
use crate::profiles;

pub fn run(args: &ProfileArgs) -> Result<()> {
    match &args.action {
        ProfileAction::List { json } => {
            let pairs = profiles::list()?;
            if *json {
                let listing: Vec<serde_json::Value> = pairs
                    .iter()
                    .map(|(pair, p)| serde_json::json!({ "pair": pair, "model": p.model, "outputs": p.outputs }))
                    .collect();
                return print_json(&listing);
            }
            if pairs.is_empty() {
                out!("No glasses remembered yet: plug a pair in while `xrdisplay watch` runs, or enable with it connected");
            }
            for (pair, profile) in &pairs {
                let outputs: Vec<String> = profile
                    .outputs
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}x{}@{} ({})",
                            e.output, e.size.width, e.size.height, e.refresh, e.placement
                        )
                    })
                    .collect();
                out!(
                    "{pair}  {}: {}",
                    profile.model.as_deref().unwrap_or("glasses"),
                    if outputs.is_empty() {
                        "nothing enabled".to_string()
                    } else {
                        outputs.join(", ")
                    }
                );
            }
        }
        ProfileAction::Forget { pair } => {
            if profiles::forget(pair)? {
                out!("Forgot the layout of {pair}");
            } else {
                out!("No layout remembered for {pair}; nothing to do");
            }
        }
    }
    Ok(())
}
