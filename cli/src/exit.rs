//! The one table from what went wrong to the process exit code.
//!
//! Scripts branch on these codes; `--help` and the man page list them (`cli::AFTER_HELP`).

use std::fmt;

/// What kind of failure an [`Error`] is; each maps to one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The X server refused or did not do what was asked; the previous layout was restored.
    Runtime,
    /// Bad flags, values or configuration file; nothing was changed.
    Usage,
    /// The X server cannot be reached, or the connection died.
    Server,
    /// The X server lacks what was asked for (backend, output, extension); nothing was changed.
    Unsupported,
    /// A change failed and restoring the previous layout failed too.
    RestoreFailed,
    /// A desktop file or setting (xorg.conf snippet, autostart entry, XFCE display
    /// profile, keyboard shortcuts) could not be written or removed; any RandR change
    /// was kept.
    Desktop,
    /// No render loop answers for the output (a view command had no one to tell).
    NoLoop,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Runtime => 1,
            Kind::Usage => 2,
            Kind::Server => 3,
            Kind::Unsupported => 4,
            Kind::RestoreFailed => 5,
            Kind::Desktop => 6,
            Kind::NoLoop => 7,
        }
    }
}

/// An error with a one-line message that says what failed and, where possible, what to do.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
}

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(Kind::Usage, message)
    }

    pub fn runtime(message: impl Into<String>) -> Error {
        Error::new(Kind::Runtime, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(Kind::Unsupported, message)
    }

    pub fn desktop(message: impl Into<String>) -> Error {
        Error::new(Kind::Desktop, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Connection-level failures always mean the server is gone or unreachable.
impl From<x11rb::errors::ConnectionError> for Error {
    fn from(e: x11rb::errors::ConnectionError) -> Error {
        Error::new(
            Kind::Server,
            format!("lost the connection to the X server: {e}"),
        )
    }
}

impl From<x11rb::errors::ReplyError> for Error {
    fn from(e: x11rb::errors::ReplyError) -> Error {
        match e {
            x11rb::errors::ReplyError::ConnectionError(e) => e.into(),
            x11rb::errors::ReplyError::X11Error(e) => Error::runtime(format!(
                "the X server refused a request: {:?} (major {}, minor {})",
                e.error_kind, e.major_opcode, e.minor_opcode
            )),
        }
    }
}

impl From<x11rb::errors::ReplyOrIdError> for Error {
    fn from(e: x11rb::errors::ReplyOrIdError) -> Error {
        match e {
            x11rb::errors::ReplyOrIdError::ConnectionError(e) => e.into(),
            x11rb::errors::ReplyOrIdError::X11Error(e) => {
                x11rb::errors::ReplyError::X11Error(e).into()
            }
            x11rb::errors::ReplyOrIdError::IdsExhausted => {
                Error::runtime("the X server ran out of resource ids for this client")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_exit_code() {
        for kind in [
            Kind::Runtime,
            Kind::Usage,
            Kind::Server,
            Kind::Unsupported,
            Kind::RestoreFailed,
            Kind::Desktop,
            Kind::NoLoop,
        ] {
            let line = format!("\n  {}  ", kind.exit_code());
            assert!(
                crate::cli::AFTER_HELP.contains(&line),
                "{kind:?} missing from --help"
            );
        }
    }
}
