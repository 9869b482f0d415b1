//! Bringing windows back from an XR screen that goes away. When XR-0's area leaves the
//! screen, a window manager keeps only a sliver of a window on it in view (measured
//! with xfwm4: an 80 px window left 24 px visible), so `disable` asks the window
//! manager, through EWMH, to move every window whose centre was on XR-0 onto the
//! primary monitor, at the same place relative to it.

use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, Window,
};

use crate::exit::Result;
use crate::randr::state::{atom, ScreenState};
use crate::randr::Session;
use xrdisplay_model::Rect;

/// A managed window and where its frame's top-left corner is now.
pub struct Stranded {
    window: Window,
    /// Its position relative to the XR screen's top-left corner.
    offset: (i32, i32),
    size: (u32, u32),
}

/// The managed windows (EWMH `_NET_CLIENT_LIST`) whose centre lies in `xr`; none when
/// no EWMH window manager runs.
pub fn on(session: &Session, xr: Rect) -> Result<Vec<Stranded>> {
    let conn = &session.conn;
    let list = atom(conn, "_NET_CLIENT_LIST")?;
    let reply = conn
        .get_property(false, session.root, list, AtomEnum::WINDOW, 0, 4096)?
        .reply()?;
    let Some(windows) = reply.value32() else {
        return Ok(Vec::new());
    };
    let mut stranded = Vec::new();
    for window in windows.collect::<Vec<_>>() {
        // A window that vanished meanwhile is simply not moved.
        let Ok(geometry) = conn.get_geometry(window)?.reply() else {
            continue;
        };
        let Ok(at) = conn
            .translate_coordinates(window, session.root, 0, 0)?
            .reply()
        else {
            continue;
        };
        let (x, y) = (i32::from(at.dst_x), i32::from(at.dst_y));
        let (w, h) = (u32::from(geometry.width), u32::from(geometry.height));
        let half = |v: u32| i32::try_from(v / 2).unwrap_or(i32::MAX);
        if xr.contains_point(x.saturating_add(half(w)), y.saturating_add(half(h))) {
            stranded.push(Stranded {
                window,
                offset: (x - xr.x, y - xr.y),
                size: (w, h),
            });
        }
    }
    Ok(stranded)
}

/// Asks the window manager to move `stranded` onto the primary monitor (else the first
/// output) of the screen as it is now.
pub fn bring_back(session: &Session, state: &ScreenState, stranded: &[Stranded]) -> Result<()> {
    let Some(home) = home_rect(state) else {
        return Ok(());
    };
    let conn = &session.conn;
    let moveresize = atom(conn, "_NET_MOVERESIZE_WINDOW")?;
    for s in stranded {
        let fit = |offset: i32, size: u32, room: u32| {
            offset.clamp(0, room.saturating_sub(size).try_into().unwrap_or(i32::MAX))
        };
        let x = home.x + fit(s.offset.0, s.size.0, home.width);
        let y = home.y + fit(s.offset.1, s.size.1, home.height);
        // Gravity NorthWest, x and y given, from a pager (source 2): window managers
        // honour a pager's request.
        let flags = 1 | (1 << 8) | (1 << 9) | (2 << 12);
        let to_u32 = |v: i32| u32::try_from(v).unwrap_or(0);
        let event = ClientMessageEvent::new(
            32,
            s.window,
            moveresize,
            [flags, to_u32(x), to_u32(y), 0, 0],
        );
        conn.send_event(
            false,
            session.root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )?;
    }
    conn.flush()?;
    Ok(())
}

/// Where stranded windows go: the primary output's rectangle, else the first active one.
fn home_rect(state: &ScreenState) -> Option<Rect> {
    let rects = state.output_rects();
    state
        .output_by_id(state.primary)
        .and_then(|o| rects.get(&o.name).copied())
        .or_else(|| rects.values().next().copied())
}
