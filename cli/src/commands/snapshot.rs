use crate::capture::{from_capture, Capture};
use crate::cli::SnapshotArgs;
use crate::commands::Context;
use crate::exit::Result;

pub fn run(ctx: &Context, args: &SnapshotArgs) -> Result<()> {
    let Capture {
        name,
        target,
        mut reader,
        method,
        ..
    } = ctx.open_capture(&args.capture)?;
    let frame = reader.grab(target.rect)?;
    frame.write_png(&args.file).map_err(from_capture)?;
    out!(
        "{name}: {} from the {} by {method}, written to {}",
        frame.format,
        target.describe(method),
        args.file.display()
    );
    Ok(())
}
