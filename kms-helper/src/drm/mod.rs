//! The DRM kernel interface the helper needs, and no more: opening a card, asking
//! whether a CRTC or plane shows a framebuffer, describing it with GETFB2 (which hands
//! out GEM handles to the privileged), and exporting its planes with PRIME.
//! xrdisplay's capture reads framebuffers through the same pieces.

mod device;
mod framebuffer;

use std::os::fd::OwnedFd;

use ::drm::control::Device as ControlDevice;
use nix::libc;

pub use self::device::Card;
pub use self::framebuffer::{ioctl_error, FbInfo, FbKey, PRIVILEGE_HINT};
use crate::{Error, ErrorKind, Result};

/// The major device number of DRM devices.
pub const DRM_MAJOR: u32 = 226;

/// One plane of an exported framebuffer.
#[derive(Debug)]
pub struct DmabufPlane {
    pub fd: OwnedFd,
    pub offset: u32,
    pub pitch: u32,
}

/// Exports each plane of a framebuffer described with handles as a read-only DMA-BUF.
pub fn export_planes(card: &Card, info: &FbInfo<'_>) -> Result<Vec<DmabufPlane>> {
    (0..info.planes())
        .map(|i| {
            let what = format!("plane {i} of framebuffer {}", info.key.fb_id);
            let handle = ::drm::control::from_u32(info.handles[i])
                .ok_or_else(|| Error::new(ErrorKind::Permission, format!("{what}: no handle")))?;
            // Read-only is enough to map it and to import it as a texture.
            let fd = card
                .buffer_to_prime_fd(handle, libc::O_CLOEXEC as u32)
                .map_err(|e| ioctl_error(&format!("exporting {what} as DMA-BUF"), e))?;
            Ok(DmabufPlane {
                fd,
                offset: info.offsets[i],
                pitch: info.pitches[i],
            })
        })
        .collect()
}
