//! Framebuffer capture for xrdisplay.
//!
//! Filled by the capture issue: finding the XR output's pixels (a DRM framebuffer or an
//! X drawable), reading them by mmap, DMA-BUF export or MIT-SHM, and the render loop.
