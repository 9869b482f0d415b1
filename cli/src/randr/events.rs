//! Waiting for the server to report a layout change through RandR events, instead of
//! sleeping and hoping: the patched driver announces a new XR output with an output or
//! resource change notification.

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use x11rb::connection::Connection as _;
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::Event;

use crate::exit::{Error, Result};
use crate::randr::Session;

/// How long a driver gets to create or delete an output.
pub const OUTPUT_TIMEOUT: Duration = Duration::from_secs(5);

/// The notifications that can mean outputs or CRTCs came, went or changed.
pub fn layout_notify_mask() -> randr::NotifyMask {
    randr::NotifyMask::SCREEN_CHANGE
        | randr::NotifyMask::CRTC_CHANGE
        | randr::NotifyMask::OUTPUT_CHANGE
        | randr::NotifyMask::OUTPUT_PROPERTY
        | randr::NotifyMask::RESOURCE_CHANGE
}

/// Whether an event says the set of outputs or their configuration may have changed.
pub fn is_layout_event(event: &Event) -> bool {
    match event {
        Event::RandrScreenChangeNotify(_) => true,
        Event::RandrNotify(notify) => matches!(
            notify.sub_code,
            randr::Notify::CRTC_CHANGE
                | randr::Notify::OUTPUT_CHANGE
                | randr::Notify::RESOURCE_CHANGE
        ),
        _ => false,
    }
}

impl Session {
    /// Asks for RandR layout events on the root window.
    pub fn watch_layout(&self) -> Result<()> {
        self.conn
            .randr_select_input(self.root, layout_notify_mask())?
            .check()?;
        Ok(())
    }

    /// Re-checks `done` after each layout event until it holds or `timeout` passes.
    /// Call [`Session::watch_layout`] before sending the request that causes the change.
    pub fn wait_until(
        &self,
        timeout: Duration,
        mut done: impl FnMut(&Session) -> Result<bool>,
    ) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            if done(self)? {
                return Ok(true);
            }
            if !self.wait_for_layout_event(deadline)? {
                return Ok(false);
            }
        }
    }

    /// Blocks until a layout event arrives (true) or the deadline passes (false).
    fn wait_for_layout_event(&self, deadline: Instant) -> Result<bool> {
        loop {
            while let Some(event) = self.conn.poll_for_event()? {
                if is_layout_event(&event) {
                    return Ok(true);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            let millis = u16::try_from(left.as_millis().max(1)).unwrap_or(u16::MAX);
            let mut fds = [PollFd::new(self.conn.stream().as_fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::from(millis))
                .map_err(|e| Error::runtime(format!("waiting for X events failed: {e}")))?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use x11rb::x11_utils::TryParse;

    /// A RandR notify event as it comes off the wire (32 bytes, little-endian).
    fn notify_bytes(sub_code: u8, output: u32) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0] = 90; // the extension's first event + 1 (RRNotify), as the server numbers it
        b[1] = sub_code;
        b[2..4].copy_from_slice(&7u16.to_le_bytes()); // sequence
        b[4..8].copy_from_slice(&1234u32.to_le_bytes()); // timestamp
        b[8..12].copy_from_slice(&1200u32.to_le_bytes()); // config timestamp
        b[12..16].copy_from_slice(&0x1e2u32.to_le_bytes()); // window
        b[16..20].copy_from_slice(&output.to_le_bytes());
        b
    }

    #[test]
    fn output_and_resource_changes_are_layout_events() {
        for (code, expected) in [(0, true), (1, true), (2, false), (5, true), (3, false)] {
            let bytes = notify_bytes(code, 0x52);
            let (event, _) = randr::NotifyEvent::try_parse(&bytes).unwrap();
            assert_eq!(
                is_layout_event(&Event::RandrNotify(event)),
                expected,
                "sub code {code}"
            );
        }
    }

    #[test]
    fn an_output_change_carries_the_output_id() {
        let bytes = notify_bytes(1, 0x52);
        let (event, _) = randr::NotifyEvent::try_parse(&bytes).unwrap();
        assert_eq!(event.sub_code, randr::Notify::OUTPUT_CHANGE);
        assert_eq!(event.u.as_oc().output, 0x52);
    }
}
