//! Reading the X screen's pixels straight from the kernel's scanout framebuffer.
//!
//! The device is the `/dev/dri/card*` whose lit CRTCs show a framebuffer the size of
//! the X screen. A framebuffer is described by GETFB2, which also hands this process
//! GEM handles to its buffers (only with CAP_SYS_ADMIN or DRM master); these are closed
//! as soon as the buffer is mapped or exported. Mappings and exports are cached per
//! framebuffer (id, size, format and modifier), since making them costs page faults
//! and ioctls on every frame otherwise. Without the privilege the capture helper
//! (`crate::helper`) exports the framebuffer instead, and both methods map its DMA-BUF.

pub mod device;
mod map;
pub mod modifier;

use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

pub use xrdisplay_kms::drm::{DmabufPlane, PRIVILEGE_HINT};
use xrdisplay_kms::drm::{FbInfo, FbKey};

use self::device::Card;
use self::map::with_read_sync;
use crate::counters;
use crate::format::{fourcc_name, Format};
use crate::frame::{BufferLayout, Frame};
use crate::helper::{self, Helper};
use crate::mapping::Mapping;
use crate::{Error, ErrorKind, Result};
use xrdisplay_model::Rect;

/// What finding the front framebuffer costs, as drm-rs asks: through a connector,
/// GET_CONNECTOR twice (the sizes, then the lists), GET_ENCODER and GET_CRTC; without
/// one, GETRESOURCES twice and GET_CRTC (once when the first CRTC is lit, the usual
/// case; the count is low by one per unlit CRTC before it).
const fn front_lookup_ioctls(connector: Option<u32>) -> u64 {
    match connector {
        Some(_) => 4,
        None => 3,
    }
}

/// A failed DRM call of the shared pieces (`xrdisplay_kms::drm`), as a capture error
/// of the same kind, with the helper crate's error (and its errno) as the source.
impl From<xrdisplay_kms::Error> for Error {
    fn from(e: xrdisplay_kms::Error) -> Error {
        use xrdisplay_kms::ErrorKind as Kms;
        let kind = match e.kind() {
            Kms::Io => ErrorKind::Io,
            Kms::Unsupported => ErrorKind::Unsupported,
            Kms::Permission => ErrorKind::Permission,
            Kms::Vanished => ErrorKind::Vanished,
        };
        Error::new(kind, e.to_string()).because(e)
    }
}

/// How a framebuffer's pixels are read into memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrmMethod {
    /// Map the dumb buffer through the DRM file (MAP_DUMB).
    Mmap,
    /// Export it as a DMA-BUF and map that, with DMA_BUF_IOCTL_SYNC around the copy.
    Dmabuf,
}

/// Which framebuffer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FbSource {
    /// The one scanned out now: the X screen's front buffer.
    Front,
    /// A framebuffer by id (an output's `FRAMEBUFFER_ID`).
    Framebuffer(u32),
}

/// A framebuffer exported as DMA-BUF file descriptors, as a GPU import wants it.
#[derive(Debug)]
pub struct Dmabuf {
    pub fb_id: u32,
    pub width: u32,
    pub height: u32,
    pub fourcc: u32,
    /// `None`: the framebuffer has no explicit modifier (import it without one).
    pub modifier: Option<u64>,
    pub planes: Vec<DmabufPlane>,
}

impl Dmabuf {
    /// The same buffer with duplicated file descriptors, for another thread to own.
    pub fn try_clone(&self) -> Result<Dmabuf> {
        let planes = self
            .planes
            .iter()
            .map(|p| {
                Ok(DmabufPlane {
                    fd: p
                        .fd
                        .try_clone()
                        .map_err(|e| Error::io(format!("dup of a DMA-BUF fd failed: {e}")))?,
                    offset: p.offset,
                    pitch: p.pitch,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Dmabuf {
            planes,
            modifier: self.modifier,
            ..*self
        })
    }
}

/// What is kept for the framebuffer read last.
struct Cached {
    key: FbKey,
    dumb_map: Option<Mapping>,
    dmabuf: Option<Dmabuf>,
    /// Plane 0 of `dmabuf`, mapped.
    dmabuf_map: Option<Mapping>,
}

/// Reads framebuffers of the DRM device that scans out the X screen.
pub struct DrmCapture {
    card: Card,
    connector: Option<u32>,
    cache: Option<Cached>,
    /// Started when GETFB2 first gives this process no buffer handles (boxed: rarely
    /// there, and it keeps the reader small).
    helper: Option<Box<Helper>>,
}

impl DrmCapture {
    /// Opens the `/dev/dri/card*` with a lit CRTC that shows a framebuffer of
    /// `screen_size` (through `connector_id`, an output's `CONNECTOR_ID`, when given).
    ///
    /// Fails at once when neither this process (CAP_SYS_ADMIN) nor an installed capture
    /// helper can read framebuffers, so that a caller can fall back to the X server
    /// instead of failing on the first frame. (DRM master would do too, but the X
    /// server holds that.)
    pub fn open(screen_size: (u32, u32), connector_id: Option<u32>) -> Result<DrmCapture> {
        let card = device::find(screen_size, connector_id)?;
        if helper::Access::now() == helper::Access::None {
            return Err(Error::permission(format!(
                "{} cannot be read by this process: {PRIVILEGE_HINT}",
                card.path().display()
            )));
        }
        Ok(DrmCapture {
            card,
            connector: connector_id,
            cache: None,
            helper: None,
        })
    }

    /// Reads framebuffers of an already open device, e.g. one a benchmark made.
    pub fn on_card(card: Card) -> DrmCapture {
        DrmCapture {
            card,
            connector: None,
            cache: None,
            helper: None,
        }
    }

    pub fn device_path(&self) -> &Path {
        self.card.path()
    }

    /// The id of the framebuffer `source` stands for now.
    pub fn framebuffer_id(&self, source: FbSource) -> Result<u32> {
        match source {
            FbSource::Front => {
                counters::ioctls(front_lookup_ioctls(self.connector));
                device::front_framebuffer(&self.card, self.connector)
            }
            FbSource::Framebuffer(id) => Ok(id),
        }
    }

    /// Forgets cached mappings and exports. Call it when RandR reports a change: a
    /// framebuffer replaced by one of the same size and format can reuse the old id.
    pub fn invalidate(&mut self) {
        self.cache = None;
    }

    /// Reads `rect` (in framebuffer pixels) of the source into a frame.
    pub fn snapshot(&mut self, source: FbSource, rect: Rect, method: DrmMethod) -> Result<Frame> {
        self.read_mapped(source, method, |src, layout| Frame::crop(src, layout, rect))
    }

    /// Copies `rects` (in `frame`'s pixels) of the source into `frame`, whose top-left
    /// pixel is at `origin` in the framebuffer: one look-up, GETFB2 and (cached)
    /// mapping for the whole batch, and one copy of each rectangle.
    pub fn read_into(
        &mut self,
        source: FbSource,
        method: DrmMethod,
        frame: &mut Frame,
        origin: (i32, i32),
        rects: &[Rect],
    ) -> Result<()> {
        self.read_mapped(source, method, |src, layout| {
            frame.copy_rects(src, layout, origin, rects)
        })
    }

    /// Finds the source's framebuffer, maps it (or reuses the mapping cached for it)
    /// and hands `read` its pixels (from plane 0's offset) and their layout.
    fn read_mapped<T>(
        &mut self,
        source: FbSource,
        method: DrmMethod,
        read: impl FnOnce(&[u8], BufferLayout) -> Result<T>,
    ) -> Result<T> {
        let fb_id = self.framebuffer_id(source)?;
        let info = query(&self.card, &mut self.cache, fb_id)?;
        let format = Format::from_fourcc(info.key.fourcc).ok_or_else(|| {
            Error::unsupported(format!(
                "framebuffer {fb_id} has pixel format {} ({:#010x}), which xrdisplay cannot \
                 convert",
                fourcc_name(info.key.fourcc),
                info.key.fourcc
            ))
        })?;
        modifier::check_linear(info.key.modifier)?;
        let layout = BufferLayout {
            width: info.key.width,
            height: info.key.height,
            stride: info.pitches[0] as usize,
            format,
        };
        let offset = info.offsets[0] as usize;
        let len = offset + layout.stride * layout.height as usize;
        // Plane 0's pixels start `offset` into the buffer's mapping.
        let read_plane = |map: &[u8]| read(map.get(offset..).unwrap_or_default(), layout);
        let entry = cached(&mut self.cache, info.key);
        if !info.has_handles() {
            if entry.dmabuf.is_none() {
                entry.dmabuf = Some(export_via_helper(&mut self.helper, &self.card, &info)?);
            }
            return read_dmabuf(entry, fb_id, len, read_plane);
        }
        match method {
            DrmMethod::Mmap => {
                if entry.dumb_map.is_none() {
                    counters::ioctls(1);
                    entry.dumb_map = Some(map::dumb(info.card(), info.handles[0], len)?);
                }
                read_plane(entry.dumb_map.as_ref().map_or(&[][..], Mapping::as_slice))
            }
            DrmMethod::Dmabuf => {
                if entry.dmabuf.is_none() {
                    entry.dmabuf = Some(export_dmabuf(&self.card, &info)?);
                }
                read_dmabuf(entry, fb_id, len, read_plane)
            }
        }
    }

    /// Exports every plane of the source as DMA-BUF fds. The export is kept and handed
    /// out again while the source is the same framebuffer (id, size, format, modifier).
    pub fn export(&mut self, source: FbSource) -> Result<&Dmabuf> {
        let fb_id = self.framebuffer_id(source)?;
        let info = query(&self.card, &mut self.cache, fb_id)?;
        let entry = cached(&mut self.cache, info.key);
        if entry.dmabuf.is_none() {
            entry.dmabuf = Some(if info.has_handles() {
                export_dmabuf(&self.card, &info)?
            } else {
                export_via_helper(&mut self.helper, &self.card, &info)?
            });
        }
        entry
            .dmabuf
            .as_ref()
            .ok_or_else(|| Error::unsupported(format!("framebuffer {fb_id} could not be exported")))
    }
}

/// Describes a framebuffer (with handles only when privileged); one that is gone also
/// drops what was cached for it.
fn query<'a>(card: &'a Card, cache: &mut Option<Cached>, fb_id: u32) -> Result<FbInfo<'a>> {
    let result = FbInfo::describe(card.as_fd(), fb_id);
    // GETFB2, and one GEM_CLOSE per buffer handle it gave when the answer is dropped.
    let handles = result
        .as_ref()
        .map_or(0, |info| info.distinct_handles().count());
    counters::ioctls(1 + handles as u64);
    if result
        .as_ref()
        .is_err_and(|e| e.kind() == xrdisplay_kms::ErrorKind::Vanished)
    {
        *cache = None;
    }
    Ok(result?)
}

/// The DRM file, for ioctls of the caller's own (properties, leases, GEM handles).
impl AsFd for DrmCapture {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.card.as_fd()
    }
}

/// The cache entry for `key`, made afresh when the framebuffer is another one.
fn cached(cache: &mut Option<Cached>, key: FbKey) -> &mut Cached {
    if cache.as_ref().is_some_and(|entry| entry.key != key) {
        *cache = None;
    }
    cache.get_or_insert_with(|| Cached {
        key,
        dumb_map: None,
        dmabuf: None,
        dmabuf_map: None,
    })
}

/// Hands `read` plane 0 of the entry's export, mapped on first use, between the
/// DMA-BUF syncs.
fn read_dmabuf<T>(
    entry: &mut Cached,
    fb_id: u32,
    len: usize,
    read: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<T> {
    let Some(plane) = entry.dmabuf.as_ref().and_then(|d| d.planes.first()) else {
        return Err(Error::unsupported(format!(
            "framebuffer {fb_id} exported no planes"
        )));
    };
    if entry.dmabuf_map.is_none() {
        entry.dmabuf_map = Some(map::dmabuf(plane.fd.as_fd(), len)?);
    }
    let map = entry.dmabuf_map.as_ref().map_or(&[][..], Mapping::as_slice);
    counters::ioctls(2);
    with_read_sync(plane.fd.as_fd(), || read(map))?
}

/// Has the capture helper export a framebuffer this process got no handles for,
/// starting the helper first if need be. A helper that failed is started afresh next
/// time.
fn export_via_helper(
    helper: &mut Option<Box<Helper>>,
    card: &Card,
    info: &FbInfo<'_>,
) -> Result<Dmabuf> {
    let fb_id = info.key.fb_id;
    let running = match helper {
        Some(running) => running,
        None => {
            let path = helper::find().ok_or_else(|| {
                Error::permission(format!(
                    "the kernel gave no buffer handle for framebuffer {fb_id} and no \
                     capture helper is installed: {PRIVILEGE_HINT}"
                ))
            })?;
            helper.insert(Box::new(Helper::spawn(&path)?))
        }
    };
    let (e, fds) = match running.export(card.minor()?, fb_id) {
        Ok(reply) => reply,
        Err(err) => {
            if err.kind() == ErrorKind::Io {
                *helper = None;
            }
            return Err(err);
        }
    };
    let key = FbKey {
        fb_id: e.fb_id,
        width: e.width,
        height: e.height,
        fourcc: e.fourcc,
        modifier: e.modifier,
    };
    if key != info.key {
        return Err(Error::vanished(format!(
            "framebuffer {fb_id} was replaced while the capture helper exported it"
        )));
    }
    let planes = fds
        .into_iter()
        .enumerate()
        .map(|(i, fd)| DmabufPlane {
            fd,
            offset: e.offsets[i],
            pitch: e.pitches[i],
        })
        .collect();
    Ok(Dmabuf {
        fb_id,
        width: e.width,
        height: e.height,
        fourcc: e.fourcc,
        modifier: e.modifier,
        planes,
    })
}

/// Exports the planes of a framebuffer this process got handles for.
fn export_dmabuf(card: &Card, info: &FbInfo<'_>) -> Result<Dmabuf> {
    counters::ioctls(info.planes() as u64);
    Ok(Dmabuf {
        fb_id: info.key.fb_id,
        width: info.key.width,
        height: info.key.height,
        fourcc: info.key.fourcc,
        modifier: info.key.modifier,
        planes: xrdisplay_kms::drm::export_planes(card, info)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(fb_id: u32, width: u32) -> FbKey {
        FbKey {
            fb_id,
            width,
            height: 800,
            fourcc: crate::format::XRGB8888.fourcc,
            modifier: None,
        }
    }

    #[test]
    fn the_cache_is_kept_for_the_same_framebuffer_and_dropped_for_another() {
        let mut cache = None;
        cached(&mut cache, key(42, 1280)).dmabuf = Some(Dmabuf {
            fb_id: 42,
            width: 1280,
            height: 800,
            fourcc: 0,
            modifier: None,
            planes: Vec::new(),
        });
        assert!(cached(&mut cache, key(42, 1280)).dmabuf.is_some());
        // Id 42 again after a resize: another buffer.
        assert!(cached(&mut cache, key(42, 2560)).dmabuf.is_none());
        assert_eq!(cache.map(|c| c.key), Some(key(42, 2560)));
    }
}
