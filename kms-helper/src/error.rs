//! The helper crate's error: what kind of failure it was (what a caller can do about
//! it) and the system error underneath, kept as the source.

use std::{fmt, io};

/// What a failed DRM call means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A system call failed for another reason.
    Io,
    /// The device or buffer cannot be read this way.
    Unsupported,
    /// The process lacks the privilege (DRM master or CAP_SYS_ADMIN).
    Permission,
    /// The framebuffer or output disappeared while it was being read.
    Vanished,
}

/// A failure with a message for the user; the message already includes the source's
/// text, so that it stands alone where only it is shown.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<io::Error>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    pub fn with_source(kind: ErrorKind, message: impl Into<String>, source: io::Error) -> Error {
        Error {
            source: Some(source),
            ..Error::new(kind, message)
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
