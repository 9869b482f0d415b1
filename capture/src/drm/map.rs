//! Read-only CPU mappings of buffers: a dumb buffer through the DRM file (MAP_DUMB),
//! or any buffer through its DMA-BUF fd, which wants DMA_BUF_IOCTL_SYNC around reads
//! so that caches are coherent with what the GPU or display wrote.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use nix::libc;
use xrdisplay_kms::drm::ioctl_error;

use crate::mapping::Mapping;
use crate::{Error, Result};

/// Maps `len` bytes of a dumb buffer through the DRM file. The mapping keeps the buffer
/// object alive by itself, so the GEM handle it was made from can be closed at once.
pub fn dumb(card: BorrowedFd<'_>, handle: u32, len: usize) -> Result<Mapping> {
    let map = drm_ffi::mode::dumbbuffer::map(card, handle, 0, 0)
        .map_err(|e| ioctl_error("mapping the framebuffer (MAP_DUMB)", e))?;
    let offset = libc::off_t::try_from(map.offset).map_err(|_| {
        Error::io(format!(
            "MAP_DUMB gave an offset out of range: {}",
            map.offset
        ))
    })?;
    Mapping::new(card, len, offset, false)
}

/// Maps the first `len` bytes of a DMA-BUF.
pub fn dmabuf(fd: BorrowedFd<'_>, len: usize) -> Result<Mapping> {
    Mapping::new(fd, len, 0, false)
}

/// `struct dma_buf_sync` of linux/dma-buf.h.
#[repr(C)]
struct DmaBufSync {
    flags: u64,
}

const DMA_BUF_SYNC_READ: u64 = 1;
const DMA_BUF_SYNC_START: u64 = 0;
const DMA_BUF_SYNC_END: u64 = 4;

nix::ioctl_write_ptr!(dma_buf_ioctl_sync, b'b', 0, DmaBufSync);

/// Runs `read` between DMA_BUF_IOCTL_SYNC start and end (read access) on `fd`.
pub fn with_read_sync<T>(fd: BorrowedFd<'_>, read: impl FnOnce() -> T) -> Result<T> {
    let sync = |flags| {
        let arg = DmaBufSync {
            flags: flags | DMA_BUF_SYNC_READ,
        };
        // SAFETY: fd is a DMA-BUF and arg is the struct this ioctl reads.
        unsafe { dma_buf_ioctl_sync(fd.as_fd().as_raw_fd(), &arg) }
            .map(drop)
            .map_err(|e| ioctl_error("synchronising the DMA-BUF", e.into()))
    };
    sync(DMA_BUF_SYNC_START)?;
    let value = read();
    sync(DMA_BUF_SYNC_END)?;
    Ok(value)
}
