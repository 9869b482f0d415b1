//! `xrdisplay run`: a capture thread per captured output and a render thread, joined
//! by latest-frame mailboxes, and a control socket per output for `status`,
//! `disable` and the view commands.
//!
//! Capture follows DAMAGE and RandR (a resized or recreated output is followed, a
//! vanished one ends the loop); the render thread draws at the view's refresh from
//! whatever the mailbox holds newest.

mod capture_loop;
pub mod config;
pub mod control;
mod cursor;
mod mailbox;
pub mod present;
mod render_loop;
pub mod stats;
pub mod transform;

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use self::capture_loop::{CaptureLoop, Delivery};
use self::config::LoopConfig;
use self::control::{AlsoShown, Server, Shared};
use self::mailbox::Mailbox;
use self::present::Presentation;
use self::render_loop::{Ready, RenderLoop};
use self::transform::Transform;
use crate::capture::{from_capture, open_reader, output_on_screen, resolve_target, Reader, Target};
use crate::exit::{Error, Result};
use crate::randr::state::ScreenState;
use crate::randr::Session;
use crate::runtime;
use xrdisplay_model::CaptureMethod;
use xrdisplay_model::Rect;

/// One captured output: its own X connection (for its capture thread) and reader.
struct Feed {
    name: String,
    session: Session,
    target: Target,
    /// Where the output is on the X screen.
    on_screen: Rect,
    reader: Reader,
    method: CaptureMethod,
    /// Why `--method auto` did not get a better method.
    note: Option<String>,
    /// The format and modifier a zero-copy import would have to accept.
    exported: Option<(u32, Option<u64>)>,
}

impl Feed {
    /// Opens `name` as `state` (the screen read once for all feeds) shows it.
    fn open(display: &str, state: &ScreenState, name: &str, config: &LoopConfig) -> Result<Feed> {
        let session = Session::connect(Some(display))?;
        let target = resolve_target(state, name, config.source)?;
        let on_screen = output_on_screen(state, name)?;
        let (mut reader, method, note) = open_reader(&session, state, &target, config.method)?;
        let exported = match method {
            CaptureMethod::Dmabuf => reader.export()?.map(|b| (b.fourcc, b.modifier)),
            _ => None,
        };
        Ok(Feed {
            name: name.to_string(),
            session,
            target,
            on_screen,
            reader,
            method,
            note,
            exported,
        })
    }
}

pub fn run(config: LoopConfig) -> Result<()> {
    let names = config.outputs();
    let session = Session::connect(config.display.as_deref())?;
    let state = session.read()?;
    let feeds = names
        .iter()
        .map(|name| Feed::open(&session.display, &state, name, &config))
        .collect::<Result<Vec<Feed>>>()?;
    let on_screen: Vec<Rect> = feeds.iter().map(|f| f.on_screen).collect();
    let presentation = Presentation::choose(&session, &state, &config.present, &on_screen)?;
    let servers = names
        .iter()
        .filter_map(|name| runtime::loop_socket(&session.display, name))
        .map(|path| Server::bind(&path))
        .collect::<Result<Vec<Server>>>()?;
    let drm_device = feeds[0]
        .reader
        .device_path()
        .map(std::path::Path::to_path_buf);
    let exported: Vec<_> = feeds.iter().map(|f| f.exported).collect();
    crate::interrupt::catch();

    let shared = Shared::default();
    let mailboxes: Vec<Mailbox> = feeds.iter().map(|_| Mailbox::default()).collect();
    let transform = Transform::new(&config.view, presentation.size()).map_err(Error::usage)?;
    if let Some(dir) = transform.driver_dir() {
        let _ = shared.driver_dir.set(dir.to_path_buf());
    }
    shared.set_status(|s| {
        s.pid = std::process::id();
        s.output = names[0].clone();
        s.source = feeds[0].target.describe(feeds[0].method);
        s.also = feeds[1..]
            .iter()
            .map(|f| AlsoShown {
                output: f.name.clone(),
                source: f.target.describe(f.method),
            })
            .collect();
        s.present = presentation.describe();
    });
    transform.report(&shared);
    let render = RenderLoop {
        display: session.display.clone(),
        presentation,
        drm_device,
        screens: on_screen.clone(),
        transform,
        max_frames: config.frames,
        keep_last: config.save_frame.is_some(),
        print_stats: config.stats,
    };
    let notes: Vec<Option<String>> = feeds.iter().map(|f| f.note.clone()).collect();
    let mut captures: Vec<CaptureLoop> = feeds
        .into_iter()
        .enumerate()
        .map(|(index, feed)| CaptureLoop {
            index,
            first_framebuffer_id: feed.target.framebuffer_id,
            session: feed.session,
            name: feed.name,
            choice: config.source,
            target: feed.target,
            reader: feed.reader,
            method: feed.method,
            delivery: Delivery::Pixels,
        })
        .collect();

    let (mailboxes, shared) = (&mailboxes[..], &shared);
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
                dmabuf: exported
                    .iter()
                    .map(|e| match e {
                        Some((fourcc, modifier)) => renderer.can_import_dmabuf(*fourcc, *modifier),
                        None => Err("the capture method gives no DMA-BUF".into()),
                    })
                    .collect(),
            }));
            render.run(renderer, mailboxes, shared)
        });
        if let Ok(Some(ready)) = ready_rx.recv() {
            let mut why = None;
            for (capture, dmabuf) in captures.iter_mut().zip(&ready.dmabuf) {
                let (delivery, reason) = choose_delivery(capture.method, dmabuf);
                capture.delivery = delivery;
                why = why.or(reason);
            }
            let (method, delivery) = (captures[0].method, captures[0].delivery);
            shared.set_status(|s| {
                s.renderer = ready.describe;
                s.method = match delivery {
                    Delivery::Import => "dmabuf (zero-copy import)".into(),
                    Delivery::Pixels => format!("{method} (copy and upload)"),
                };
                s.method_note = notes
                    .into_iter()
                    .flatten()
                    .chain(why)
                    .reduce(|a, b| a + "; " + &b);
            });
            let status = shared.status();
            let also = status
                .also
                .iter()
                .map(|a| format!(" and {} ({})", a.output, a.source))
                .collect::<String>();
            eprintln!(
                "xrdisplay: capturing {} ({}){also} by {}{}; presenting {}; renderer {}",
                status.output,
                status.source,
                status.method,
                status
                    .method_note
                    .map_or(String::new(), |n| format!(" ({n})")),
                status.present,
                status.renderer
            );
            for (capture, mailbox) in captures.into_iter().zip(mailboxes) {
                scope.spawn(move || capture.run(mailbox, shared));
            }
            for server in &servers {
                scope.spawn(move || server.serve(shared));
            }
        }
        while !render.is_finished() {
            if crate::interrupt::caught().is_some() {
                shared.stop.store(true, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        shared.stop.store(true, Ordering::Relaxed);
        render
            .join()
            .unwrap_or_else(|_| Err(Error::runtime("the render thread panicked")))
    })?;
    if let (Some(path), Some(last)) = (&config.save_frame, last) {
        last.write_png(path).map_err(from_capture)?;
    }
    Ok(())
}

/// Zero-copy when the capture reads DRM and the renderer imports DMA-BUF; otherwise
/// copies, with why.
fn choose_delivery(
    method: CaptureMethod,
    dmabuf: &std::result::Result<(), String>,
) -> (Delivery, Option<String>) {
    match (method, dmabuf) {
        (CaptureMethod::Dmabuf, Ok(())) => (Delivery::Import, None),
        (CaptureMethod::Dmabuf, Err(why)) => (
            Delivery::Pixels,
            Some(format!(
                "the renderer cannot import DMA-BUF ({why}), so frames are copied"
            )),
        ),
        _ => (Delivery::Pixels, None),
    }
}
