//! The render thread: owns the GL context, imports or uploads what the mailbox holds,
//! draws it through the transform, presents at the view's refresh.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use xrdisplay_capture::frame::{Frame, Rect};
use xrdisplay_capture::gpu::{Cursor, Renderer};
use xrdisplay_capture::present::Target as GpuTarget;

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
    /// The captured rectangle on the screen, until capture reports it.
    pub screen_rect: Rect,
    pub transform: Transform,
    pub max_frames: Option<u64>,
    /// Keep what the last frame showed (`--save-frame`).
    pub keep_last: bool,
    pub print_stats: bool,
}

/// What the render thread says once its renderer is up: how to feed it.
pub struct Ready {
    pub describe: String,
    pub dmabuf: std::result::Result<(), String>,
}

impl RenderLoop {
    pub fn make_renderer(&self) -> Result<Renderer> {
        let target = match &self.presentation {
            Presentation::Window { rect, .. } => GpuTarget::X11 {
                display: Some(self.display.clone()),
                rect: (rect.x, rect.y, rect.width, rect.height),
            },
            Presentation::Offscreen { size, .. } => GpuTarget::Headless { size: *size },
        };
        Renderer::new(target, self.drm_device.as_deref()).map_err(from_capture)
    }

    /// Renders until stopped; returns the last frame's picture when `keep_last`.
    pub fn run(
        mut self,
        mut renderer: Renderer,
        mailbox: &Mailbox,
        shared: &Shared,
    ) -> Result<Option<Frame>> {
        let mut cursor = CursorTracker::connect(&self.display)?;
        let period = match self.presentation {
            Presentation::Offscreen { refresh, .. } => {
                Some(Duration::from_secs_f64(1.0 / f64::from(refresh)))
            }
            Presentation::Window { .. } => None,
        };
        let view = self.presentation.size();
        let mut screen = self.screen_rect;
        let mut shown: u64 = 0;
        let mut next = Instant::now();
        let mut has_picture = false;
        while !shared.stop.load(Ordering::Relaxed) {
            let (changed, closed) = self.take_mail(&mut renderer, mailbox, shared, &mut screen)?;
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
            let pointer = cursor.poll(screen)?;
            renderer
                .set_cursor(pointer.map(|(image, position)| Cursor {
                    serial: image.serial,
                    width: u32::from(image.width),
                    height: u32::from(image.height),
                    hotspot: (u32::from(image.hot.0), u32::from(image.hot.1)),
                    position,
                    pixels: &image.argb,
                }))
                .map_err(from_capture)?;
            self.transform.apply_requests(shared);
            let (views, tracked) = self.transform.views(view, screen);
            if let (Some(age), Some(ahead)) = (tracked.pose_age_ms, tracked.look_ahead_ms) {
                shared.stats.pose_used(
                    Duration::from_millis(age.max(0) as u64),
                    Duration::from_secs_f32(ahead.max(0.0) / 1e3),
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
            if self.max_frames.is_some_and(|max| shown >= max) {
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
        self.take_mail(&mut renderer, mailbox, shared, &mut screen)?;
        let (views, _) = self.transform.views(view, screen);
        renderer.draw(&views).map_err(from_capture)?;
        renderer.read_back().map(Some).map_err(from_capture)
    }

    /// Hands the renderer what capture posted; returns when the change shown was
    /// first seen, and why capture stopped, if it has.
    fn take_mail(
        &mut self,
        renderer: &mut Renderer,
        mailbox: &Mailbox,
        shared: &Shared,
        screen: &mut Rect,
    ) -> Result<(Option<Instant>, Option<Error>)> {
        let mut slot = mailbox.lock();
        if let Some(rect) = slot.rect {
            *screen = rect;
        }
        if let Some((buffer, rect)) = slot.dmabuf.take() {
            renderer
                .set_source_dmabuf(&buffer, rect)
                .map_err(from_capture)?;
        }
        if !slot.damage.is_empty() {
            if let Some(pixels) = &slot.pixels {
                let layout = pixels.layout();
                shared
                    .stats
                    .measure(Stage::Upload, || {
                        renderer.upload(&pixels.data, layout, &slot.damage)
                    })
                    .map_err(from_capture)?;
            }
            slot.damage.clear();
        }
        Ok((slot.changed_at.take(), slot.closed.clone()))
    }
}
