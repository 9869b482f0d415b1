//! The CLI's side of capture: which rectangle of the screen an output shows, and the
//! capture library's errors as exit codes.

use xrdisplay_capture::drm::{DrmCapture, DrmMethod, FbSource};
use xrdisplay_capture::frame::{Frame, Rect};
use xrdisplay_capture::keepalive::KeepAlive;
use xrdisplay_capture::shm::ShmCapture;

use crate::cli::CaptureMethod;
use crate::commands::Context;
use crate::exit::{Error, Kind, Result};
use crate::randr::backend::XrTarget;
use crate::randr::state::ScreenState;
use crate::randr::Session;

/// What a capture command starts from: the output, where it is, and a reader for it.
pub struct Capture {
    pub session: Session,
    pub name: String,
    pub rect: Rect,
    pub reader: Reader,
    pub method: CaptureMethod,
}

impl Capture {
    /// Connects, finds the output (the flag, else the configured XR output) and opens a
    /// reader; says on stderr when `auto` had to fall back to MIT-SHM, and why.
    pub fn open(ctx: &Context, output: &Option<String>, method: CaptureMethod) -> Result<Capture> {
        let name = ctx.output_name(output)?;
        let session = Session::connect(ctx.display.as_deref())?;
        let state = session.read()?;
        let rect = output_rect(&state, &name)?;
        let (reader, method, fallback) = Reader::open(&session, &state, &name, method)?;
        if let Some(why) = fallback {
            eprintln!("xrdisplay: using MIT-SHM because DRM capture is not possible here: {why}");
        }
        Ok(Capture {
            session,
            name,
            rect,
            reader,
            method,
        })
    }
}

/// Where on the screen the output `name` (an XR output, monitor or any output) is.
fn output_rect(state: &ScreenState, name: &str) -> Result<Rect> {
    let rect = XrTarget::find(state, name).rect(state).ok_or_else(|| {
        Error::usage(format!(
            "{name} is not on the screen: run `xrdisplay enable --output {name}` first, or name an active output"
        ))
    })?;
    Ok(Rect {
        x: u32::try_from(rect.x).unwrap_or(0),
        y: u32::try_from(rect.y).unwrap_or(0),
        width: rect.width,
        height: rect.height,
    })
}

/// A connected reader, and the keep-alive a patched driver's virtual output needs.
pub struct Reader {
    kind: ReaderKind,
    _keepalive: Option<KeepAlive>,
}

enum ReaderKind {
    Shm(Box<ShmCapture>),
    Drm(DrmCapture, DrmMethod),
}

impl Reader {
    /// Opens a reader for `method` on the output `name`; `auto` tries DMA-BUF, then
    /// mmap, then MIT-SHM. Returns the method used and, when `auto` fell back to
    /// MIT-SHM, why DRM was not used.
    pub fn open(
        session: &Session,
        state: &ScreenState,
        name: &str,
        method: CaptureMethod,
    ) -> Result<(Reader, CaptureMethod, Option<String>)> {
        let output = XrTarget::find(state, name).output(state).cloned();
        let keepalive = match output.as_ref().filter(|o| o.framebuffer_id.is_some()) {
            Some(o) => {
                Some(KeepAlive::start(Some(&session.display), &o.name).map_err(from_capture)?)
            }
            None => None,
        };
        let screen = (u32::from(state.width), u32::from(state.height));
        let connector = output.as_ref().and_then(|o| o.connector_id);
        let drm = |m: DrmMethod| DrmCapture::open(screen, connector).map(|d| ReaderKind::Drm(d, m));
        let (kind, used, why) = match method {
            CaptureMethod::Shm => (
                ReaderKind::Shm(Box::new(shm(session)?)),
                CaptureMethod::Shm,
                None,
            ),
            CaptureMethod::Mmap => (drm(DrmMethod::Mmap).map_err(from_capture)?, method, None),
            CaptureMethod::Dmabuf => (drm(DrmMethod::Dmabuf).map_err(from_capture)?, method, None),
            CaptureMethod::Auto => match drm(DrmMethod::Dmabuf) {
                Ok(kind) => (kind, CaptureMethod::Dmabuf, None),
                Err(e) => (
                    ReaderKind::Shm(Box::new(shm(session)?)),
                    CaptureMethod::Shm,
                    Some(e.to_string()),
                ),
            },
        };
        Ok((
            Reader {
                kind,
                _keepalive: keepalive,
            },
            used,
            why,
        ))
    }

    pub fn grab(&mut self, rect: Rect) -> Result<Frame> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => shm.grab(rect),
            ReaderKind::Drm(drm, method) => drm.snapshot(FbSource::Front, rect, *method),
        }
        .map_err(from_capture)
    }

    /// Captures `rect` the way a render loop would: MIT-SHM leaves the pixels in the
    /// shared segment, DRM copies them out of the mapping. Returns the bytes captured.
    pub fn capture(&mut self, rect: Rect) -> Result<usize> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => shm.grab_shared(rect).map(<[u8]>::len),
            ReaderKind::Drm(drm, method) => drm
                .snapshot(FbSource::Front, rect, *method)
                .map(|f| f.data.len()),
        }
        .map_err(from_capture)
    }

    /// The MIT-SHM reader, for damage tracking.
    pub fn shm(&mut self) -> Option<&mut ShmCapture> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => Some(shm),
            ReaderKind::Drm(..) => None,
        }
    }
}

fn shm(session: &Session) -> Result<ShmCapture> {
    ShmCapture::connect(Some(&session.display)).map_err(from_capture)
}

/// The capture library's errors as exit codes.
pub fn from_capture(e: xrdisplay_capture::Error) -> Error {
    use xrdisplay_capture::Error as E;
    let kind = match &e {
        E::Io(_) | E::Geometry(_) | E::Vanished(_) => Kind::Runtime,
        E::Unsupported(_) | E::Permission(_) => Kind::Unsupported,
        E::X(_) => Kind::Server,
    };
    Error::new(kind, e.to_string())
}
