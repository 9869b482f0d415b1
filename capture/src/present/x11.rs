//! The presenting window on X: libxcb's connection (loaded at run time), because that
//! is what EGL_EXT_platform_xcb draws through, driven with x11rb's requests.

use std::ffi::{c_void, CString};

use x11rb::connection::Connection;
use x11rb::protocol::shape::SK;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{
    AtomEnum, ColormapAlloc, ConnectionExt as _, CreateWindowAux, PropMode, WindowClass,
};
use x11rb::wrapper::ConnectionExt as _;
use x11rb::xcb_ffi::XCBConnection;

use xrdisplay_model::Rect;

use crate::{Error, Result};

pub(crate) struct Window {
    conn: XCBConnection,
    screen: usize,
    window: Option<u32>,
    colormap: Option<u32>,
}

fn x_error(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::x(format!("{what}: {e}")).because(e)
}

impl Window {
    /// Connects to `display` (`None`: `$DISPLAY`); the window comes with `create`, once
    /// EGL has said which visual its surfaces need.
    pub fn connect(display: Option<&str>) -> Result<Window> {
        x11rb::xcb_ffi::load_libxcb().map_err(|e| {
            Error::unsupported(format!("cannot load libxcb.so.1: {e} (install libxcb1)")).because(e)
        })?;
        let name = display
            .map(CString::new)
            .transpose()
            .map_err(|_| Error::x("the display name contains a NUL byte"))?;
        let (conn, screen) = XCBConnection::connect(name.as_deref()).map_err(|e| {
            x_error(
                &format!(
                    "cannot connect to X display {}",
                    display.unwrap_or("$DISPLAY")
                ),
                e,
            )
        })?;
        Ok(Window {
            conn,
            screen,
            window: None,
            colormap: None,
        })
    }

    /// The `xcb_connection_t` and screen number, for eglGetPlatformDisplay.
    pub fn native(&self) -> (*mut c_void, usize) {
        (self.conn.get_raw_xcb_connection(), self.screen)
    }

    /// Maps an override-redirect window without a border over `rect`, with `visual`
    /// (the root window's when `None`), and returns its id. The window takes no input:
    /// clicks and the pointer go through it to whatever is below, so it never steals
    /// the focus or a click meant for the desktop.
    pub fn create(
        &mut self,
        visual: Option<u32>,
        Rect {
            x,
            y,
            width,
            height,
        }: Rect,
    ) -> Result<u32> {
        let screen = self
            .conn
            .setup()
            .roots
            .get(self.screen)
            .ok_or_else(|| Error::x(format!("the X server has no screen {}", self.screen)))?;
        let (root, root_visual, root_depth) = (screen.root, screen.root_visual, screen.root_depth);
        let visual = visual.filter(|&v| v != 0).unwrap_or(root_visual);
        let depth = screen
            .allowed_depths
            .iter()
            .find(|d| d.visuals.iter().any(|v| v.visual_id == visual))
            .map(|d| d.depth)
            .ok_or_else(|| {
                Error::x(format!(
                    "the X screen lacks visual {visual:#x}, which EGL draws with"
                ))
            })?;
        let wire = (
            i16::try_from(x),
            i16::try_from(y),
            u16::try_from(width),
            u16::try_from(height),
        );
        let (Ok(wire_x), Ok(wire_y), Ok(w), Ok(h)) = wire else {
            return Err(Error::geometry(format!(
                "the output {width}x{height}+{x}+{y} does not fit X's window coordinates"
            )));
        };
        if w == 0 || h == 0 {
            return Err(Error::geometry("the output to present on has no pixels"));
        }
        let mut aux = CreateWindowAux::new()
            .override_redirect(1)
            .background_pixel(0)
            .border_pixel(0);
        // Another visual than the root's needs a colormap of its own, or X refuses.
        if visual != root_visual || depth != root_depth {
            let colormap = self
                .conn
                .generate_id()
                .map_err(|e| x_error("allocating an X id", e))?;
            self.conn
                .create_colormap(ColormapAlloc::NONE, colormap, root, visual)
                .map_err(|e| x_error("creating a colormap", e))?;
            self.colormap = Some(colormap);
            aux = aux.colormap(colormap);
        }
        let window = self
            .conn
            .generate_id()
            .map_err(|e| x_error("allocating an X id", e))?;
        self.conn
            .create_window(
                depth,
                window,
                root,
                wire_x,
                wire_y,
                w,
                h,
                0,
                WindowClass::INPUT_OUTPUT,
                visual,
                &aux,
            )
            .map_err(|e| x_error("creating the window", e))?;
        self.window = Some(window);
        self.conn
            .change_property8(
                PropMode::REPLACE,
                window,
                AtomEnum::WM_NAME,
                AtomEnum::STRING,
                b"xrdisplay",
            )
            .map_err(|e| x_error("naming the window", e))?;
        self.pass_input_through(window)?;
        self.conn
            .map_window(window)
            .map_err(|e| x_error("mapping the window", e))?;
        // A round trip: errors in the requests above surface here, not in EGL.
        self.conn
            .sync()
            .map_err(|e| x_error("creating the presenting window", e))?;
        Ok(window)
    }
}

impl Window {
    /// Gives `window` an empty input shape (XFixes 2), so input goes to what is below.
    fn pass_input_through(&self, window: u32) -> Result<()> {
        let what = "making the window transparent to input";
        self.conn
            .xfixes_query_version(5, 0)
            .map_err(|e| x_error(what, e))?
            .reply()
            .map_err(|e| x_error(what, e))?;
        let region = self
            .conn
            .generate_id()
            .map_err(|e| x_error("allocating an X id", e))?;
        self.conn
            .xfixes_create_region(region, &[])
            .map_err(|e| x_error(what, e))?;
        self.conn
            .xfixes_set_window_shape_region(window, SK::INPUT, 0, 0, region)
            .map_err(|e| x_error(what, e))?;
        self.conn
            .xfixes_destroy_region(region)
            .map_err(|e| x_error(what, e))?;
        Ok(())
    }

    /// Whether the X server still answers. Reading pending events (this window selects
    /// none; errors are dropped) notices a closed connection without blocking: Mesa's
    /// software presentation to a dead server returns success after tens of seconds.
    pub fn check(&self) -> Result<()> {
        loop {
            match self.conn.poll_for_event() {
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e) => return Err(Error::vanished(format!("the X server went away: {e}"))),
            }
        }
        match self.conn.has_error() {
            Some(e) => Err(Error::vanished(format!("the X server went away: {e}"))),
            None => Ok(()),
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if let Some(window) = self.window.take() {
            let _ = self.conn.destroy_window(window);
        }
        if let Some(colormap) = self.colormap.take() {
            let _ = self.conn.free_colormap(colormap);
        }
        let _ = self.conn.flush();
    }
}
