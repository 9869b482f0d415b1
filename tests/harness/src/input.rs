//! Real pointer input through XTEST, and a window that records the clicks it gets:
//! enough to tell whether a window on top lets clicks through to what is below.

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateWindowAux, EventMask, WindowClass, BUTTON_PRESS_EVENT,
    BUTTON_RELEASE_EVENT, MOTION_NOTIFY_EVENT,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// An input-only window over a rectangle of the screen, mapped now (so windows mapped
/// later are above it), that records button presses.
pub struct ClickCatcher {
    conn: RustConnection,
    root: u32,
    window: u32,
}

impl ClickCatcher {
    pub fn cover(display: &str, (x, y, width, height): (i16, i16, u16, u16)) -> ClickCatcher {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect");
        let root = conn.setup().roots[screen].root;
        let window = conn.generate_id().unwrap();
        conn.create_window(
            0,
            window,
            root,
            x,
            y,
            width,
            height,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &CreateWindowAux::new()
                .override_redirect(1)
                .event_mask(EventMask::BUTTON_PRESS),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        conn.sync().unwrap();
        ClickCatcher { conn, root, window }
    }

    /// Moves the pointer to (`x`, `y`) on the screen and clicks button 1 there, as a
    /// real mouse would.
    pub fn click_at(&self, x: i16, y: i16) {
        let c = &self.conn;
        c.xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, self.root, x, y, 0)
            .unwrap();
        c.xtest_fake_input(BUTTON_PRESS_EVENT, 1, 0, self.root, 0, 0, 0)
            .unwrap();
        c.xtest_fake_input(BUTTON_RELEASE_EVENT, 1, 0, self.root, 0, 0, 0)
            .unwrap();
        c.sync().unwrap();
    }

    /// Whether this window got a button press within `timeout`.
    pub fn caught_a_click(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            while let Some(event) = self.conn.poll_for_event().unwrap() {
                if matches!(event, Event::ButtonPress(e) if e.event == self.window) {
                    return true;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}
