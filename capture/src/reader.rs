//! A reader of one output's pixels, by whichever method works: DRM (a CPU mapping of
//! the framebuffer, dumb or exported as DMA-BUF) or the X server (MIT-SHM), with the
//! patched driver's keep-alive while it reads a virtual output.

use std::path::Path;

use xrdisplay_model::{CaptureMethod, Rect};

use crate::drm::{Dmabuf, DrmCapture, DrmMethod, FbSource};
use crate::frame::Frame;
use crate::keepalive::KeepAlive;
use crate::shm::ShmCapture;
use crate::{Error, Result};

/// Which pixels an output shows: a rectangle of the screen's front buffer, or the
/// whole buffer behind its `FRAMEBUFFER_ID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub source: FbSource,
    pub rect: Rect,
    /// The output's `CONNECTOR_ID`, which names its CRTC's framebuffer.
    pub connector: Option<u32>,
    /// The output's `FRAMEBUFFER_ID`, read as the patched driver's keep-alive asks.
    pub framebuffer_id: Option<u32>,
    pub output: Option<String>,
}

impl Target {
    /// In words, for `status` and the log.
    pub fn describe(&self, method: CaptureMethod) -> String {
        let r = self.rect;
        let at = format!("{}x{}+{}+{}", r.width, r.height, r.x, r.y);
        match (method, self.source) {
            (CaptureMethod::Shm, _) => format!("screen {at} through the X server"),
            (_, FbSource::Front) => format!("front buffer {at}"),
            (_, FbSource::Framebuffer(id)) => format!("buffer of FRAMEBUFFER_ID {id}, {at}"),
        }
    }
}

/// What MIT-SHM cannot do: it reads the screen, not a framebuffer by id.
pub const SHM_READS_THE_SCREEN: &str =
    "MIT-SHM reads the screen, not FRAMEBUFFER_ID: use --source front";

/// A connected reader of one target, and the keep-alive a patched driver's virtual
/// output needs.
pub struct Reader {
    kind: ReaderKind,
    source: FbSource,
    /// Where the target is in the buffer read: `read_into`'s frames start there.
    origin: (i32, i32),
    _keepalive: Option<KeepAlive>,
}

enum ReaderKind {
    Shm(Box<ShmCapture>),
    Drm(DrmCapture, DrmMethod),
}

impl Reader {
    /// Opens a reader for `method` on `target` of the X screen on `display` (of
    /// `screen` size); `auto` tries DMA-BUF, then mmap, then MIT-SHM, each with one
    /// trial read. Returns the method used and, when `auto` fell back, why.
    pub fn open(
        display: &str,
        screen: (u32, u32),
        target: &Target,
        method: CaptureMethod,
    ) -> Result<(Reader, CaptureMethod, Option<String>)> {
        let keepalive = match (&target.output, target.framebuffer_id) {
            (Some(output), Some(_)) => Some(KeepAlive::start(Some(display), output)?),
            _ => None,
        };
        let shm_reader = || -> Result<ReaderKind> {
            if target.source != FbSource::Front {
                return Err(Error::unsupported(SHM_READS_THE_SCREEN));
            }
            Ok(ReaderKind::Shm(Box::new(ShmCapture::connect(Some(
                display,
            ))?)))
        };
        let (kind, used, why) = match (method, drm_method(method)) {
            (CaptureMethod::Shm, _) => (shm_reader()?, method, None),
            (_, Some(m)) => {
                let drm = DrmCapture::open(screen, target.connector)?;
                (ReaderKind::Drm(drm, m), method, None)
            }
            (_, None) => {
                let (kind, used, failures) = open_auto(screen, target, shm_reader)?;
                let why = (!failures.is_empty()).then(|| failures.join("; "));
                (kind, used, why)
            }
        };
        Ok((
            Reader {
                kind,
                source: target.source,
                origin: (target.rect.x, target.rect.y),
                _keepalive: keepalive,
            },
            used,
            why,
        ))
    }

    /// Reads `rect` (in the buffer's pixels: the screen's, or the framebuffer's) into
    /// a new frame.
    pub fn grab(&mut self, rect: Rect) -> Result<Frame> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => shm.grab(rect),
            ReaderKind::Drm(drm, method) => drm.snapshot(self.source, rect, *method),
        }
    }

    /// Copies the damaged `rects` (in the target's pixels) into `frame`, the target's
    /// picture kept between reads: one framebuffer look-up and mapping (or one
    /// MIT-SHM read) per batch, each rectangle copied once, straight to its place. A
    /// rectangle outside the frame refuses the batch before anything is written.
    pub fn read_into(&mut self, frame: &mut Frame, rects: &[Rect]) -> Result<()> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => shm.read_into(frame, self.origin, rects),
            ReaderKind::Drm(drm, method) => {
                drm.read_into(self.source, *method, frame, self.origin, rects)
            }
        }
    }

    /// The DRM device read, if any (a GPU import should use the same device).
    pub fn device_path(&self) -> Option<&Path> {
        match &self.kind {
            ReaderKind::Drm(drm, _) => Some(drm.device_path()),
            ReaderKind::Shm(_) => None,
        }
    }

    /// The source exported as DMA-BUF (cached while it is the same framebuffer);
    /// `None` for MIT-SHM.
    pub fn export(&mut self) -> Result<Option<&Dmabuf>> {
        match &mut self.kind {
            ReaderKind::Drm(drm, _) => drm.export(self.source).map(Some),
            ReaderKind::Shm(_) => Ok(None),
        }
    }

    /// Captures `rect` the way a render loop would: MIT-SHM leaves the pixels in the
    /// shared segment, DRM copies them out of the mapping. Returns the bytes captured.
    pub fn capture(&mut self, rect: Rect) -> Result<usize> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => shm.grab_shared(rect).map(<[u8]>::len),
            ReaderKind::Drm(drm, method) => drm
                .snapshot(self.source, rect, *method)
                .map(|f| f.data.len()),
        }
    }
}

/// The DRM way of reading for a method that names one.
fn drm_method(method: CaptureMethod) -> Option<DrmMethod> {
    match method {
        CaptureMethod::Mmap => Some(DrmMethod::Mmap),
        CaptureMethod::Dmabuf => Some(DrmMethod::Dmabuf),
        CaptureMethod::Auto | CaptureMethod::Shm => None,
    }
}

/// The first method whose trial read of one pixel works: DMA-BUF, mmap, then MIT-SHM;
/// with what failed on the way.
fn open_auto(
    screen: (u32, u32),
    target: &Target,
    shm_reader: impl FnOnce() -> Result<ReaderKind>,
) -> Result<(ReaderKind, CaptureMethod, Vec<String>)> {
    let mut failures = Vec::new();
    match DrmCapture::open(screen, target.connector) {
        Ok(mut drm) => {
            let pixel = Rect {
                width: 1,
                height: 1,
                ..target.rect
            };
            for (m, used) in [
                (DrmMethod::Dmabuf, CaptureMethod::Dmabuf),
                (DrmMethod::Mmap, CaptureMethod::Mmap),
            ] {
                match drm.snapshot(target.source, pixel, m) {
                    Ok(_) => return Ok((ReaderKind::Drm(drm, m), used, failures)),
                    Err(e) => failures.push(format!("{used} failed: {e}")),
                }
            }
        }
        Err(e) => failures.push(format!("no DRM capture: {e}")),
    }
    Ok((shm_reader()?, CaptureMethod::Shm, failures))
}
