//! `xrdisplay run`: a capture thread and a render thread joined by a latest-frame
//! mailbox, and a control socket for `status`, `disable` and the view commands.
//!
//! Capture follows DAMAGE and RandR (a resized or recreated output is followed, a
//! vanished one ends the loop); the render thread draws at the view's refresh from
//! whatever the mailbox holds newest.

mod capture_loop;
pub mod control;
mod cursor;
mod mailbox;
pub mod present;
mod render_loop;
pub mod stats;
pub mod transform;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

use self::capture_loop::{CaptureLoop, Delivery};
use self::control::{Server, Shared};
use self::mailbox::Mailbox;
use self::present::Presentation;
use self::render_loop::{Ready, RenderLoop};
use self::transform::Transform;
use crate::capture::{from_capture, Reader, Target};
use crate::cli::{CaptureMethod, RunArgs};
use crate::commands::Context;
use crate::config::Settings;
use crate::exit::{Error, Result};
use crate::randr::backend::XrTarget;
use crate::randr::Session;
use crate::runtime;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

pub fn run(ctx: &Context, args: &RunArgs) -> Result<()> {
    let name = ctx.output_name(&args.capture.output)?;
    let session = Session::connect(ctx.display.as_deref())?;
    let state = session.read()?;
    let target = Target::resolve(&state, &name, args.capture.source)?;
    let xr_on_screen = XrTarget::find(&state, &name)
        .rect(&state)
        .ok_or_else(|| Error::usage(format!("{name} is not on the screen")))?;
    let presentation = Presentation::choose(&session, &state, args, xr_on_screen)?;
    let server = runtime::loop_socket(&session.display, &name)
        .map(|path| Server::bind(&path))
        .transpose()?;
    let (mut reader, method, note) = Reader::open(&session, &state, &target, args.capture.method)?;
    let drm_device = reader.device_path().map(std::path::Path::to_path_buf);
    // What a zero-copy import would have to accept.
    let exported = match method {
        CaptureMethod::Dmabuf => reader.export()?.map(|b| (b.fourcc, b.modifier)),
        _ => None,
    };
    catch_signals();

    let shared = Shared::default();
    let mailbox = Mailbox::default();
    let view = Settings::resolve(&ctx.file_config()?.overlay(args.as_config()))?.view;
    let transform = Transform::new(&view, presentation.size());
    shared.set_status(|s| {
        s.pid = std::process::id();
        s.output = name.clone();
        s.source = target.describe(method);
        s.present = presentation.describe();
    });
    transform.report(&shared);
    let render = RenderLoop {
        display: session.display.clone(),
        presentation,
        drm_device,
        screen_rect: xrdisplay_capture::frame::Rect {
            x: u32::try_from(xr_on_screen.x).unwrap_or(0),
            y: u32::try_from(xr_on_screen.y).unwrap_or(0),
            width: xr_on_screen.width,
            height: xr_on_screen.height,
        },
        transform,
        max_frames: args.frames,
        keep_last: args.save_frame.is_some(),
        print_stats: args.stats,
    };
    let first_framebuffer_id = target.framebuffer_id;
    let mut capture = CaptureLoop {
        session,
        name,
        choice: args.capture.source,
        target,
        reader,
        method,
        delivery: Delivery::Pixels,
        first_framebuffer_id,
    };

    let (mailbox, shared) = (&mailbox, &shared);
    let last = std::thread::scope(|scope| {
        let (ready_tx, ready_rx) = mpsc::channel();
        let render = scope.spawn(move || {
            let renderer = match render.make_renderer() {
                Ok(r) => r,
                Err(e) => {
                    let _ = ready_tx.send(None);
                    return Err(e);
                }
            };
            let _ = ready_tx.send(Some(Ready {
                describe: renderer.describe(),
                dmabuf: match exported {
                    Some((fourcc, modifier)) => renderer.can_import_dmabuf(fourcc, modifier),
                    None => Err("the capture method gives no DMA-BUF".into()),
                },
            }));
            render.run(renderer, mailbox, shared)
        });
        if let Ok(Some(ready)) = ready_rx.recv() {
            let (delivery, why) = choose_delivery(method, &ready);
            capture.delivery = delivery;
            shared.set_status(|s| {
                s.renderer = ready.describe;
                s.method = match delivery {
                    Delivery::Dmabuf => "dmabuf (zero-copy import)".into(),
                    Delivery::Pixels => format!("{method} (copy and upload)"),
                };
                s.method_note = [note, why]
                    .into_iter()
                    .flatten()
                    .reduce(|a, b| a + "; " + &b);
            });
            let status = shared.status();
            eprintln!(
                "xrdisplay: capturing {} ({}) by {}{}; presenting {}; renderer {}",
                status.output,
                status.source,
                status.method,
                status
                    .method_note
                    .map_or(String::new(), |n| format!(" ({n})")),
                status.present,
                status.renderer
            );
            scope.spawn(move || capture.run(mailbox, shared));
            if let Some(server) = &server {
                scope.spawn(move || server.serve(shared));
            }
        }
        while !render.is_finished() {
            if INTERRUPTED.load(Ordering::Relaxed) {
                shared.stop.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        shared.stop.store(true, Ordering::Relaxed);
        render
            .join()
            .unwrap_or_else(|_| Err(Error::runtime("the render thread panicked")))
    })?;
    if let (Some(path), Some(last)) = (&args.save_frame, last) {
        last.write_png(path).map_err(from_capture)?;
    }
    Ok(())
}

/// Zero-copy when the capture reads DRM and the renderer imports DMA-BUF; otherwise
/// copies, with why.
fn choose_delivery(method: CaptureMethod, ready: &Ready) -> (Delivery, Option<String>) {
    match (method, &ready.dmabuf) {
        (CaptureMethod::Dmabuf, Ok(())) => (Delivery::Dmabuf, None),
        (CaptureMethod::Dmabuf, Err(why)) => (
            Delivery::Pixels,
            Some(format!(
                "the renderer cannot import DMA-BUF ({why}), so frames are copied"
            )),
        ),
        _ => (Delivery::Pixels, None),
    }
}

fn catch_signals() {
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only stores to an atomic.
        let _ = unsafe { sigaction(signal, &action) };
    }
}
