//! Framebuffer capture for xrdisplay: finding the XR output's pixels and reading them.
//!
//! A source is a rectangle of a DRM framebuffer (read by mapping it, or exported as
//! DMA-BUF file descriptors for a GPU to import) or of the X screen (read through
//! MIT-SHM when DRM access is not possible). The pixel formats are a table (`format`);
//! a captured rectangle is a [`frame::Frame`].

pub mod copy;
pub mod counters;
pub mod damage;
pub mod drm;
pub mod format;
pub mod frame;
pub mod gpu;
pub mod helper;
pub mod imu;
pub mod keepalive;
pub mod mapping;
pub mod present;
pub mod reader;
pub mod shm;
pub mod view;

use std::fmt;
use std::sync::Arc;

/// What kind of thing went wrong: what a caller (the CLI's exit codes, the helper's
/// refusals, a fallback to another method) decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Reading or writing a file failed.
    Io,
    /// A rectangle does not fit the buffer it is read from.
    Geometry,
    /// The buffer cannot be read this way (format, modifier, missing extension).
    Unsupported,
    /// The process lacks the privilege (DRM master or CAP_SYS_ADMIN).
    Permission,
    /// The X server failed or went away.
    X,
    /// The framebuffer or output disappeared while it was being read.
    Vanished,
}

/// What went wrong while capturing: a message for people that says what failed and,
/// where known, what to do; and the error it came from, for callers that need more
/// than the message (an errno, an X error).
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Io, message)
    }

    pub fn geometry(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Geometry, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Unsupported, message)
    }

    pub fn permission(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Permission, message)
    }

    pub fn x(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::X, message)
    }

    pub fn vanished(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Vanished, message)
    }

    /// The same error, keeping `source` as its cause.
    pub fn because(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(Arc::new(source));
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Two errors are the same when they say the same thing; their sources are not compared.
impl PartialEq for Error {
    fn eq(&self, other: &Error) -> bool {
        self.kind == other.kind && self.message == other.message
    }
}

impl Eq for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
