//! The DRM device that scans out the X screen, and the framebuffers its CRTCs show.

use std::fs::{File, OpenOptions};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ::drm::control::{connector, crtc, Device as ControlDevice};
use nix::libc;

use super::framebuffer::{framebuffer_size, ioctl_error};
use crate::{Error, Result};

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
        let meta = self
            .file
            .metadata()
            .map_err(|e| Error::io(format!("{}: {e}", self.path.display())).because(e))?;
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

    /// The first card under `/dev/dri` whose scanout shows a `screen_size` framebuffer
    /// (through `connector` when given: connector ids are per device, so that also
    /// tells cards apart).
    pub fn find(screen_size: (u32, u32), connector: Option<u32>) -> Result<Card> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir("/dev/dri")
            .map_err(|e| Error::unsupported(format!("no DRM devices (/dev/dri: {e})")).because(e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("card"))
            })
            .collect();
        paths.sort();
        let mut tried = Vec::new();
        let mut denied = Vec::new();
        for path in paths {
            match Card::open(&path) {
                Ok(card) => {
                    if card.scans_out(screen_size, connector) {
                        return Ok(card);
                    }
                    tried.push(path.display().to_string());
                }
                Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                    denied.push(path.display().to_string())
                }
                Err(e) => tried.push(format!("{} ({e})", path.display())),
            }
        }
        let (w, h) = screen_size;
        if !denied.is_empty() {
            return Err(Error::permission(format!(
                "cannot open {}: {}",
                denied.join(", "),
                super::framebuffer::PRIVILEGE_HINT
            )));
        }
        Err(Error::unsupported(format!(
            "no DRM device scans out the {w}x{h} X screen{} (checked: {}); the X server does \
             not drive a kernel modesetting device here: use --method shm",
            connector.map_or(String::new(), |c| format!(" on connector {c}")),
            if tried.is_empty() {
                "no /dev/dri/card*".to_string()
            } else {
                tried.join(", ")
            }
        )))
    }

    fn scans_out(&self, screen_size: (u32, u32), connector: Option<u32>) -> bool {
        let crtcs = match connector {
            Some(id) => self.connector_crtc(id).ok().flatten().into_iter().collect(),
            None => match self.resource_handles() {
                Ok(res) => res.crtcs().to_vec(),
                Err(_) => return false,
            },
        };
        crtcs.into_iter().any(|crtc| {
            self.crtc_framebuffer(crtc)
                .ok()
                .flatten()
                .is_some_and(|fb| {
                    framebuffer_size(self.as_fd(), fb).is_ok_and(|size| size == screen_size)
                })
        })
    }

    /// The CRTC driving a connector, if it is lit.
    fn connector_crtc(&self, id: u32) -> Result<Option<crtc::Handle>> {
        let what = format!("connector {id} of {}", self.path.display());
        let handle: connector::Handle = ::drm::control::from_u32(id)
            .ok_or_else(|| Error::unsupported(format!("{what}: connector id 0")))?;
        let info = self
            .get_connector(handle, false)
            .map_err(|e| ioctl_error(&what, e))?;
        let Some(encoder) = info.current_encoder() else {
            return Ok(None);
        };
        let encoder = self
            .get_encoder(encoder)
            .map_err(|e| ioctl_error(&what, e))?;
        Ok(encoder.crtc())
    }

    fn crtc_framebuffer(&self, crtc: crtc::Handle) -> Result<Option<u32>> {
        let info = self
            .get_crtc(crtc)
            .map_err(|e| ioctl_error(&format!("CRTC {}", u32::from(crtc)), e))?;
        Ok(info
            .framebuffer()
            .filter(|_| info.mode().is_some())
            .map(u32::from))
    }

    /// The framebuffer scanned out now: `connector`'s CRTC's, else the first lit
    /// CRTC's (modesetting scans every CRTC out of one shared front buffer).
    pub fn front_framebuffer(&self, connector: Option<u32>) -> Result<u32> {
        let fb = match connector {
            Some(id) => match self.connector_crtc(id)? {
                Some(crtc) => self.crtc_framebuffer(crtc)?,
                None => None,
            },
            None => {
                let res = self
                    .resource_handles()
                    .map_err(|e| ioctl_error(&self.path.display().to_string(), e))?;
                let mut found = None;
                for &crtc in res.crtcs() {
                    found = self.crtc_framebuffer(crtc)?;
                    if found.is_some() {
                        break;
                    }
                }
                found
            }
        };
        fb.ok_or_else(|| {
            Error::vanished(format!(
                "no CRTC of {}{} scans out a framebuffer now (outputs off?)",
                self.path.display(),
                connector.map_or(String::new(), |c| format!(" drives connector {c}"))
            ))
        })
    }
}
