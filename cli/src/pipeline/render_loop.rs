//! The render thread: owns the GL context, imports or uploads what the mailbox holds,
//! draws it through the transform, presents at the view's refresh.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use xrdisplay_capture::frame::Frame;
use xrdisplay_capture::gpu::{Cursor, Renderer};
use xrdisplay_capture::present::Target;
use xrdisplay_model::Rect;

use super::control::Shared;
use super::cursor::CursorTracker;
use super::mailbox::Mailbox;
use super::present::Presentation;
use super::stats::Stage;
use super::transform::Transform;
use crate::capture::from_capture;
use crate::exit::{Error, Result};

pub struct RenderLoop {
    pub display: String,
    pub presentation: Presentation,
    pub drm_device: Option<PathBuf>,
    /// The captured outputs' rectangles on the X screen, the anchor first, until
    /// capture reports them.
    pub screens: Vec<Rect>,
    pub transform: Transform,
    pub max_frames: Option<u64>,
    /// Keep what the last frame showed (`--save-frame`).
    pub keep_last: bool,
    pub print_stats: bool,
}

/// What the render thread says once its renderer is up: how to feed it.
pub struct Ready {
    pub describe: String,
    /// Per captured output: whether its DMA-BUFs import, or why not.
    pub dmabuf: Vec<std::result::Result<(), String>>,
}

impl RenderLoop {
    pub fn make_renderer(&self) -> Result<Renderer> {
        Renderer::new(self.presentation.target.clone(), self.drm_device.as_deref())
            .map_err(from_capture)
    }

    /// Renders until stopped, from one mailbox per screen; returns the last frame's
    /// picture when `keep_last`.
    pub fn run(
        mut self,
        mut renderer: Renderer,
        mailboxes: &[Mailbox],
        shared: &Shared,
    ) -> Result<Option<Frame>> {
        // Pacing waits on the anchor's mailbox: it wakes early for the anchor's news,
        // and the other screens' news is drawn at the next frame anyway.
        let Some(mailbox) = mailboxes.first() else {
            return Err(Error::usage("a loop needs an output to capture"));
        };
        let mut cursor = CursorTracker::connect(&self.display)?;
        let period = match self.presentation.target {
            Target::Offscreen(_) => Some(Duration::from_secs_f64(1.0 / self.presentation.refresh)),
            // Swaps and flips wait for vsync.
            Target::Window(_) | Target::Lease(_) => None,
        };
        let view = self.presentation.size();
        let mut screens = self.screens.clone();
        let mut shown: u64 = 0;
        let mut next = Instant::now();
        let mut has_picture = false;
        while !shared.stop.load(Ordering::Relaxed) {
            let (changed, closed) = take_mail(&mut renderer, mailboxes, shared, &mut screens)?;
            if let Some(failure) = closed {
                shared.stop.store(true, Ordering::Relaxed);
                return Err(failure);
            }
            // Nothing is shown before the first capture arrives.
            has_picture |= changed.is_some();
            if !has_picture {
                mailbox.wait(Duration::from_millis(100));
                continue;
            }
            let around = bounds(&screens);
            let pointer = cursor.poll(around)?;
            renderer
                .set_cursor(pointer.map(|(image, position)| Cursor {
                    serial: image.serial,
                    width: u32::from(image.width),
                    height: u32::from(image.height),
                    hotspot: (u32::from(image.hot.0), u32::from(image.hot.1)),
                    // On the X screen, where the quads' origins are.
                    position: (position.0 + around.x, position.1 + around.y),
                    pixels: &image.argb,
                }))
                .map_err(from_capture)?;
            self.transform.apply_requests(shared);
            let (views, tracked) = self.transform.views(view, &screens);
            if let (Some(age), Some(ahead)) = (tracked.pose_age_ms, tracked.look_ahead_ms) {
                shared.stats.pose_used(
                    Duration::from_millis(age.max(0) as u64),
                    Duration::from_secs_f32(ahead.max(0.0) / 1e3),
                    tracked.still,
                );
            }
            shared
                .stats
                .measure(Stage::Draw, || renderer.draw(&views))
                .map_err(from_capture)?;
            shared
                .stats
                .measure(Stage::Present, || renderer.present())
                .map_err(from_capture)?;
            shared.stats.presented(changed);
            shown += 1;
            if let Some(report) = shared.stats.take_if_due() {
                if self.print_stats {
                    eprintln!("{report}");
                }
                self.transform.report(shared);
            }
            // A replay's end: this frame showed its final pose.
            if self.max_frames.is_some_and(|max| shown >= max) || tracked.finished {
                break;
            }
            if let Some(period) = period {
                next += period;
                match next.checked_duration_since(Instant::now()) {
                    Some(wait) => mailbox.wait(wait),
                    None => next = Instant::now(),
                }
            }
        }
        shared.stop.store(true, Ordering::Relaxed);
        if !self.keep_last {
            return Ok(None);
        }
        // Drawn once more from the newest capture, without presenting: after a swap a
        // window's back buffer holds nothing defined.
        take_mail(&mut renderer, mailboxes, shared, &mut screens)?;
        let (views, _) = self.transform.views(view, &screens);
        renderer.draw(&views).map_err(from_capture)?;
        renderer.read_back().map(Some).map_err(from_capture)
    }
}

/// Hands the renderer what capture posted for each screen; returns when the oldest
/// change shown was first seen, and why capture stopped, if it has.
fn take_mail(
    renderer: &mut Renderer,
    mailboxes: &[Mailbox],
    shared: &Shared,
    screens: &mut [Rect],
) -> Result<(Option<Instant>, Option<Error>)> {
    let mut changed: Option<Instant> = None;
    for (index, (mailbox, screen)) in mailboxes.iter().zip(screens.iter_mut()).enumerate() {
        let mut slot = mailbox.lock();
        if let Some(rect) = slot.rect {
            *screen = rect;
        }
        if slot.gone {
            renderer.forget(index);
        }
        if let Some((buffer, rect)) = slot.dmabuf.take() {
            renderer
                .set_source_dmabuf(index, &buffer, rect)
                .map_err(from_capture)?;
        }
        if !slot.damage.is_empty() {
            if let Some(pixels) = &slot.pixels {
                let layout = pixels.layout();
                shared
                    .stats
                    .measure(Stage::Upload, || {
                        renderer.upload(index, &pixels.data, layout, &slot.damage)
                    })
                    .map_err(from_capture)?;
            }
            slot.damage.clear();
        }
        if let Some(closed) = &slot.closed {
            return Ok((changed, Some(closed.clone())));
        }
        changed = changed.into_iter().chain(slot.changed_at.take()).min();
    }
    Ok((changed, None))
}

/// The smallest rectangle holding all `rects`.
fn bounds(rects: &[Rect]) -> Rect {
    rects.iter().fold(Rect::default(), |b, r| b.union(r))
}
