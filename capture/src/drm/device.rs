//! The DRM device that scans out the X screen, and the framebuffer its CRTCs show.
//! [`Card`] itself is the capture helper's (`xrdisplay_kms::drm`), shared so that
//! both read framebuffers the same way.

use std::os::fd::{AsFd, BorrowedFd};
use std::path::PathBuf;

use ::drm::control::{connector, crtc, Device as ControlDevice};
pub use xrdisplay_kms::drm::Card;
use xrdisplay_kms::drm::{ioctl_error, PRIVILEGE_HINT};

use crate::{Error, Result};

/// The first card under `/dev/dri` whose scanout shows a `screen_size` framebuffer
/// (through `connector` when given: connector ids are per device, so that also tells
/// cards apart).
pub fn find(screen_size: (u32, u32), connector: Option<u32>) -> Result<Card> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir("/dev/dri")
        .map_err(|e| Error::unsupported(format!("no DRM devices (/dev/dri: {e})")))?
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
                if scans_out(&card, screen_size, connector) {
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
            "cannot open {}: {PRIVILEGE_HINT}",
            denied.join(", "),
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

fn scans_out(card: &Card, screen_size: (u32, u32), connector: Option<u32>) -> bool {
    let crtcs = match connector {
        Some(id) => connector_crtc(card, id)
            .ok()
            .flatten()
            .into_iter()
            .collect(),
        None => match card.resource_handles() {
            Ok(res) => res.crtcs().to_vec(),
            Err(_) => return false,
        },
    };
    crtcs.into_iter().any(|crtc| {
        card.crtc_framebuffer(crtc)
            .ok()
            .flatten()
            .is_some_and(|fb| {
                framebuffer_size(card.as_fd(), fb).is_ok_and(|size| size == screen_size)
            })
    })
}

/// The CRTC driving a connector, if it is lit.
fn connector_crtc(card: &Card, id: u32) -> Result<Option<crtc::Handle>> {
    let what = format!("connector {id} of {}", card.path().display());
    let handle: connector::Handle = ::drm::control::from_u32(id)
        .ok_or_else(|| Error::unsupported(format!("{what}: connector id 0")))?;
    let info = card
        .get_connector(handle, false)
        .map_err(|e| ioctl_error(&what, e))?;
    let Some(encoder) = info.current_encoder() else {
        return Ok(None);
    };
    let encoder = card
        .get_encoder(encoder)
        .map_err(|e| ioctl_error(&what, e))?;
    Ok(encoder.crtc())
}

/// The framebuffer scanned out now: `connector`'s CRTC's, else the first lit CRTC's
/// (modesetting scans every CRTC out of one shared front buffer).
pub fn front_framebuffer(card: &Card, connector: Option<u32>) -> Result<u32> {
    let fb = match connector {
        Some(id) => match connector_crtc(card, id)? {
            Some(crtc) => card.crtc_framebuffer(crtc)?,
            None => None,
        },
        None => {
            let res = card
                .resource_handles()
                .map_err(|e| ioctl_error(&card.path().display().to_string(), e))?;
            let mut found = None;
            for &crtc in res.crtcs() {
                found = card.crtc_framebuffer(crtc)?;
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
            card.path().display(),
            connector.map_or(String::new(), |c| format!(" drives connector {c}"))
        ))
    })
}

/// A framebuffer's size, which any process may ask (GETFB answers everyone, with a
/// handle only for the privileged).
fn framebuffer_size(card: BorrowedFd<'_>, fb_id: u32) -> Result<(u32, u32)> {
    let cmd = drm_ffi::mode::get_framebuffer(card, fb_id)
        .map_err(|e| ioctl_error(&format!("framebuffer {fb_id}"), e))?;
    if cmd.handle != 0 {
        let _ = drm_ffi::gem::close(card, cmd.handle);
    }
    Ok((cmd.width, cmd.height))
}
