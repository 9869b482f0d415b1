//! A snapshot of the X screen's RandR state, read through the *current* resources only.
//!
//! `RRGetScreenResources` makes the server re-probe every output (slow, and it wipes the
//! patched driver's XR outputs), so nothing here ever sends it.

use std::collections::BTreeMap;

use serde::Serialize;
use x11rb::connection::Connection as _;
use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{Atom, AtomEnum, ConnectionExt as _, Window};
use x11rb::rust_connection::RustConnection;

use crate::exit::Result;
use xrdisplay_model::Rect;

/// Output properties the engine reads. Interned with only-if-exists: an atom the server
/// never saw means no output carries that property.
pub const PROPERTY_NAMES: [&str; 4] = [
    "non-desktop",
    "FRAMEBUFFER_ID",
    "VIRTUAL_OUTPUT",
    "CONNECTOR_ID",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mode {
    pub id: u32,
    pub name: String,
    pub width: u16,
    pub height: u16,
    pub refresh: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crtc {
    pub id: u32,
    pub x: i16,
    pub y: i16,
    pub width: u16,
    pub height: u16,
    /// 0 when the CRTC is off.
    pub mode: u32,
    pub rotation: u16,
    pub outputs: Vec<u32>,
}

impl Crtc {
    pub fn is_active(&self) -> bool {
        self.mode != 0
    }

    pub fn rect(&self) -> Rect {
        Rect {
            x: i32::from(self.x),
            y: i32::from(self.y),
            width: u32::from(self.width),
            height: u32::from(self.height),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub id: u32,
    pub name: String,
    pub connected: bool,
    /// 0 when the output has no CRTC.
    pub crtc: u32,
    /// CRTCs that can drive it.
    pub crtcs: Vec<u32>,
    pub modes: Vec<u32>,
    pub non_desktop: bool,
    /// Set by the patched modesetting driver on its virtual outputs.
    pub virtual_output: bool,
    pub framebuffer_id: Option<u32>,
    pub connector_id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    pub name: String,
    pub primary: bool,
    /// Made by the server for an active output, rather than declared by a client.
    pub automatic: bool,
    pub rect: Rect,
    pub mm: (u32, u32),
    pub outputs: Vec<u32>,
}

#[derive(Debug, Clone)]
pub struct ScreenState {
    pub randr_version: (u32, u32),
    pub width: u16,
    pub height: u16,
    pub mm_width: u32,
    pub mm_height: u32,
    pub min_size: (u16, u16),
    pub max_size: (u16, u16),
    pub config_timestamp: u32,
    pub crtcs: Vec<Crtc>,
    pub outputs: Vec<Output>,
    pub modes: BTreeMap<u32, Mode>,
    /// 0 when no output is primary.
    pub primary: u32,
    pub monitors: Vec<Monitor>,
}

/// Interned atoms for [`PROPERTY_NAMES`]; `None` where the server has never seen the name.
#[derive(Debug, Clone, Copy)]
pub struct PropertyAtoms {
    pub non_desktop: Option<Atom>,
    pub framebuffer_id: Option<Atom>,
    pub virtual_output: Option<Atom>,
    pub connector_id: Option<Atom>,
}

impl PropertyAtoms {
    pub fn intern(conn: &RustConnection) -> Result<PropertyAtoms> {
        let cookies = PROPERTY_NAMES
            .iter()
            .map(|name| conn.intern_atom(true, name.as_bytes()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut atoms = Vec::with_capacity(cookies.len());
        for cookie in cookies {
            let atom = cookie.reply()?.atom;
            atoms.push((atom != u32::from(AtomEnum::NONE)).then_some(atom));
        }
        Ok(PropertyAtoms {
            non_desktop: atoms[0],
            framebuffer_id: atoms[1],
            virtual_output: atoms[2],
            connector_id: atoms[3],
        })
    }
}

impl ScreenState {
    /// Reads everything the engine needs in a few pipelined round trips.
    pub fn read(
        conn: &RustConnection,
        root: Window,
        randr_version: (u32, u32),
    ) -> Result<ScreenState> {
        let atoms = PropertyAtoms::intern(conn)?;
        let geometry = conn.get_geometry(root)?;
        let range = conn.randr_get_screen_size_range(root)?;
        let primary = conn.randr_get_output_primary(root)?;
        let resources = conn.randr_get_screen_resources_current(root)?.reply()?;
        let geometry = geometry.reply()?;
        let range = range.reply()?;
        let primary = primary.reply()?.output;
        let screen = &conn.setup().roots[screen_index(conn, root)];
        let ts = resources.config_timestamp;

        let mut names = resources.names.as_slice();
        let mut modes = BTreeMap::new();
        for info in &resources.modes {
            let (name, rest) = names.split_at(usize::from(info.name_len).min(names.len()));
            names = rest;
            modes.insert(
                info.id,
                Mode {
                    id: info.id,
                    name: String::from_utf8_lossy(name).into_owned(),
                    width: info.width,
                    height: info.height,
                    refresh: mode_refresh(info),
                },
            );
        }

        let crtc_cookies = resources
            .crtcs
            .iter()
            .map(|&c| conn.randr_get_crtc_info(c, ts))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let output_cookies = resources
            .outputs
            .iter()
            .map(|&o| conn.randr_get_output_info(o, ts))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let monitors_cookie =
            (randr_version >= (1, 5)).then(|| conn.randr_get_monitors(root, false));

        let mut crtcs = Vec::with_capacity(crtc_cookies.len());
        for (&id, cookie) in resources.crtcs.iter().zip(crtc_cookies) {
            let info = cookie.reply()?;
            crtcs.push(Crtc {
                id,
                x: info.x,
                y: info.y,
                width: info.width,
                height: info.height,
                mode: info.mode,
                rotation: u16::from(info.rotation),
                outputs: info.outputs,
            });
        }

        let mut outputs = Vec::with_capacity(output_cookies.len());
        for (&id, cookie) in resources.outputs.iter().zip(output_cookies) {
            let info = cookie.reply()?;
            outputs.push(Output {
                id,
                name: String::from_utf8_lossy(&info.name).into_owned(),
                connected: info.connection == randr::Connection::CONNECTED,
                crtc: info.crtc,
                crtcs: info.crtcs,
                modes: info.modes,
                non_desktop: false,
                virtual_output: false,
                framebuffer_id: None,
                connector_id: None,
            });
        }
        read_properties(conn, &atoms, &mut outputs)?;

        let monitors = match monitors_cookie {
            Some(cookie) => read_monitors(conn, cookie?.reply()?)?,
            None => Vec::new(),
        };

        Ok(ScreenState {
            randr_version,
            width: geometry.width,
            height: geometry.height,
            mm_width: u32::from(screen.width_in_millimeters),
            mm_height: u32::from(screen.height_in_millimeters),
            min_size: (range.min_width, range.min_height),
            max_size: (range.max_width, range.max_height),
            config_timestamp: ts,
            crtcs,
            outputs,
            modes,
            primary,
            monitors,
        })
    }

    pub fn output(&self, name: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.name == name)
    }

    pub fn output_by_id(&self, id: u32) -> Option<&Output> {
        self.outputs.iter().find(|o| o.id == id)
    }

    pub fn crtc(&self, id: u32) -> Option<&Crtc> {
        self.crtcs.iter().find(|c| c.id == id)
    }

    pub fn monitor(&self, name: &str) -> Option<&Monitor> {
        self.monitors.iter().find(|m| m.name == name)
    }

    /// The active CRTC driving an output, if any.
    pub fn active_crtc_of(&self, output: &Output) -> Option<&Crtc> {
        self.crtc(output.crtc).filter(|c| c.is_active())
    }

    /// CRTCs driving nothing.
    pub fn is_crtc_free(&self, id: u32) -> bool {
        self.crtc(id)
            .is_some_and(|c| !c.is_active() && c.outputs.is_empty())
    }

    pub fn output_name(&self, id: u32) -> &str {
        self.output_by_id(id).map_or("?", |o| o.name.as_str())
    }

    /// Every active output's rectangle, by output name (clones share a rectangle).
    pub fn output_rects(&self) -> BTreeMap<String, Rect> {
        self.outputs
            .iter()
            .filter_map(|o| Some((o.name.clone(), self.active_crtc_of(o)?.rect())))
            .collect()
    }

    /// Physical size of the screen at a new pixel size, keeping the current density.
    pub fn mm_for(&self, width: u32, height: u32) -> (u32, u32) {
        let scale = |mm: u32, old: u16, new: u32| {
            if old == 0 || mm == 0 {
                // 96 DPI, the X default.
                (f64::from(new) * 25.4 / 96.0).round() as u32
            } else {
                (f64::from(mm) * f64::from(new) / f64::from(old)).round() as u32
            }
        };
        (
            scale(self.mm_width, self.width, width),
            scale(self.mm_height, self.height, height),
        )
    }
}

pub fn mode_refresh(info: &randr::ModeInfo) -> f64 {
    let mut vtotal = u32::from(info.vtotal);
    if u32::from(info.mode_flags) & u32::from(randr::ModeFlag::DOUBLE_SCAN) != 0 {
        vtotal *= 2;
    }
    if u32::from(info.mode_flags) & u32::from(randr::ModeFlag::INTERLACE) != 0 {
        vtotal /= 2;
    }
    let pixels = f64::from(info.htotal) * f64::from(vtotal);
    if pixels == 0.0 {
        0.0
    } else {
        f64::from(info.dot_clock) / pixels
    }
}

fn screen_index(conn: &RustConnection, root: Window) -> usize {
    conn.setup()
        .roots
        .iter()
        .position(|s| s.root == root)
        .unwrap_or(0)
}

/// Reads the properties in [`PROPERTY_NAMES`] of every output, pipelined.
fn read_properties(
    conn: &RustConnection,
    atoms: &PropertyAtoms,
    outputs: &mut [Output],
) -> Result<()> {
    let wanted = [
        atoms.non_desktop,
        atoms.framebuffer_id,
        atoms.virtual_output,
        atoms.connector_id,
    ];
    let mut cookies = Vec::new();
    for output in outputs.iter() {
        for atom in wanted.iter().flatten() {
            let cookie = conn.randr_get_output_property(
                output.id,
                *atom,
                AtomEnum::ANY,
                0,
                1,
                false,
                false,
            )?;
            cookies.push((output.id, *atom, cookie));
        }
    }
    for (id, atom, cookie) in cookies {
        let value = single_u32(&cookie.reply()?);
        let Some(output) = outputs.iter_mut().find(|o| o.id == id) else {
            continue;
        };
        if Some(atom) == atoms.non_desktop {
            output.non_desktop = value == Some(1);
        } else if Some(atom) == atoms.framebuffer_id {
            output.framebuffer_id = value;
        } else if Some(atom) == atoms.virtual_output {
            output.virtual_output = value.is_some_and(|v| v != 0);
        } else if Some(atom) == atoms.connector_id {
            output.connector_id = value;
        }
    }
    Ok(())
}

/// The value of a one-item INTEGER/CARDINAL property of format 32, or `None` for anything else.
pub fn single_u32(reply: &randr::GetOutputPropertyReply) -> Option<u32> {
    let integer_type =
        reply.type_ == u32::from(AtomEnum::INTEGER) || reply.type_ == u32::from(AtomEnum::CARDINAL);
    if !integer_type || reply.format != 32 || reply.num_items != 1 || reply.data.len() != 4 {
        return None;
    }
    Some(u32::from_ne_bytes(reply.data[..4].try_into().ok()?))
}

fn read_monitors(conn: &RustConnection, reply: randr::GetMonitorsReply) -> Result<Vec<Monitor>> {
    let cookies = reply
        .monitors
        .iter()
        .map(|m| conn.get_atom_name(m.name))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mut monitors = Vec::with_capacity(cookies.len());
    for (info, cookie) in reply.monitors.into_iter().zip(cookies) {
        monitors.push(Monitor {
            name: String::from_utf8_lossy(&cookie.reply()?.name).into_owned(),
            primary: info.primary,
            automatic: info.automatic,
            rect: Rect {
                x: i32::from(info.x),
                y: i32::from(info.y),
                width: u32::from(info.width),
                height: u32::from(info.height),
            },
            mm: (info.width_in_millimeters, info.height_in_millimeters),
            outputs: info.outputs,
        });
    }
    Ok(monitors)
}

/// Atom for a name, created if needed (monitor names and XR-Manager properties).
pub fn atom(conn: &RustConnection, name: &str) -> Result<Atom> {
    Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
}
