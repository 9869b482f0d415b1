//! The capture thread: follows the output through RandR changes and copies (or
//! exports) what DAMAGE says changed into the mailbox.

use std::os::fd::AsFd;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use x11rb::connection::Connection as _;
use xrdisplay_capture::damage::DamageWatch;
use xrdisplay_model::Rect;

use super::control::Shared;
use super::mailbox::Mailbox;
use super::stats::Stage;
use crate::capture::{from_capture, open_reader, resolve_target, Reader, Target};
use crate::exit::{Error, Kind, Result};
use crate::randr::events::is_layout_event;
use crate::randr::Session;
use xrdisplay_model::{CaptureMethod, SourceChoice};

/// How often the loop looks at its stop flag when nothing happens.
const TICK: Duration = Duration::from_millis(100);
/// How long the output may stay impossible to follow before the loop gives up (the
/// anchor) or hides it until it is back (an output beside the anchor).
const LOST_GRACE: Duration = Duration::from_secs(3);

/// What the capture thread hands the renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// DMA-BUF exports the renderer imports (a GPU import, unlike the CPU mapping of
    /// `CaptureMethod::Dmabuf`): it samples the scanout buffer itself.
    Import,
    /// Copies of the damaged pixels.
    Pixels,
}

pub struct CaptureLoop {
    /// Which of the loop's outputs this is (0: the anchor).
    pub index: usize,
    pub session: Session,
    pub name: String,
    pub choice: SourceChoice,
    pub target: Target,
    pub reader: Reader,
    pub method: CaptureMethod,
    pub delivery: Delivery,
    /// The output's FRAMEBUFFER_ID when the loop started: `--source auto` moves to
    /// that buffer once the property changes.
    pub first_framebuffer_id: Option<u32>,
}

impl CaptureLoop {
    /// Runs until `stop` is set, the output goes away or the X server fails; a failure
    /// is left in the mailbox for the render thread to end with.
    pub fn run(mut self, mailbox: &Mailbox, shared: &Shared) {
        if let Err(e) = self.capture(mailbox, shared) {
            mailbox.close(e);
        }
    }

    fn capture(&mut self, mailbox: &Mailbox, shared: &Shared) -> Result<()> {
        let mut damage = DamageWatch::connect(Some(&self.session.display)).map_err(from_capture)?;
        self.session.watch_layout()?;
        let mut exported = None;
        // Since when the output could not be followed (it is off or mid-change).
        let mut lost_since: Option<Instant> = None;
        let mut hidden = false;
        while !shared.stop.load(Ordering::Relaxed) {
            let mut relayout = lost_since.is_some();
            while let Some(event) = self.session.conn.poll_for_event()? {
                relayout |= is_layout_event(&event);
            }
            if relayout {
                match self.follow_layout() {
                    Ok(()) => {
                        lost_since = None;
                        if std::mem::take(&mut hidden) {
                            mailbox.lock().gone = false;
                        }
                    }
                    // A dead X server ends the loop at once; anything else may be a
                    // layout change half done (a transaction turns CRTCs off and on).
                    Err(e) if e.kind == Kind::Server => return Err(e),
                    Err(e) => {
                        let since = *lost_since.get_or_insert_with(Instant::now);
                        if since.elapsed() > LOST_GRACE {
                            if self.index == 0 {
                                return Err(e);
                            }
                            if !hidden {
                                hidden = true;
                                self.hide(mailbox, shared, &e);
                            }
                        }
                        wait_for_events(&self.session, &damage)?;
                        continue;
                    }
                }
                let source = self.target.describe(self.method);
                shared.set_status(|s| s.set_source(self.index, source));
            }
            let mut rects = damage.take(self.target.rect).map_err(from_capture)?;
            if relayout {
                rects = vec![self.target.rect.at(0, 0)];
                exported = None;
            }
            if rects.is_empty() {
                wait_for_events(&self.session, &damage)?;
                continue;
            }
            let seen = Instant::now();
            let captured = shared
                .stats
                .measure(Stage::Capture, || match self.delivery {
                    Delivery::Import => self.export(mailbox, &rects, seen, &mut exported),
                    Delivery::Pixels => self.copy(mailbox, &rects, seen, relayout),
                });
            if let Err(e) = captured {
                // The layout may have changed under the read (damage of a screen that
                // then shrank names a rectangle that is gone): re-read it before giving
                // up, unless the server itself is gone.
                let since = *lost_since.get_or_insert_with(Instant::now);
                if since.elapsed() > LOST_GRACE || self.session.read().is_err() {
                    return Err(e);
                }
                continue;
            }
            shared.stats.captured();
        }
        Ok(())
    }

    /// Stops showing an output beside the anchor that is gone, and says so; it is
    /// shown again once it is back.
    fn hide(&self, mailbox: &Mailbox, shared: &Shared, why: &Error) {
        {
            let mut slot = mailbox.lock();
            slot.gone = true;
            slot.pixels = None;
            slot.dmabuf = None;
            slot.damage.clear();
        }
        eprintln!(
            "xrdisplay: {} is gone; showing the other outputs until it is back",
            self.name
        );
        let note = format!("gone ({why}); shown again when it is back");
        shared.set_status(|s| s.set_source(self.index, note));
    }

    /// Re-reads the layout after a RandR event and reopens the reader on it.
    fn follow_layout(&mut self) -> Result<()> {
        let state = self.session.read()?;
        let mut choice = self.choice;
        let framebuffer_id = resolve_target(&state, &self.name, SourceChoice::Front)
            .ok()
            .and_then(|t| t.framebuffer_id);
        if choice == SourceChoice::Auto
            && framebuffer_id.is_some()
            && framebuffer_id != self.first_framebuffer_id
            && self.method != CaptureMethod::Shm
        {
            eprintln!(
                "xrdisplay: {} has a new FRAMEBUFFER_ID; reading that buffer from now on",
                self.name
            );
            choice = SourceChoice::FramebufferId;
            self.choice = choice;
        }
        let target = resolve_target(&state, &self.name, choice).map_err(|_| {
            Error::runtime(format!(
                "{} is gone from the screen; capture stopped",
                self.name
            ))
        })?;
        // Reopen even for the same target: a framebuffer of the same size can come
        // back under the old id, and MIT-SHM's segment is sized for the old screen.
        let (reader, _, _) = open_reader(&self.session, &state, &target, self.method)?;
        self.reader = reader;
        self.target = target;
        Ok(())
    }

    fn export(
        &mut self,
        mailbox: &Mailbox,
        rects: &[Rect],
        seen: Instant,
        exported: &mut Option<(u32, u32, u32, Rect)>,
    ) -> Result<()> {
        let buffer = self
            .reader
            .export()?
            .ok_or_else(|| Error::runtime("MIT-SHM cannot export DMA-BUFs"))?;
        let key = (buffer.fb_id, buffer.width, buffer.height, self.target.rect);
        let fresh = (*exported != Some(key))
            .then(|| buffer.try_clone())
            .transpose()
            .map_err(from_capture)?;
        let mut slot = mailbox.lock();
        slot.rect = Some(self.target.rect);
        if let Some(buffer) = fresh {
            slot.dmabuf = Some((buffer, self.target.rect));
            *exported = Some(key);
        }
        mailbox.post(&mut slot, rects, seen);
        Ok(())
    }

    /// Reads the damaged `rects` straight into the mailbox's frame, under its lock
    /// (as the renderer uploads from it under the lock); a new or resized output, or
    /// a reader reopened after a layout change, is read whole into a new frame.
    fn copy(
        &mut self,
        mailbox: &Mailbox,
        rects: &[Rect],
        seen: Instant,
        reopened: bool,
    ) -> Result<()> {
        let rect = self.target.rect;
        let mut slot = mailbox.lock();
        match slot.pixels.as_mut() {
            Some(pixels)
                if !reopened && (pixels.width, pixels.height) == (rect.width, rect.height) =>
            {
                self.reader.read_into(pixels, rects)?;
                mailbox.post(&mut slot, rects, seen);
            }
            _ => {
                drop(slot);
                let frame = self.reader.grab(rect)?;
                let mut slot = mailbox.lock();
                slot.rect = Some(rect);
                slot.pixels = Some(frame);
                slot.damage.clear();
                mailbox.post(&mut slot, &[rect.at(0, 0)], seen);
            }
        }
        Ok(())
    }
}

/// Waits for X events (RandR or damage), at most one tick.
fn wait_for_events(session: &Session, damage: &DamageWatch) -> Result<()> {
    let mut fds = [
        PollFd::new(session.conn.stream().as_fd(), PollFlags::POLLIN),
        PollFd::new(damage.as_fd(), PollFlags::POLLIN),
    ];
    let millis = u16::try_from(TICK.as_millis()).unwrap_or(u16::MAX);
    poll(&mut fds, PollTimeout::from(millis))
        .map_err(|e| Error::runtime(format!("waiting for X events failed: {e}")))?;
    Ok(())
}
