//! The CLI's side of capture: which rectangle of the screen an output shows, and the
//! capture library's errors as exit codes.

use xrdisplay_capture::drm::{Dmabuf, DrmCapture, DrmMethod, FbSource};
use xrdisplay_capture::frame::Frame;
use xrdisplay_capture::keepalive::KeepAlive;
use xrdisplay_capture::shm::ShmCapture;
use xrdisplay_model::Rect;

use crate::cli::CaptureArgs;
use crate::commands::Context;
use crate::exit::{Error, Kind, Result};
use crate::randr::backend::XrTarget;
use crate::randr::state::ScreenState;
use crate::randr::Session;
use xrdisplay_model::{CaptureMethod, SourceChoice};

/// What a capture command starts from: the output, where it is, and a reader for it.
pub struct Capture {
    pub session: Session,
    pub name: String,
    pub target: Target,
    pub reader: Reader,
    pub method: CaptureMethod,
}

impl Capture {
    /// Connects, finds the output (the flag, else the configured XR output) and opens a
    /// reader; says on stderr when `auto` had to fall back, and why.
    pub fn open(ctx: &Context, args: &CaptureArgs) -> Result<Capture> {
        let name = ctx.output_name(&args.output)?;
        let session = Session::connect(ctx.display.as_deref())?;
        let state = session.read()?;
        let target = Target::resolve(&state, &name, args.source)?;
        let (reader, method, fallback) = Reader::open(&session, &state, &target, args.method)?;
        if let Some(why) = fallback {
            eprintln!("xrdisplay: using {method}: {why}");
        }
        Ok(Capture {
            session,
            name,
            target,
            reader,
            method,
        })
    }
}

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
    pub fn resolve(state: &ScreenState, name: &str, choice: SourceChoice) -> Result<Target> {
        let output = XrTarget::find(state, name).output(state).cloned();
        let framebuffer_id = output.as_ref().and_then(|o| o.framebuffer_id);
        let rect = output_on_screen(state, name)?;
        let (source, rect) = match (choice, framebuffer_id) {
            (SourceChoice::Auto | SourceChoice::Front, _) => (FbSource::Front, rect),
            (SourceChoice::FramebufferId, Some(id)) => {
                (FbSource::Framebuffer(id), Rect { x: 0, y: 0, ..rect })
            }
            (SourceChoice::FramebufferId, None) => {
                return Err(Error::usage(format!(
                    "{name} has no FRAMEBUFFER_ID property (only the patched driver's XR \
                     outputs have one); use --source front"
                )))
            }
        };
        Ok(Target {
            source,
            rect,
            connector: output.as_ref().and_then(|o| o.connector_id),
            framebuffer_id,
            output: output.map(|o| o.name),
        })
    }

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

/// Where on the screen the output `name` (an XR output, monitor or any output) is.
pub fn output_on_screen(state: &ScreenState, name: &str) -> Result<Rect> {
    XrTarget::find(state, name).rect(state).ok_or_else(|| {
        Error::usage(format!(
            "{name} is not on the screen: run `xrdisplay enable --output {name}` first, or name an active output"
        ))
    })
}

/// A connected reader, and the keep-alive a patched driver's virtual output needs.
pub struct Reader {
    kind: ReaderKind,
    source: FbSource,
    _keepalive: Option<KeepAlive>,
}

enum ReaderKind {
    Shm(Box<ShmCapture>),
    Drm(DrmCapture, DrmMethod),
}

impl Reader {
    /// Opens a reader for `method` on `target`; `auto` tries DMA-BUF, then mmap, then
    /// MIT-SHM, each with one trial read. Returns the method used and, when `auto` fell
    /// back, why.
    pub fn open(
        session: &Session,
        state: &ScreenState,
        target: &Target,
        method: CaptureMethod,
    ) -> Result<(Reader, CaptureMethod, Option<String>)> {
        let keepalive = match (&target.output, target.framebuffer_id) {
            (Some(output), Some(_)) => {
                Some(KeepAlive::start(Some(&session.display), output).map_err(from_capture)?)
            }
            _ => None,
        };
        let screen = (u32::from(state.width), u32::from(state.height));
        let drm_method = |m: CaptureMethod| match m {
            CaptureMethod::Mmap => Some(DrmMethod::Mmap),
            CaptureMethod::Dmabuf => Some(DrmMethod::Dmabuf),
            CaptureMethod::Auto | CaptureMethod::Shm => None,
        };
        let shm_reader = || -> Result<ReaderKind> {
            if target.source != FbSource::Front {
                return Err(Error::usage(
                    "MIT-SHM reads the screen, not FRAMEBUFFER_ID: use --source front",
                ));
            }
            Ok(ReaderKind::Shm(Box::new(shm(session)?)))
        };
        let (kind, used, why) = match (method, drm_method(method)) {
            (CaptureMethod::Shm, _) => (shm_reader()?, method, None),
            (_, Some(m)) => {
                let drm = DrmCapture::open(screen, target.connector).map_err(from_capture)?;
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
                _keepalive: keepalive,
            },
            used,
            why,
        ))
    }

    pub fn grab(&mut self, rect: Rect) -> Result<Frame> {
        match &mut self.kind {
            ReaderKind::Shm(shm) => shm.grab(rect),
            ReaderKind::Drm(drm, method) => drm.snapshot(self.source, rect, *method),
        }
        .map_err(from_capture)
    }

    /// The DRM device read, if any (a GPU import should use the same device).
    pub fn device_path(&self) -> Option<&std::path::Path> {
        match &self.kind {
            ReaderKind::Drm(drm, _) => Some(drm.device_path()),
            ReaderKind::Shm(_) => None,
        }
    }

    /// The source exported as DMA-BUF (cached while it is the same framebuffer);
    /// `None` for MIT-SHM.
    pub fn export(&mut self) -> Result<Option<&Dmabuf>> {
        match &mut self.kind {
            ReaderKind::Drm(drm, _) => drm.export(self.source).map(Some).map_err(from_capture),
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
        .map_err(from_capture)
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

fn shm(session: &Session) -> Result<ShmCapture> {
    ShmCapture::connect(Some(&session.display)).map_err(from_capture)
}

/// The capture library's errors as exit codes.
pub fn from_capture(e: xrdisplay_capture::Error) -> Error {
    use xrdisplay_capture::ErrorKind as E;
    let kind = match e.kind() {
        E::Io | E::Geometry | E::Vanished => Kind::Runtime,
        E::Unsupported | E::Permission => Kind::Unsupported,
        E::X => Kind::Server,
    };
    Error::new(kind, e.to_string())
}
