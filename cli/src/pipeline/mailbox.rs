//! The latest-frame mailbox between the capture thread and the render thread.
//!
//! Capture follows the source's updates (say 60 Hz), rendering the glasses' refresh
//! (say 90 Hz); neither waits for the other. The mailbox holds one picture, patched
//! in place where the screen was damaged, plus the damage the renderer has not
//! uploaded yet: a slow renderer sees the newest pixels, never a queue.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use xrdisplay_capture::drm::Dmabuf;

use crate::exit::Error;
use xrdisplay_capture::frame::Frame;
use xrdisplay_model::Rect;

/// Beyond this many separate rectangles the pending damage becomes their bounding box.
const MAX_DAMAGE_RECTS: usize = 16;

#[derive(Default)]
pub struct Slot {
    /// The source rectangle's pixels (CPU methods), patched where damaged.
    pub pixels: Option<Frame>,
    /// The source rectangle now (it moves and resizes with the output).
    pub rect: Option<Rect>,
    /// Damage not uploaded yet, relative to the source rectangle.
    pub damage: Vec<Rect>,
    /// A new DMA-BUF source for the renderer to import, replacing the previous one,
    /// and where the picture is in it.
    pub dmabuf: Option<(Dmabuf, Rect)>,
    /// The output is gone from the screen (one beside the anchor, which the loop
    /// waits for): not drawn until it is back.
    pub gone: bool,
    /// When the oldest change not shown yet was seen (for the frame age).
    pub changed_at: Option<Instant>,
    /// Why capture failed, once it has.
    pub closed: Option<Error>,
}

#[derive(Default)]
pub struct Mailbox {
    slot: Mutex<Slot>,
    posted: Condvar,
}

impl Mailbox {
    /// The slot, for the capture thread to patch or the render thread to drain.
    pub fn lock(&self) -> MutexGuard<'_, Slot> {
        // A thread that panicked while holding the lock left plain data behind.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a change (damage rectangles, or a new DMA-BUF) seen at `at`.
    pub fn post(&self, slot: &mut Slot, damage: &[Rect], at: Instant) {
        slot.changed_at.get_or_insert(at);
        merge_damage(&mut slot.damage, damage);
        self.posted.notify_all();
    }

    pub fn close(&self, why: Error) {
        let mut slot = self.lock();
        slot.closed.get_or_insert(why);
        self.posted.notify_all();
    }

    /// Waits up to `timeout` for something to be posted (for headless renderers that
    /// would otherwise spin).
    pub fn wait(&self, timeout: Duration) {
        let slot = self.lock();
        if slot.damage.is_empty() && slot.dmabuf.is_none() && slot.closed.is_none() {
            let _ = self.posted.wait_timeout(slot, timeout);
        }
    }
}

/// Adds `new` to `pending`, dropping rectangles a new one covers and collapsing to the
/// bounding box when there are too many.
fn merge_damage(pending: &mut Vec<Rect>, new: &[Rect]) {
    for r in new {
        pending.retain(|p| !r.contains(p));
        if !pending.iter().any(|p| p.contains(r)) {
            pending.push(*r);
        }
    }
    if pending.len() > MAX_DAMAGE_RECTS {
        let bounds = pending.iter().fold(Rect::default(), |b, r| b.union(r));
        *pending = vec![bounds];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect::new(x, y, width, height)
    }

    #[test]
    fn damage_keeps_the_outermost_rectangles_and_stays_bounded() {
        let mut pending = vec![r(10, 10, 5, 5)];
        merge_damage(&mut pending, &[r(0, 0, 20, 20), r(1, 1, 2, 2)]);
        assert_eq!(pending, vec![r(0, 0, 20, 20)]);
        let many: Vec<Rect> = (0..40).map(|i| r(100 + i * 10, 50, 5, 5)).collect();
        merge_damage(&mut pending, &many);
        assert_eq!(pending, vec![r(0, 0, 495, 55)]);
    }

    #[test]
    fn the_oldest_unshown_change_sets_the_frame_age() {
        let mailbox = Mailbox::default();
        let first = Instant::now();
        let mut slot = mailbox.lock();
        mailbox.post(&mut slot, &[r(0, 0, 1, 1)], first);
        mailbox.post(
            &mut slot,
            &[r(1, 1, 1, 1)],
            first + Duration::from_millis(5),
        );
        assert_eq!(slot.changed_at, Some(first));
        assert_eq!(slot.damage.len(), 2);
    }
}
