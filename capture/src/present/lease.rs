//! Presenting on glasses the desktop does not drive (an output marked `non-desktop`,
//! or any output that is off): a RandR 1.6 lease of the output and a free CRTC makes
//! xrdisplay the DRM master of just those two, so it sets the mode itself and shows
//! frames by page flips of two scanout buffers drawn in turn.
//!
//! The buffers are dumb buffers (linear XRGB8888, which every KMS driver scans out),
//! exported as DMA-BUFs and imported into EGL as render targets. The X connection that
//! took the lease is kept open: the server ends the lease when it closes.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use drm::buffer::{Buffer as _, DrmFourcc};
use drm::control::{
    connector, crtc, dumbbuffer::DumbBuffer, framebuffer, Device as ControlDevice, Mode,
    PageFlipFlags,
};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use x11rb::connection::Connection as _;
use x11rb::errors::ReplyError;
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::rust_connection::RustConnection;

use crate::drm::{modifier, Dmabuf, DmabufPlane};
use crate::{Error, Result};

/// How long a page flip may take before the presenter gives up on the device.
const FLIP_TIMEOUT: Duration = Duration::from_secs(1);

/// The lessee's DRM file.
struct LeaseFd(OwnedFd);

impl AsFd for LeaseFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl drm::Device for LeaseFd {}
impl ControlDevice for LeaseFd {}

/// One scanout buffer: the dumb buffer, its framebuffer, and its DMA-BUF for EGL.
pub(crate) struct ScanoutBuffer {
    dumb: Option<DumbBuffer>,
    framebuffer: framebuffer::Handle,
    pub dmabuf: Dmabuf,
}

/// A leased output with its CRTC and scanout buffers.
pub(crate) struct Lease {
    conn: RustConnection,
    lease: randr::Lease,
    fd: LeaseFd,
    crtc: crtc::Handle,
    connector: connector::Handle,
    mode: Mode,
    pub buffers: Vec<ScanoutBuffer>,
    /// Whether the CRTC shows one of the buffers yet (the first frame sets the mode).
    shown: bool,
}

fn x_error(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::x(format!("{what}: {e}")).because(e)
}

fn drm_error(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::unsupported(format!("{what} on the leased output: {e}")).because(e)
}

impl Lease {
    /// Leases RandR output `output` with CRTC `crtc` on `display` and prepares to show
    /// `mode` (a RandR mode id of the output) on it.
    pub fn take(display: Option<&str>, output: u32, crtc: u32, mode: u32) -> Result<Lease> {
        let (conn, screen) = x11rb::connect(display)
            .map_err(|e| x_error("cannot connect to the X server for a lease", e))?;
        let root = conn.setup().roots[screen].root;
        let version = conn
            .randr_query_version(1, 6)
            .map_err(|e| x_error("RandR", e))?
            .reply()
            .map_err(|e| x_error("RandR", e))?;
        if (version.major_version, version.minor_version) < (1, 6) {
            return Err(Error::unsupported(format!(
                "the X server speaks RandR {}.{}; leases need 1.6",
                version.major_version, version.minor_version
            )));
        }
        let resources = conn
            .randr_get_screen_resources_current(root)
            .map_err(|e| x_error("reading the screen", e))?
            .reply()
            .map_err(|e| x_error("reading the screen", e))?;
        let info = resources
            .modes
            .iter()
            .find(|m| m.id == mode)
            .ok_or_else(|| Error::x(format!("the X server has no mode {mode:#x}")))?;
        let name = resources
            .names
            .get(..usize::from(info.name_len))
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let mode = drm_mode(info, &name);
        let lease = conn
            .generate_id()
            .map_err(|e| x_error("allocating an X id", e))?;
        let reply = conn
            .randr_create_lease(root, lease, &[crtc], &[output])
            .map_err(|e| x_error("asking for a lease", e))?
            .reply()
            .map_err(|e| match e {
                ReplyError::X11Error(x) => Error::unsupported(format!(
                    "the X server refused to lease the output ({:?} error): the output or \
                     CRTC may be in use, or its driver cannot lease (only KMS drivers such \
                     as modesetting can)",
                    x.error_kind
                )),
                other => x_error("asking for a lease", other),
            })?;
        let fd = LeaseFd(reply.master_fd);
        let handles = fd
            .resource_handles()
            .map_err(|e| drm_error("listing the leased objects", e))?;
        let (Some(&crtc), Some(&connector)) =
            (handles.crtcs().first(), handles.connectors().first())
        else {
            return Err(Error::unsupported(
                "the lease holds no CRTC or no connector",
            ));
        };
        let mut this = Lease {
            conn,
            lease,
            fd,
            crtc,
            connector,
            mode,
            buffers: Vec::new(),
            shown: false,
        };
        for _ in 0..2 {
            let buffer = this.scanout_buffer()?;
            this.buffers.push(buffer);
        }
        Ok(this)
    }

    /// The mode's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        let (w, h) = self.mode.size();
        (u32::from(w), u32::from(h))
    }

    fn scanout_buffer(&self) -> Result<ScanoutBuffer> {
        let (width, height) = self.size();
        let dumb = self
            .fd
            .create_dumb_buffer((width, height), DrmFourcc::Xrgb8888, 32)
            .map_err(|e| drm_error(&format!("creating a {width}x{height} buffer"), e))?;
        let made = self.fd.add_framebuffer(&dumb, 24, 32).and_then(|fb| {
            let prime = self
                .fd
                .buffer_to_prime_fd(dumb.handle(), drm_ffi::DRM_CLOEXEC | drm_ffi::DRM_RDWR);
            match prime {
                Ok(fd) => Ok((fb, fd)),
                Err(e) => {
                    let _ = self.fd.destroy_framebuffer(fb);
                    Err(e)
                }
            }
        });
        let (framebuffer, fd) = match made {
            Ok(made) => made,
            Err(e) => {
                let _ = self.fd.destroy_dumb_buffer(dumb);
                return Err(drm_error("making a scanout buffer", e));
            }
        };
        let dmabuf = Dmabuf {
            fb_id: u32::from(framebuffer),
            width,
            height,
            fourcc: DrmFourcc::Xrgb8888 as u32,
            modifier: Some(modifier::LINEAR),
            planes: vec![DmabufPlane {
                fd,
                offset: 0,
                pitch: dumb.pitch(),
            }],
        };
        Ok(ScanoutBuffer {
            dumb: Some(dumb),
            framebuffer,
            dmabuf,
        })
    }

    /// Shows buffer `index` (drawn and finished): the first time by setting the mode,
    /// then by a page flip, waiting for it to complete (vsync).
    pub fn show(&mut self, index: usize) -> Result<()> {
        let framebuffer = self
            .buffers
            .get(index)
            .map(|b| b.framebuffer)
            .ok_or_else(|| Error::geometry(format!("no scanout buffer {index}")))?;
        if !self.shown {
            self.fd
                .set_crtc(
                    self.crtc,
                    Some(framebuffer),
                    (0, 0),
                    &[self.connector],
                    Some(self.mode),
                )
                .map_err(|e| drm_error("setting the mode", e))?;
            self.shown = true;
            return Ok(());
        }
        self.fd
            .page_flip(self.crtc, framebuffer, PageFlipFlags::EVENT, None)
            .map_err(|e| drm_error("flipping", e))?;
        self.wait_for_flip()
    }

    fn wait_for_flip(&self) -> Result<()> {
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        let millis = u16::try_from(FLIP_TIMEOUT.as_millis()).unwrap_or(u16::MAX);
        let ready = poll(&mut fds, PollTimeout::from(millis))
            .map_err(|e| drm_error("waiting for a flip", e))?;
        if ready == 0 {
            return Err(Error::vanished(format!(
                "a page flip on the leased output took over {} ms",
                FLIP_TIMEOUT.as_millis()
            )));
        }
        // Reading the events consumes the flip's completion.
        self.fd
            .receive_events()
            .map(|events| events.for_each(drop))
            .map_err(|e| drm_error("reading flip events", e))
    }

    /// Whether the X server is still there (the lease lives as long as it does):
    /// reading pending events notices a closed connection without blocking.
    pub fn check(&self) -> Result<()> {
        while self
            .conn
            .poll_for_event()
            .map_err(|e| Error::vanished(format!("the X server went away: {e}")).because(e))?
            .is_some()
        {}
        Ok(())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        for mut buffer in std::mem::take(&mut self.buffers) {
            let _ = self.fd.destroy_framebuffer(buffer.framebuffer);
            if let Some(dumb) = buffer.dumb.take() {
                let _ = self.fd.destroy_dumb_buffer(dumb);
            }
        }
        // Ending the lease gives the output and CRTC back to the X server.
        let _ = self.conn.randr_free_lease(self.lease, 1);
        let _ = self.conn.flush();
    }
}

/// A RandR mode's timings as the kernel takes them; the flag bits are the same.
fn drm_mode(info: &randr::ModeInfo, name: &str) -> Mode {
    let total = u64::from(info.htotal) * u64::from(info.vtotal);
    let refresh = (u64::from(info.dot_clock) + total / 2)
        .checked_div(total)
        .unwrap_or(0);
    let mut raw = drm_ffi::drm_mode_modeinfo {
        clock: info.dot_clock / 1000,
        hdisplay: info.width,
        hsync_start: info.hsync_start,
        hsync_end: info.hsync_end,
        htotal: info.htotal,
        hskew: info.hskew,
        vdisplay: info.height,
        vsync_start: info.vsync_start,
        vsync_end: info.vsync_end,
        vtotal: info.vtotal,
        vscan: 0,
        vrefresh: u32::try_from(refresh).unwrap_or(0),
        flags: u32::from(info.mode_flags),
        type_: drm_ffi::DRM_MODE_TYPE_USERDEF,
        name: [0; 32],
    };
    for (dst, src) in raw.name.iter_mut().zip(name.bytes().take(31)) {
        *dst = src as std::ffi::c_char;
    }
    Mode::from(raw)
}
