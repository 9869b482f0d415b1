//! The patched driver's keep-alive: it puts a virtual output in DPMS standby when its
//! `FRAMEBUFFER_ID` property has not been read for 5 s. A thread with its own X
//! connection reads it every 1.5 s, so a capture loop never waits on it.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};

use crate::{Error, Result};

/// Well inside the driver's 5 s.
pub const INTERVAL: Duration = Duration::from_millis(1500);

/// Reads `FRAMEBUFFER_ID` of one output until dropped.
pub struct KeepAlive {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl KeepAlive {
    /// Starts reading the property of the output named `output` on `display`.
    pub fn start(display: Option<&str>, output: &str) -> Result<KeepAlive> {
        let x = |e: &dyn std::fmt::Display| Error::x(format!("keep-alive: {e}"));
        let (conn, screen) = x11rb::connect(display).map_err(|e| x(&e))?;
        let root = conn.setup().roots[screen].root;
        let atom = conn
            .intern_atom(true, b"FRAMEBUFFER_ID")
            .map_err(|e| x(&e))?
            .reply()
            .map_err(|e| x(&e))?
            .atom;
        let resources = conn
            .randr_get_screen_resources_current(root)
            .map_err(|e| x(&e))?
            .reply()
            .map_err(|e| x(&e))?;
        let mut id = None;
        for &candidate in &resources.outputs {
            let info = conn
                .randr_get_output_info(candidate, resources.config_timestamp)
                .map_err(|e| x(&e))?
                .reply()
                .map_err(|e| x(&e))?;
            if info.name == output.as_bytes() {
                id = Some(candidate);
            }
        }
        let id =
            id.ok_or_else(|| Error::vanished(format!("keep-alive: no output named {output}")))?;
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::spawn(move || loop {
            let read = conn
                .randr_get_output_property(id, atom, AtomEnum::ANY, 0, 1, false, false)
                .map(|cookie| cookie.reply());
            if !matches!(read, Ok(Ok(_))) {
                return; // the server or the output is gone: nothing left to keep alive
            }
            match stopped.recv_timeout(INTERVAL) {
                Err(RecvTimeoutError::Timeout) => continue,
                _ => return,
            }
        });
        Ok(KeepAlive {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
