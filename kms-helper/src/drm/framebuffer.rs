//! Asking the kernel about a framebuffer (GETFB2, or GETFB on kernels without it) and
//! owning the GEM handles that such a question creates in our DRM file.

use std::io;
use std::os::fd::BorrowedFd;

use drm_ffi::drm_sys::{drm_mode_fb_cmd, drm_mode_fb_cmd2, DRM_MODE_FB_MODIFIERS};

use nix::libc;

use crate::{Error, ErrorKind, Result};

/// What is asked of a process that gets no buffer handles.
pub const PRIVILEGE_HINT: &str = "reading another process's DRM framebuffer needs \
     CAP_SYS_ADMIN or DRM master: install the capture helper (`sudo xrdisplay install \
     capture-helper`), which xrdisplay then uses by itself, run xrdisplay as root, or \
     capture through the X server with --method shm";

/// What identifies a framebuffer's contents for caching. The id alone does not: the
/// kernel hands out the lowest free id again, so a replaced framebuffer (a resize) can
/// come back under the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FbKey {
    pub fb_id: u32,
    pub width: u32,
    pub height: u32,
    pub fourcc: u32,
    /// `None`: created without an explicit modifier (implicit layout).
    pub modifier: Option<u64>,
}

/// One framebuffer as the kernel describes it, with the GEM handles it created for us.
/// The handles are closed when this is dropped: each GETFB/GETFB2 makes new ones, and
/// a capture loop that kept them would leak thousands a minute.
pub struct FbInfo<'a> {
    pub key: FbKey,
    /// Per plane; planes past the format's count have handle 0.
    pub handles: [u32; 4],
    pub pitches: [u32; 4],
    pub offsets: [u32; 4],
    card: BorrowedFd<'a>,
}

/// GETFB's bits per pixel and depth, for kernels without GETFB2 (before 5.7), as the
/// fourcc the kernel itself would pick (`drm_mode_legacy_fb_format`).
const LEGACY_FORMATS: &[(u32, u32, &[u8; 4])] = &[
    (16, 16, b"RG16"),
    (32, 24, b"XR24"),
    (32, 30, b"XR30"),
    (32, 32, b"AR24"),
];

impl<'a> FbInfo<'a> {
    /// Describes the framebuffer with the buffer handles this process needs to read it.
    pub fn query(card: BorrowedFd<'a>, fb_id: u32) -> Result<FbInfo<'a>> {
        let info = FbInfo::describe(card, fb_id)?;
        if !info.has_handles() {
            return Err(Error::new(
                ErrorKind::Permission,
                format!(
                    "the kernel gave no buffer handle for framebuffer {fb_id}: {PRIVILEGE_HINT}"
                ),
            ));
        }
        Ok(info)
    }

    /// Describes the framebuffer; without the privilege it comes without handles.
    pub fn describe(card: BorrowedFd<'a>, fb_id: u32) -> Result<FbInfo<'a>> {
        let what = || format!("framebuffer {fb_id}");
        let info = match drm_ffi::mode::get_framebuffer2(card, fb_id) {
            Ok(cmd) => FbInfo::from_getfb2(card, &cmd),
            // An ioctl number the kernel does not know: GETFB2 is missing.
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOTTY)) => {
                let cmd = drm_ffi::mode::get_framebuffer(card, fb_id)
                    .map_err(|e| ioctl_error(&what(), e))?;
                FbInfo::from_getfb(card, &cmd)?
            }
            Err(e) => return Err(ioctl_error(&what(), e)),
        };
        Ok(info)
    }

    /// Whether the kernel gave this process handles (it has the privilege).
    pub fn has_handles(&self) -> bool {
        self.handles[0] != 0
    }

    fn from_getfb2(card: BorrowedFd<'a>, cmd: &drm_mode_fb_cmd2) -> FbInfo<'a> {
        FbInfo {
            key: FbKey::from_getfb2(cmd),
            handles: cmd.handles,
            pitches: cmd.pitches,
            offsets: cmd.offsets,
            card,
        }
    }

    fn from_getfb(card: BorrowedFd<'a>, cmd: &drm_mode_fb_cmd) -> Result<FbInfo<'a>> {
        // Built first so that the handle is closed even when the format is refused.
        let mut info = FbInfo {
            key: FbKey {
                fb_id: cmd.fb_id,
                width: cmd.width,
                height: cmd.height,
                fourcc: 0,
                modifier: None,
            },
            handles: [cmd.handle, 0, 0, 0],
            pitches: [cmd.pitch, 0, 0, 0],
            offsets: [0; 4],
            card,
        };
        info.key.fourcc = legacy_fourcc(cmd.bpp, cmd.depth).ok_or_else(|| {
            Error::new(
                ErrorKind::Unsupported,
                format!(
                    "framebuffer {} has {} bits per pixel at depth {}, which xrdisplay cannot \
                     read",
                    cmd.fb_id, cmd.bpp, cmd.depth
                ),
            )
        })?;
        Ok(info)
    }

    /// The planes in use: those with a buffer handle.
    pub fn planes(&self) -> usize {
        self.handles.iter().take_while(|&&h| h != 0).count()
    }

    /// The DRM file the handles belong to.
    pub fn card(&self) -> BorrowedFd<'a> {
        self.card
    }

    /// The buffer handles GETFB2 gave, each once: planes may share one buffer object,
    /// and so one handle, which is closed once.
    pub fn distinct_handles(&self) -> impl Iterator<Item = u32> + '_ {
        self.handles
            .iter()
            .enumerate()
            .filter(|&(i, &h)| h != 0 && !self.handles[..i].contains(&h))
            .map(|(_, &h)| h)
    }
}

impl Drop for FbInfo<'_> {
    fn drop(&mut self) {
        for handle in self.distinct_handles() {
            // Nothing to do about a failure here: the handle is ours and valid.
            let _ = drm_ffi::gem::close(self.card, handle);
        }
    }
}

impl FbKey {
    fn from_getfb2(cmd: &drm_mode_fb_cmd2) -> FbKey {
        FbKey {
            fb_id: cmd.fb_id,
            width: cmd.width,
            height: cmd.height,
            fourcc: cmd.pixel_format,
            // Without the flag the modifier field means nothing.
            modifier: (cmd.flags & DRM_MODE_FB_MODIFIERS != 0).then_some(cmd.modifier[0]),
        }
    }
}

fn legacy_fourcc(bpp: u32, depth: u32) -> Option<u32> {
    LEGACY_FORMATS
        .iter()
        .find(|(b, d, _)| (*b, *d) == (bpp, depth))
        .map(|(_, _, code)| u32::from_le_bytes(**code))
}

/// Turns a failed DRM ioctl about `what` into the error a user can act on.
pub fn ioctl_error(what: &str, e: io::Error) -> Error {
    let (kind, message) = match e.raw_os_error() {
        Some(libc::ENOENT) => (
            ErrorKind::Vanished,
            format!("{what} no longer exists (the X server replaced or removed it)"),
        ),
        Some(libc::EACCES | libc::EPERM) => (
            ErrorKind::Permission,
            format!("{what} may not be read: {e}; {PRIVILEGE_HINT}"),
        ),
        Some(libc::EOPNOTSUPP) => (
            ErrorKind::Unsupported,
            format!("{what}: the device does not support kernel modesetting ({e})"),
        ),
        _ => (ErrorKind::Io, format!("{what}: {e}")),
    };
    Error::with_source(kind, message, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_ignores_a_modifier_without_the_flag() {
        let mut cmd = drm_mode_fb_cmd2 {
            fb_id: 42,
            width: 1280,
            height: 800,
            pixel_format: u32::from_le_bytes(*b"XR24"),
            modifier: [0x0100_0000_0000_0001, 0, 0, 0],
            ..Default::default()
        };
        let implicit = FbKey::from_getfb2(&cmd);
        assert_eq!(implicit.modifier, None);
        cmd.flags = DRM_MODE_FB_MODIFIERS;
        let tiled = FbKey::from_getfb2(&cmd);
        assert_eq!(tiled.modifier, Some(0x0100_0000_0000_0001));
        assert_ne!(implicit, tiled, "same id, different layout");
        cmd.width = 2560;
        assert_ne!(FbKey::from_getfb2(&cmd), tiled, "same id, resized");
        cmd.width = 1280;
        assert_eq!(FbKey::from_getfb2(&cmd), tiled);
    }

    #[test]
    fn legacy_depths_map_to_the_kernels_fourccs() {
        assert_eq!(legacy_fourcc(32, 24), Some(0x3432_5258)); // XRGB8888
        assert_eq!(legacy_fourcc(16, 16), Some(0x3631_4752)); // RGB565
        assert_eq!(legacy_fourcc(32, 30), Some(u32::from_le_bytes(*b"XR30")));
        assert_eq!(legacy_fourcc(24, 24), None);
    }

    #[test]
    fn ioctl_errors_say_what_happened_and_keep_the_errno() {
        let err = |errno| ioctl_error("framebuffer 7", io::Error::from_raw_os_error(errno));
        let gone = err(libc::ENOENT);
        assert_eq!(gone.kind(), ErrorKind::Vanished);
        assert!(gone.to_string().contains("framebuffer 7"));
        let denied = err(libc::EACCES);
        assert_eq!(denied.kind(), ErrorKind::Permission);
        assert!(denied.to_string().contains("--method shm"));
        assert_eq!(err(libc::EOPNOTSUPP).kind(), ErrorKind::Unsupported);
        let failed = err(libc::EIO);
        assert_eq!(failed.kind(), ErrorKind::Io);
        let source = std::error::Error::source(&failed)
            .and_then(|s| s.downcast_ref::<io::Error>())
            .and_then(io::Error::raw_os_error);
        assert_eq!(source, Some(libc::EIO));
    }
}
