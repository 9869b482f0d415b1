//! The screen's layout read two independent ways, so that tests check xrdisplay
//! against something other than its own code: straight RandR requests through x11rb,
//! and the real `xrandr` tool's text.

use std::collections::BTreeMap;

use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::ConnectionExt as _;

use crate::XServer;

/// `WIDTHxHEIGHT+X+Y`, as xrandr prints geometry.
pub type Geometry = String;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    pub screen: (u32, u32),
    /// Active outputs only.
    pub outputs: BTreeMap<String, Geometry>,
    /// Every monitor, with the outputs it names.
    pub monitors: BTreeMap<String, (Geometry, Vec<String>)>,
    pub primary: Option<String>,
}

fn geometry(w: u32, h: u32, x: i32, y: i32) -> Geometry {
    format!("{w}x{h}+{x}+{y}")
}

/// The layout through RandR requests (current resources only, never a re-probe).
pub fn randr_layout(server: &XServer) -> Layout {
    let (conn, screen) = x11rb::connect(Some(server.display())).expect("connect");
    let root = conn.setup().roots[screen].root;
    conn.randr_query_version(1, 6).unwrap().reply().unwrap();
    let geo = conn.get_geometry(root).unwrap().reply().unwrap();
    let res = conn
        .randr_get_screen_resources_current(root)
        .unwrap()
        .reply()
        .unwrap();
    let primary = conn
        .randr_get_output_primary(root)
        .unwrap()
        .reply()
        .unwrap()
        .output;
    let mut layout = Layout {
        screen: (u32::from(geo.width), u32::from(geo.height)),
        ..Layout::default()
    };
    let mut names = BTreeMap::new();
    for &output in &res.outputs {
        let info = conn
            .randr_get_output_info(output, res.config_timestamp)
            .unwrap()
            .reply()
            .unwrap();
        let name = String::from_utf8_lossy(&info.name).into_owned();
        names.insert(output, name.clone());
        if output == primary {
            layout.primary = Some(name.clone());
        }
        if info.crtc == 0 {
            continue;
        }
        let crtc = conn
            .randr_get_crtc_info(info.crtc, res.config_timestamp)
            .unwrap()
            .reply()
            .unwrap();
        if crtc.mode != 0 {
            let g = geometry(
                crtc.width.into(),
                crtc.height.into(),
                crtc.x.into(),
                crtc.y.into(),
            );
            layout.outputs.insert(name, g);
        }
    }
    let monitors = conn
        .randr_get_monitors(root, false)
        .unwrap()
        .reply()
        .unwrap();
    for m in monitors.monitors {
        let name = conn.get_atom_name(m.name).unwrap().reply().unwrap().name;
        let outputs = m.outputs.iter().map(|o| names[o].clone()).collect();
        let g = geometry(m.width.into(), m.height.into(), m.x.into(), m.y.into());
        layout
            .monitors
            .insert(String::from_utf8_lossy(&name).into_owned(), (g, outputs));
    }
    layout
}

/// The layout as the real `xrandr --current` and `xrandr --listmonitors` print it.
pub fn xrandr_layout(server: &XServer) -> Layout {
    let mut layout = Layout::default();
    for line in server.xrandr(&[]).lines() {
        if let Some(rest) = line.strip_prefix("Screen ") {
            let current = rest
                .split(", ")
                .find_map(|p| p.strip_prefix("current "))
                .expect("current size");
            let (w, h) = current.split_once(" x ").expect("WxH");
            layout.screen = (w.trim().parse().unwrap(), h.trim().parse().unwrap());
        } else if !line.starts_with(' ') && !line.is_empty() {
            // "NAME connected primary 1920x1080+0+0 (normal ...) 0mm x 0mm"
            let mut words = line.split_whitespace();
            let name = words.next().unwrap().to_string();
            let rest: Vec<&str> = words.skip(1).collect();
            if rest.first() == Some(&"primary") {
                layout.primary = Some(name.clone());
            }
            if let Some(g) = rest.iter().find(|w| w.contains('x') && w.contains('+')) {
                layout.outputs.insert(name, g.to_string());
            }
        }
    }
    for line in server.xrandr(&["--listmonitors"]).lines().skip(1) {
        // " 1: XR-0 1920/508x1080/285+1920+0  DUMMY1"
        let mut words = line.split_whitespace().skip(1);
        let name = words
            .next()
            .unwrap()
            .trim_start_matches(['+', '*'])
            .to_string();
        let geo = words.next().unwrap();
        let (size, pos) = geo.split_at(geo.find('+').unwrap());
        let (w, h) = size.split_once('x').unwrap();
        let strip = |s: &str| s.split('/').next().unwrap().to_string();
        let g = format!("{}x{}{pos}", strip(w), strip(h));
        layout
            .monitors
            .insert(name, (g, words.map(str::to_string).collect()));
    }
    layout
}

/// Both readings, asserted equal, so each test checks both at once.
pub fn layout(server: &XServer) -> Layout {
    let randr = randr_layout(server);
    let xrandr = xrandr_layout(server);
    assert_eq!(randr, xrandr, "x11rb and xrandr disagree about the layout");
    randr
}

impl Layout {
    /// Panics if any two monitors (as RandR lists them, automatic ones included) share
    /// a pixel: windows placed on one would show on the other.
    pub fn assert_monitors_apart(&self) {
        let rects: Vec<(&String, [i64; 4])> = self
            .monitors
            .iter()
            .map(|(name, (g, _))| (name, parse_geometry(g)))
            .collect();
        for (i, (a, [ax, ay, aw, ah])) in rects.iter().enumerate() {
            for (b, [bx, by, bw, bh]) in &rects[i + 1..] {
                let apart = ax + aw <= *bx || bx + bw <= *ax || ay + ah <= *by || by + bh <= *ay;
                assert!(apart, "monitors {a} and {b} overlap: {self:?}");
            }
        }
    }
}

/// `WxH+X+Y` as `[x, y, w, h]`.
fn parse_geometry(g: &str) -> [i64; 4] {
    let numbers: Vec<i64> = g
        .split(['x', '+'])
        .map(|v| v.parse().unwrap_or_else(|_| panic!("not a geometry: {g}")))
        .collect();
    match numbers[..] {
        [w, h, x, y] => [x, y, w, h],
        _ => panic!("not a geometry: {g}"),
    }
}
