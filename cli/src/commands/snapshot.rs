use crate::capture::{output_rect, Reader};
use crate::cli::SnapshotArgs;
use crate::commands::Context;
use crate::exit::Result;
use crate::randr::Session;

pub fn run(ctx: &Context, args: &SnapshotArgs) -> Result<()> {
    let name = ctx.output_name(&args.output)?;
    let session = Session::connect(ctx.display.as_deref())?;
    let rect = output_rect(&session, &name)?;
    let (mut reader, method, fallback) = Reader::open(&session, &name, args.method)?;
    if let Some(why) = fallback {
        eprintln!("xrdisplay: using MIT-SHM because DRM capture is not possible here: {why}");
    }
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
