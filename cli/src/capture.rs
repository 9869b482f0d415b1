//! The CLI's side of capture: which rectangle of the screen an output shows, and the
//! capture library's errors as exit codes.

use xrdisplay_capture::frame::{Frame, Rect};
use xrdisplay_capture::shm::ShmCapture;

use crate::cli::CaptureMethod;
use crate::exit::{Error, Kind, Result};
use crate::randr::backend::XrTarget;
use crate::randr::Session;

/// Where on the screen the output `name` (an XR output, monitor or any output) is.
pub fn output_rect(session: &Session, name: &str) -> Result<Rect> {
    let state = session.read()?;
    let rect = XrTarget::find(&state, name).rect(&state).ok_or_else(|| {
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

/// A connected reader for `method`; `auto` picks the best that works here.
pub enum Reader {
    Shm(ShmCapture),
}

impl Reader {
    pub fn open(session: &Session, method: CaptureMethod) -> Result<(Reader, CaptureMethod)> {
        match method {
            CaptureMethod::Auto | CaptureMethod::Shm => {
                let shm = ShmCapture::connect(Some(&session.display)).map_err(from_capture)?;
                Ok((Reader::Shm(shm), CaptureMethod::Shm))
            }
            CaptureMethod::Mmap | CaptureMethod::Dmabuf => Err(Error::unsupported(
                "DRM capture (--method mmap or dmabuf) is not available in this build; use --method shm",
            )),
        }
    }

    pub fn grab(&mut self, rect: Rect) -> Result<Frame> {
        match self {
            Reader::Shm(shm) => shm.grab(rect).map_err(from_capture),
        }
    }

    /// Captures `rect` the way a render loop would, leaving the pixels where the method
    /// puts them (MIT-SHM: the shared segment); returns the bytes captured.
    pub fn capture(&mut self, rect: Rect) -> Result<usize> {
        match self {
            Reader::Shm(shm) => shm.grab_shared(rect).map(<[u8]>::len).map_err(from_capture),
        }
    }
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
