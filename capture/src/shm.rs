//! Reading the X screen through MIT-SHM, for when DRM access is not possible (no
//! device, no privilege, Xvfb, the dummy driver).
//!
//! The server copies the rectangle into a memfd both processes map (one copy, in the
//! server); `damage` says when and where to copy.

use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use std::ffi::CString;
use std::os::fd::OwnedFd;
use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::shm::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

use crate::format::XRGB8888;
use crate::frame::{BufferLayout, Frame};
use crate::mapping::Mapping;
use crate::{Error, Result};
use xrdisplay_model::Rect;

/// A MIT-SHM reader of the root window.
pub struct ShmCapture {
    conn: RustConnection,
    root: Window,
    segment: shm::Seg,
    mapping: Mapping,
}

fn x_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::x(format!("X server: {e}")).because(e)
}

impl ShmCapture {
    /// Connects to `display` (or `$DISPLAY`) with a shared segment big enough for the
    /// whole screen.
    pub fn connect(display: Option<&str>) -> Result<ShmCapture> {
        let (conn, screen) = x11rb::connect(display).map_err(x_error)?;
        let root_screen = &conn.setup().roots[screen];
        let root = root_screen.root;
        if root_screen.root_depth != 24 {
            return Err(Error::unsupported(format!(
                "the X screen has depth {}; MIT-SHM capture reads depth 24 (XRGB8888)",
                root_screen.root_depth
            )));
        }
        if conn
            .extension_information(shm::X11_EXTENSION_NAME)
            .map_err(x_error)?
            .is_none()
        {
            return Err(Error::unsupported("the X server has no MIT-SHM extension"));
        }
        let version = conn
            .shm_query_version()
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        if (version.major_version, version.minor_version) < (1, 2) {
            return Err(Error::unsupported(
                "MIT-SHM 1.2 (file descriptor passing) is needed",
            ));
        }

        // Room for the largest screen RandR may grow to is too much; the current
        // screen is enough, and a grown screen reconnects.
        let len = usize::from(root_screen.width_in_pixels)
            * usize::from(root_screen.height_in_pixels)
            * 4;
        let fd: OwnedFd = memfd_create(
            &CString::new("xrdisplay-shm").unwrap_or_default(),
            MemFdCreateFlag::MFD_CLOEXEC,
        )
        .map_err(|e| Error::io(format!("memfd_create failed: {e}")).because(e))?;
        nix::unistd::ftruncate(&fd, len as i64)
            .map_err(|e| Error::io(format!("ftruncate failed: {e}")).because(e))?;
        let mapping = Mapping::new(&fd, len, 0, true)?;
        let segment = conn.generate_id().map_err(x_error)?;
        conn.shm_attach_fd(segment, fd, false)
            .map_err(x_error)?
            .check()
            .map_err(x_error)?;
        Ok(ShmCapture {
            conn,
            root,
            segment,
            mapping,
        })
    }

    /// Copies `rect` of the screen into a frame.
    pub fn grab(&mut self, rect: Rect) -> Result<Frame> {
        self.grab_shared(rect)?;
        let layout = BufferLayout {
            width: rect.width,
            height: rect.height,
            stride: rect.width as usize * 4,
            format: XRGB8888,
        };
        Frame::crop(self.mapping.as_slice(), layout, rect.at(0, 0))
    }

    /// Copies `rects` (in `frame`'s pixels) of the screen into `frame`, whose top-left
    /// pixel is at `origin` on the screen. Rectangles close together (their bounding
    /// box at most twice their area) come in one `ShmGetImage` of that box, one round
    /// trip; scattered ones one request each, so the server copies no more than twice
    /// the damage. Then each rectangle is copied once, straight to its place.
    pub fn read_into(
        &mut self,
        frame: &mut Frame,
        origin: (i32, i32),
        rects: &[Rect],
    ) -> Result<()> {
        let damaged = || rects.iter().filter(|r| !r.is_empty());
        if let Some(r) = damaged().find(|r| !r.fits((frame.width, frame.height))) {
            return Err(Error::geometry(format!(
                "rectangle {r} does not fit the {}x{} frame",
                frame.width, frame.height
            )));
        }
        let bounds = damaged().fold(Rect::default(), |b, r| b.union(r));
        let area: u64 = damaged().map(Rect::area).sum();
        if area == 0 {
            Ok(())
        } else if bounds.area() <= 2 * area {
            self.read_part(frame, origin, bounds, rects)
        } else {
            damaged().try_for_each(|r| self.read_part(frame, origin, *r, &[*r]))
        }
    }

    /// Reads `part` of the frame from the screen and copies `rects` (inside it) into
    /// the frame.
    fn read_part(
        &mut self,
        frame: &mut Frame,
        origin: (i32, i32),
        part: Rect,
        rects: &[Rect],
    ) -> Result<()> {
        let on_screen = Rect {
            x: part.x.saturating_add(origin.0),
            y: part.y.saturating_add(origin.1),
            ..part
        };
        let layout = BufferLayout {
            width: part.width,
            height: part.height,
            stride: part.width as usize * 4,
            format: XRGB8888,
        };
        let pixels = self.grab_shared(on_screen)?;
        frame.copy_rects(pixels, layout, (-part.x, -part.y), rects)
    }

    /// Has the X server copy `rect` of the screen into the shared segment (one
    /// `ShmGetImage`) and returns it there, rows of `width * 4` bytes of XRGB8888: the
    /// one copy of this path, made by the server.
    pub fn grab_shared(&mut self, rect: Rect) -> Result<&[u8]> {
        let bytes = rect.width as usize * rect.height as usize * 4;
        let wire = (
            i16::try_from(rect.x).ok().filter(|x| *x >= 0),
            i16::try_from(rect.y).ok().filter(|y| *y >= 0),
            u16::try_from(rect.width)
                .ok()
                .filter(|w| i16::try_from(*w).is_ok()),
            u16::try_from(rect.height)
                .ok()
                .filter(|h| i16::try_from(*h).is_ok()),
        );
        let (Some(x), Some(y), Some(width), Some(height)) = wire else {
            return Err(Error::geometry(format!(
                "rectangle {rect} is larger than the screen this reader was made for"
            )));
        };
        if bytes > self.mapping.len() {
            return Err(Error::geometry(format!(
                "rectangle {rect} is larger than the screen this reader was made for"
            )));
        }
        crate::counters::x_request();
        let reply = self
            .conn
            .shm_get_image(
                self.root,
                x,
                y,
                width,
                height,
                !0,
                ImageFormat::Z_PIXMAP.into(),
                self.segment,
                0,
            )
            .map_err(x_error)?
            .reply()
            .map_err(|e| {
                Error::x(format!(
                    "ShmGetImage of {}x{}+{}+{} failed: {e}",
                    rect.width, rect.height, rect.x, rect.y
                ))
                .because(e)
            })?;
        if reply.depth != 24 {
            return Err(Error::unsupported(format!(
                "ShmGetImage returned depth {}",
                reply.depth
            )));
        }
        Ok(&self.mapping.as_slice()[..bytes])
    }

    /// The connection's socket, e.g. to find the X server's process (SO_PEERCRED).
    pub fn connection(&self) -> &RustConnection {
        &self.conn
    }
}
