//! The pointer, drawn by the loop itself: a virtual CRTC takes hardware-cursor calls
//! and draws nothing, so the captured pixels never contain it.

use x11rb::connection::Connection as _;
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ConnectionExt as _, Window};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use xrdisplay_model::Rect;

use crate::exit::{Error, Result};

/// The cursor's picture as XFixes gives it: premultiplied ARGB, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorImage {
    pub serial: u32,
    pub width: u16,
    pub height: u16,
    /// The hotspot, inside the picture.
    pub hot: (u16, u16),
    pub argb: Vec<u32>,
}

/// Follows the cursor's picture (on XFixes' notification) and the pointer.
pub struct CursorTracker {
    conn: RustConnection,
    root: Window,
    image: Option<CursorImage>,
    stale: bool,
}

impl CursorTracker {
    pub fn connect(display: &str) -> Result<CursorTracker> {
        let (conn, screen) = x11rb::connect(Some(display))
            .map_err(|e| Error::runtime(format!("cursor: cannot connect to {display}: {e}")))?;
        let root = conn.setup().roots[screen].root;
        conn.xfixes_query_version(4, 0)?.reply()?;
        conn.xfixes_select_cursor_input(root, xfixes::CursorNotifyMask::DISPLAY_CURSOR)?
            .check()?;
        Ok(CursorTracker {
            conn,
            root,
            image: None,
            stale: true,
        })
    }

    /// The cursor and where its hotspot is relative to `within` (screen coordinates),
    /// or `None` while the pointer is outside `within`.
    pub fn poll(&mut self, within: Rect) -> Result<Option<(&CursorImage, (i32, i32))>> {
        while let Some(event) = self.conn.poll_for_event()? {
            if let Event::XfixesCursorNotify(_) = event {
                self.stale = true;
            }
        }
        if std::mem::take(&mut self.stale) {
            let reply = self.conn.xfixes_get_cursor_image()?.reply()?;
            self.image = Some(CursorImage {
                serial: reply.cursor_serial,
                width: reply.width,
                height: reply.height,
                hot: (reply.xhot, reply.yhot),
                argb: reply.cursor_image,
            });
        }
        let pointer = self.conn.query_pointer(self.root)?.reply()?;
        let (x, y) = (
            i32::from(pointer.root_x) - within.x,
            i32::from(pointer.root_y) - within.y,
        );
        let inside = x >= 0 && y >= 0 && x < within.width as i32 && y < within.height as i32;
        Ok(self
            .image
            .as_ref()
            .filter(|_| inside)
            .map(|image| (image, (x, y))))
    }
}
