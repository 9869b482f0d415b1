//! A memory mapping that is unmapped when dropped.

use std::num::NonZeroUsize;
use std::os::fd::AsFd;
use std::ptr::NonNull;

use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};

use crate::{Error, Result};

pub struct Mapping {
    ptr: NonNull<std::ffi::c_void>,
    len: usize,
}

impl Mapping {
    /// Maps `len` bytes of `fd` from `offset`, shared, readable (and writable if asked).
    pub fn new(fd: impl AsFd, len: usize, offset: i64, writable: bool) -> Result<Mapping> {
        let size = NonZeroUsize::new(len).ok_or_else(|| Error::geometry("cannot map 0 bytes"))?;
        let prot = if writable {
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE
        } else {
            ProtFlags::PROT_READ
        };
        // SAFETY: a fresh shared mapping of a file descriptor; nothing else aliases it
        // in this process, and it lives until `self` is dropped.
        let ptr = unsafe { mmap(None, size, prot, MapFlags::MAP_SHARED, fd, offset) }
            .map_err(|e| Error::io(format!("mmap of {len} bytes failed: {e}")).because(e))?;
        Ok(Mapping { ptr, len })
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the mapping is `len` readable bytes for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr() as *const u8, self.len) }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` are exactly what mmap returned, unmapped once.
        let _ = unsafe { munmap(self.ptr, self.len) };
    }
}

// SAFETY: the mapping is plain shared memory owned by this value; moving it to another
// thread moves that ownership.
unsafe impl Send for Mapping {}
// SAFETY: shared references only read the mapping, and reads from several threads are
// fine.
unsafe impl Sync for Mapping {}
