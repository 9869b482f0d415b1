//! The RandR engine: reading the screen, planning a change, and applying it as a
//! transaction through one of three backends.

pub mod backend;
pub mod cvt;
pub mod events;
#[cfg(test)]
pub mod fixture;
pub mod layout;
pub mod ops;
pub mod state;
pub mod transaction;

use std::collections::BTreeMap;

use serde::Serialize;
use x11rb::connection::{Connection as _, RequestConnection as _};
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::xproto::Window;
use x11rb::rust_connection::RustConnection;

use crate::exit::{Error, Kind, Result};
use state::ScreenState;
use xrdisplay_model::Rect;

/// The oldest RandR with `GetScreenResourcesCurrent` and primary outputs.
const MIN_RANDR: (u32, u32) = (1, 3);

/// A connection to the X server with RandR ready.
pub struct Session {
    pub conn: RustConnection,
    pub root: Window,
    pub display: String,
    pub randr_version: (u32, u32),
}

/// The X display to use: `display`, else `$DISPLAY`.
pub fn display_name(display: Option<&str>) -> Result<String> {
    display
        .map(str::to_string)
        .or_else(|| std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()))
        .ok_or_else(|| {
            Error::new(
                Kind::Server,
                "no X display: DISPLAY is not set; run this inside an X session or pass --display :0",
            )
        })
}

impl Session {
    /// Connects to `display` (or `$DISPLAY`) and checks that RandR is new enough.
    pub fn connect(display: Option<&str>) -> Result<Session> {
        let name = display_name(display)?;
        let (conn, screen) = x11rb::connect(Some(&name)).map_err(|e| {
            Error::new(
                Kind::Server,
                format!("cannot connect to the X server {name}: {e}"),
            )
        })?;
        let root = conn.setup().roots[screen].root;
        if conn
            .extension_information(randr::X11_EXTENSION_NAME)?
            .is_none()
        {
            return Err(Error::unsupported(format!(
                "the X server {name} has no RandR extension"
            )));
        }
        let version = conn.randr_query_version(1, 6)?.reply()?;
        let randr_version = (version.major_version, version.minor_version);
        if randr_version < MIN_RANDR {
            return Err(Error::unsupported(format!(
                "the X server {name} speaks RandR {}.{}; xrdisplay needs {}.{} or newer",
                randr_version.0, randr_version.1, MIN_RANDR.0, MIN_RANDR.1
            )));
        }
        Ok(Session {
            conn,
            root,
            display: name,
            randr_version,
        })
    }

    pub fn read(&self) -> Result<ScreenState> {
        ScreenState::read(&self.conn, self.root, self.randr_version)
    }

    /// The output's EDID; empty when it has none.
    pub fn edid(&self, output: u32) -> Result<Vec<u8>> {
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _};
        let atom = self.conn.intern_atom(true, b"EDID")?.reply()?.atom;
        if atom == 0 {
            return Ok(Vec::new());
        }
        Ok(self
            .conn
            .randr_get_output_property(output, atom, AtomEnum::ANY, 0, 256, false, false)?
            .reply()?
            .data)
    }

    /// The X server's vendor and release, e.g. "The X.Org Foundation 12101007".
    pub fn server_version(&self) -> String {
        let setup = self.conn.setup();
        format!(
            "{} {}",
            String::from_utf8_lossy(&setup.vendor),
            setup.release_number
        )
    }
}

/// What users see of a layout: where each active output is, the client-declared monitors,
/// the screen size and the primary output. Verification and restore compare these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arrangement {
    pub screen: (u32, u32),
    pub outputs: BTreeMap<String, Rect>,
    pub monitors: BTreeMap<String, Rect>,
    pub primary: Option<String>,
}

impl ScreenState {
    pub fn arrangement(&self) -> Arrangement {
        Arrangement {
            screen: (u32::from(self.width), u32::from(self.height)),
            outputs: self.output_rects(),
            monitors: self
                .monitors
                .iter()
                .filter(|m| !m.automatic)
                .map(|m| (m.name.clone(), m.rect))
                .collect(),
            primary: self.output_by_id(self.primary).map(|o| o.name.clone()),
        }
    }
}

impl std::fmt::Display for Arrangement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "screen {}x{}", self.screen.0, self.screen.1)?;
        for (name, rect) in &self.outputs {
            write!(f, ", {name} {rect}")?;
        }
        for (name, rect) in &self.monitors {
            write!(f, ", monitor {name} {rect}")?;
        }
        Ok(())
    }
}
