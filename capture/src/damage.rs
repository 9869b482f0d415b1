//! What was drawn on the X screen, from the DAMAGE extension: an idle desktop costs no
//! copies, and a small change costs a small copy.
//!
//! The damage accumulates in the server; taking it moves it into an XFixes region
//! (DamageSubtract) whose rectangles are then fetched, so nothing drawn between two
//! takes is lost.

use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use x11rb::connection::{Connection, RequestConnection};
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

use crate::{Error, Result};
use xrdisplay_model::Rect;

/// Damage of the root window, on a connection of its own.
pub struct DamageWatch {
    conn: RustConnection,
    damage: damage::Damage,
    region: xfixes::Region,
    /// Nothing was taken yet: the first take reports everything.
    first: bool,
    notified: bool,
}

fn x_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::x(format!("X server: {e}")).because(e)
}

impl DamageWatch {
    pub fn connect(display: Option<&str>) -> Result<DamageWatch> {
        let (conn, screen) = x11rb::connect(display).map_err(x_error)?;
        let root = conn.setup().roots[screen].root;
        for name in [damage::X11_EXTENSION_NAME, xfixes::X11_EXTENSION_NAME] {
            if conn.extension_information(name).map_err(x_error)?.is_none() {
                return Err(Error::unsupported(format!(
                    "the X server has no {name} extension"
                )));
            }
        }
        conn.xfixes_query_version(5, 0)
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        conn.damage_query_version(1, 1)
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        let region = conn.generate_id().map_err(x_error)?;
        conn.xfixes_create_region(region, &[]).map_err(x_error)?;
        let damage = conn.generate_id().map_err(x_error)?;
        conn.damage_create(damage, root, damage::ReportLevel::NON_EMPTY)
            .map_err(x_error)?
            .check()
            .map_err(x_error)?;
        Ok(DamageWatch {
            conn,
            damage,
            region,
            first: true,
            notified: false,
        })
    }

    /// What was drawn inside `within` since the last take, as rectangles relative to
    /// `within`'s corner; all of it on the first take. Does not wait.
    pub fn take(&mut self, within: Rect) -> Result<Vec<Rect>> {
        while let Some(event) = self.conn.poll_for_event().map_err(x_error)? {
            if let Event::DamageNotify(_) = event {
                self.notified = true;
            }
        }
        if std::mem::take(&mut self.first) {
            self.notified = false;
            self.fetch()?;
            return Ok(vec![within.at(0, 0)]);
        }
        if !std::mem::take(&mut self.notified) {
            return Ok(Vec::new());
        }
        Ok(self
            .fetch()?
            .into_iter()
            .filter_map(|r| clip(r, within))
            .collect())
    }

    /// Like [`DamageWatch::take`], but waits up to `timeout` for drawing inside
    /// `within`.
    pub fn wait(&mut self, within: Rect, timeout: Duration) -> Result<Vec<Rect>> {
        let deadline = Instant::now() + timeout;
        loop {
            let damage = self.take(within)?;
            let left = deadline.saturating_duration_since(Instant::now());
            if !damage.is_empty() || left.is_zero() {
                return Ok(damage);
            }
            wait_readable(self.as_fd(), left)?;
        }
    }

    /// Moves the accumulated damage into the region and reads its rectangles.
    fn fetch(&mut self) -> Result<Vec<x11rb::protocol::xproto::Rectangle>> {
        self.conn
            .damage_subtract(self.damage, x11rb::NONE, self.region)
            .map_err(x_error)?;
        let reply = self
            .conn
            .xfixes_fetch_region(self.region)
            .map_err(x_error)?
            .reply()
            .map_err(x_error)?;
        Ok(reply.rectangles)
    }
}

/// The socket, to wait for damage together with other events.
impl AsFd for DamageWatch {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.conn.stream().as_fd()
    }
}

/// `r` (screen coordinates) cut to `within`, relative to `within`'s corner.
fn clip(r: x11rb::protocol::xproto::Rectangle, within: Rect) -> Option<Rect> {
    let r = Rect::new(r.x.into(), r.y.into(), r.width.into(), r.height.into());
    let cut = r.intersect(&within)?;
    Some(cut.offset(-within.x, -within.y))
}

/// Waits until `fd` is readable or `timeout` passes.
pub fn wait_readable(fd: BorrowedFd<'_>, timeout: Duration) -> Result<()> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let millis = u16::try_from(timeout.as_millis().max(1)).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    poll(&mut fds, PollTimeout::from(millis))
        .map_err(|e| Error::x(format!("poll failed: {e}")).because(e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use x11rb::protocol::xproto::Rectangle;

    #[test]
    fn damage_is_cut_to_the_watched_rectangle_and_made_relative_to_it() {
        let within = Rect {
            x: 100,
            y: 50,
            width: 200,
            height: 100,
        };
        let r = |x, y, width, height| Rectangle {
            x,
            y,
            width,
            height,
        };
        assert_eq!(
            clip(r(90, 40, 20, 20), within),
            Some(Rect {
                x: 0,
                y: 0,
                width: 10,
                height: 10
            })
        );
        assert_eq!(clip(r(0, 0, 100, 500), within), None);
        assert_eq!(
            clip(r(299, 149, 5, 5), within).map(|c| (c.x, c.width)),
            Some((199, 1))
        );
        assert_eq!(clip(r(-5, 60, 1000, 1), within).map(|c| c.width), Some(200));
    }
}
