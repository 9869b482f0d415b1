use crate::cli::RunArgs;
use crate::commands::Context;
use crate::exit::Result;

pub fn run(ctx: &Context, args: &RunArgs) -> Result<()> {
    crate::pipeline::run(ctx, args)
}
