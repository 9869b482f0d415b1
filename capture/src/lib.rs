//! Framebuffer capture for xrdisplay: finding the XR output's pixels and reading them.
//!
//! A source is a rectangle of a DRM framebuffer (read by mapping it, or exported as
//! DMA-BUF file descriptors for a GPU to import) or of the X screen (read through
//! MIT-SHM when DRM access is not possible). The pixel formats are a table (`format`);
//! a captured rectangle is a [`frame::Frame`].

pub mod copy;
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
pub mod shm;
pub mod view;

use std::fmt;

/// What went wrong while capturing, with what to do about it where that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Reading or writing a file failed.
    Io(String),
    /// A rectangle does not fit the buffer it is read from.
    Geometry(String),
    /// The buffer cannot be read this way (format, modifier, missing extension).
    Unsupported(String),
    /// The process lacks the privilege (DRM master or CAP_SYS_ADMIN).
    Permission(String),
    /// The X server failed or went away.
    X(String),
    /// The framebuffer or output disappeared while it was being read.
    Vanished(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(m)
            | Error::Geometry(m)
            | Error::Unsupported(m)
            | Error::Permission(m)
            | Error::X(m)
            | Error::Vanished(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
