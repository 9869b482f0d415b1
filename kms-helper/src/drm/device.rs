//! An open DRM card, and which framebuffers its CRTCs and planes scan out.

use std::fs::{File, OpenOptions};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ::drm::control::{crtc, Device as ControlDevice};
use nix::libc;

use super::framebuffer::ioctl_error;
use crate::{Error, ErrorKind, Result};

/// An open `/dev/dri/card*`.
pub struct Card {
    file: File,
    path: PathBuf,
}

impl AsFd for Card {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl ::drm::Device for Card {}
impl ControlDevice for Card {}

impl Card {
    pub fn open(path: &Path) -> std::io::Result<Card> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(path)?;
        Ok(Card {
            file,
            path: path.to_path_buf(),
        })
    }

    /// An already opened card (the helper opens and checks it itself).
    pub fn from_file(file: File, path: PathBuf) -> Card {
        Card { file, path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The device minor, which names it as `/dev/dri/card{minor}`.
    pub fn minor(&self) -> Result<u32> {
        let meta = self.file.metadata().map_err(|e| {
            let message = format!("{}: {e}", self.path.display());
            Error::with_source(ErrorKind::Io, message, e)
        })?;
        Ok(libc::minor(std::os::unix::fs::MetadataExt::rdev(&meta)))
    }

    /// Whether a lit CRTC or a plane of this card scans out framebuffer `fb` now.
    pub fn shows(&self, fb: u32) -> Result<bool> {
        let what = || self.path.display().to_string();
        let res = self
            .resource_handles()
            .map_err(|e| ioctl_error(&what(), e))?;
        for &crtc in res.crtcs() {
            if self.crtc_framebuffer(crtc)? == Some(fb) {
                return Ok(true);
            }
        }
        let planes = self.plane_handles().map_err(|e| ioctl_error(&what(), e))?;
        for plane in planes {
            let info = self.get_plane(plane).map_err(|e| ioctl_error(&what(), e))?;
            if info.crtc().is_some() && info.framebuffer().map(u32::from) == Some(fb) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The framebuffer a CRTC scans out, if it is lit.
    pub fn crtc_framebuffer(&self, crtc: crtc::Handle) -> Result<Option<u32>> {
        let info = self
            .get_crtc(crtc)
            .map_err(|e| ioctl_error(&format!("CRTC {}", u32::from(crtc)), e))?;
        Ok(info
            .framebuffer()
            .filter(|_| info.mode().is_some())
            .map(u32::from))
    }
}
