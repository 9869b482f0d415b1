//! Process-wide counts of what reading frames costs in requests and copies, for
//! benchmarks to divide by the frames they read (relaxed atomics: a few nanoseconds a
//! read, and nothing else depends on them).

use std::sync::atomic::{AtomicU64, Ordering};

static IOCTLS: AtomicU64 = AtomicU64::new(0);
static X_REQUESTS: AtomicU64 = AtomicU64::new(0);
static BYTES_COPIED: AtomicU64 = AtomicU64::new(0);
static FRAMES_ALLOCATED: AtomicU64 = AtomicU64::new(0);

/// What the reads of this process have cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// DRM and DMA-BUF ioctls issued by the DRM reader.
    pub ioctls: u64,
    /// X requests that read pixels (ShmGetImage), each a round trip.
    pub x_requests: u64,
    /// Pixel bytes copied by this process's CPU.
    pub bytes_copied: u64,
    /// Frames allocated to hold read pixels.
    pub frames_allocated: u64,
}

impl Counts {
    /// Everything counted since `earlier`.
    pub fn since(self, earlier: Counts) -> Counts {
        Counts {
            ioctls: self.ioctls - earlier.ioctls,
            x_requests: self.x_requests - earlier.x_requests,
            bytes_copied: self.bytes_copied - earlier.bytes_copied,
            frames_allocated: self.frames_allocated - earlier.frames_allocated,
        }
    }
}

/// The counts now.
pub fn now() -> Counts {
    Counts {
        ioctls: IOCTLS.load(Ordering::Relaxed),
        x_requests: X_REQUESTS.load(Ordering::Relaxed),
        bytes_copied: BYTES_COPIED.load(Ordering::Relaxed),
        frames_allocated: FRAMES_ALLOCATED.load(Ordering::Relaxed),
    }
}

pub(crate) fn ioctls(n: u64) {
    IOCTLS.fetch_add(n, Ordering::Relaxed);
}

pub(crate) fn x_request() {
    X_REQUESTS.fetch_add(1, Ordering::Relaxed);
}

pub(crate) fn copied(bytes: usize) {
    BYTES_COPIED.fetch_add(bytes as u64, Ordering::Relaxed);
}

pub(crate) fn frame_allocated() {
    FRAMES_ALLOCATED.fetch_add(1, Ordering::Relaxed);
}
