//! A GBM device on the DRM node the capture reads, for EGL_KHR_platform_gbm.
//!
//! Mesa's EGL device and surfaceless platforms open the render node, where the
//! kernel refuses MAP_DUMB; Mesa 22.3's software driver (kms_swrast, e.g. on
//! virtio-gpu without 3D) maps imported DMA-BUFs that way and crashes when it cannot.
//! GBM runs on the node we open, so imports map.

use std::ffi::c_void;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;

use crate::{Error, Result};

type CreateDevice = unsafe extern "C" fn(i32) -> *mut c_void;
type DestroyDevice = unsafe extern "C" fn(*mut c_void);

/// libgbm's device, with the library and the DRM file it uses kept open.
pub struct Gbm {
    device: *mut c_void,
    destroy: DestroyDevice,
    _library: libloading::Library,
    _file: OwnedFd,
}

impl Gbm {
    pub fn open(path: &Path) -> Result<Gbm> {
        let file = std::fs::File::options()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(format!("cannot open {}: {e}", path.display())).because(e))?;
        // SAFETY: libgbm's initialisers only set up its backend table.
        let library = unsafe { libloading::Library::new("libgbm.so.1") }.map_err(|e| {
            Error::unsupported(format!("cannot load libgbm.so.1: {e} (install libgbm1)")).because(e)
        })?;
        // SAFETY: the prototypes of gbm_create_device and gbm_device_destroy (gbm.h).
        let (create, destroy) = unsafe {
            let create = library.get::<CreateDevice>(b"gbm_create_device\0");
            let destroy = library.get::<DestroyDevice>(b"gbm_device_destroy\0");
            match (create, destroy) {
                (Ok(c), Ok(d)) => (*c, *d),
                _ => return Err(Error::unsupported("libgbm.so.1 lacks gbm_create_device")),
            }
        };
        let file = OwnedFd::from(file);
        // SAFETY: `file` is an open DRM file that outlives the device (field order).
        let device = unsafe { create(file.as_raw_fd()) };
        if device.is_null() {
            return Err(Error::unsupported(format!(
                "libgbm cannot use {} (no GBM backend for its driver)",
                path.display()
            )));
        }
        Ok(Gbm {
            device,
            destroy,
            _library: library,
            _file: file,
        })
    }

    /// The `gbm_device*`, for eglGetPlatformDisplay.
    pub fn device(&self) -> *mut c_void {
        self.device
    }
}

impl Drop for Gbm {
    fn drop(&mut self) {
        // SAFETY: the device was created by this library and is destroyed once; the
        // EGL display on it was terminated before (Egl drops this last).
        unsafe { (self.destroy)(self.device) };
    }
}
