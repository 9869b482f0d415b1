//! The CLI's side of capture: which rectangle of the screen an output shows (from
//! RandR), and the capture library's errors as exit codes.

use xrdisplay_capture::drm::FbSource;
use xrdisplay_capture::reader::SHM_READS_THE_SCREEN;
pub use xrdisplay_capture::reader::{Reader, Target};
use xrdisplay_model::Rect;

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
    /// Connects to `display`, finds the output `name` and opens a reader of `source`
    /// by `method`; says on stderr when `auto` had to fall back, and why.
    pub fn open(
        display: Option<&str>,
        name: String,
        source: SourceChoice,
        method: CaptureMethod,
    ) -> Result<Capture> {
        let session = Session::connect(display)?;
        let state = session.read()?;
        let target = resolve_target(&state, &name, source)?;
        let (reader, method, fallback) = open_reader(&session, &state, &target, method)?;
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

/// Which pixels the output `name` shows, as `choice` asks.
pub fn resolve_target(state: &ScreenState, name: &str, choice: SourceChoice) -> Result<Target> {
    let output = XrTarget::find(state, name).output(state).cloned();
    let framebuffer_id = output.as_ref().and_then(|o| o.framebuffer_id);
    let rect = output_on_screen(state, name)?;
    let (source, rect) = match (choice, framebuffer_id) {
        (SourceChoice::Auto | SourceChoice::Front, _) => (FbSource::Front, rect),
        (SourceChoice::FramebufferId, Some(id)) => (FbSource::Framebuffer(id), rect.at(0, 0)),
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

/// Where on the screen the output `name` (an XR output, monitor or any output) is.
pub fn output_on_screen(state: &ScreenState, name: &str) -> Result<Rect> {
    XrTarget::find(state, name).rect(state).ok_or_else(|| {
        Error::usage(format!(
            "{name} is not on the screen: run `xrdisplay enable --output {name}` first, or name an active output"
        ))
    })
}

/// Opens a reader for `method` on `target` (see [`Reader::open`]), with its errors as
/// exit codes. Asking MIT-SHM for a `FRAMEBUFFER_ID` is the user's mistake (exit 2);
/// `auto` falling back to MIT-SHM for one means no method can read it (exit 4).
pub fn open_reader(
    session: &Session,
    state: &ScreenState,
    target: &Target,
    method: CaptureMethod,
) -> Result<(Reader, CaptureMethod, Option<String>)> {
    if method == CaptureMethod::Shm && target.source != FbSource::Front {
        return Err(Error::usage(SHM_READS_THE_SCREEN));
    }
    let screen = (u32::from(state.width), u32::from(state.height));
    Ok(Reader::open(&session.display, screen, target, method)?)
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

impl From<xrdisplay_capture::Error> for Error {
    fn from(e: xrdisplay_capture::Error) -> Error {
        from_capture(e)
    }
}
