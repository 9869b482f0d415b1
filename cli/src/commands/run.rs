use crate::cli::RunArgs;
use crate::commands::Context;
use crate::config::Settings;
use crate::exit::Result;
use crate::pipeline::config::{LoopConfig, PresentConfig};

pub fn run(ctx: &Context, args: &RunArgs) -> Result<()> {
    let anchor = ctx.output_name(&args.capture.output)?;
    let view = Settings::resolve(&ctx.file_config()?.overlay(args.as_config()))?.view;
    crate::pipeline::run(LoopConfig {
        display: ctx.display.clone(),
        anchor,
        also: args.also.clone(),
        method: args.capture.method,
        source: args.capture.source,
        present: PresentConfig {
            choice: args.present,
            on: args.present_on.clone(),
            refresh: args.refresh,
            view_size: args.view_size.map(|s| (s.width, s.height)),
        },
        frames: args.frames,
        save_frame: args.save_frame.clone(),
        stats: args.stats,
        view,
    })
}
