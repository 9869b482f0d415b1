use crate::capture::Capture;
use crate::cli::SnapshotArgs;
use crate::commands::Context;
use crate::exit::Result;

pub fn run(ctx: &Context, args: &SnapshotArgs) -> Result<()> {
    let Capture {
        name,
        rect,
        mut reader,
        method,
        ..
    } = Capture::open(ctx, &args.output, args.method)?;
    let frame = reader.grab(rect)?;
    frame
        .write_png(&args.file)
        .map_err(crate::capture::from_capture)?;
    out!(
        "{}: {}x{}+{}+{} ({}, {}) written to {}",
        name,
        rect.width,
        rect.height,
        rect.x,
        rect.y,
        frame.format,
        method,
        args.file.display()
    );
    Ok(())
}
