//! Screens built by hand for the planner's and the transaction's unit tests: every
//! rule about what is sent to the server is checked without one.

use std::collections::BTreeMap;

use crate::randr::state::{Crtc, Mode, Monitor, Output, ScreenState};
use xrdisplay_model::Rect;

pub fn rect(width: u32, height: u32, x: i32, y: i32) -> Rect {
    Rect::new(x, y, width, height)
}

/// A screen built output by output; every output gets a CRTC of its own.
pub struct Screen(pub ScreenState);

impl Screen {
    pub fn new() -> Screen {
        Screen(ScreenState {
            randr_version: (1, 6),
            width: 1920,
            height: 1080,
            mm_width: 508,
            mm_height: 286,
            min_size: (8, 8),
            max_size: (16384, 16384),
            config_timestamp: 1,
            crtcs: Vec::new(),
            outputs: Vec::new(),
            modes: BTreeMap::new(),
            primary: 0,
            monitors: Vec::new(),
        })
    }

    fn next_id(&self) -> u32 {
        0x40 + u32::try_from(self.0.outputs.len() + self.0.crtcs.len() + self.0.modes.len())
            .expect("a small fixture")
    }

    /// An output, connected or not, shown at `at` (with a mode of its size) or off.
    pub fn output(mut self, name: &str, connected: bool, at: Option<Rect>) -> Screen {
        let crtc_id = self.next_id();
        self.0.crtcs.push(Crtc {
            id: crtc_id,
            x: 0,
            y: 0,
            width: 0,
            height: 0,
            mode: 0,
            rotation: 1,
            outputs: Vec::new(),
        });
        let id = self.next_id();
        let mut output = Output {
            id,
            name: name.into(),
            connected,
            crtc: 0,
            crtcs: vec![crtc_id],
            modes: Vec::new(),
            non_desktop: false,
            virtual_output: false,
            framebuffer_id: None,
            connector_id: None,
        };
        if let Some(r) = at {
            let mode = self.next_id();
            self.0.modes.insert(
                mode,
                Mode {
                    id: mode,
                    name: format!("{}x{}", r.width, r.height),
                    width: u16::try_from(r.width).expect("a small fixture"),
                    height: u16::try_from(r.height).expect("a small fixture"),
                    refresh: 60.0,
                },
            );
            let crtc = self.0.crtcs.last_mut().expect("just pushed");
            *crtc = Crtc {
                id: crtc_id,
                x: i16::try_from(r.x).expect("a small fixture"),
                y: i16::try_from(r.y).expect("a small fixture"),
                width: u16::try_from(r.width).expect("a small fixture"),
                height: u16::try_from(r.height).expect("a small fixture"),
                mode,
                rotation: 1,
                outputs: vec![id],
            };
            output.crtc = crtc_id;
            output.modes.push(mode);
            let right = u16::try_from(r.right()).expect("a small fixture");
            let bottom = u16::try_from(r.bottom()).expect("a small fixture");
            self.0.width = self.0.width.max(right);
            self.0.height = self.0.height.max(bottom);
        }
        self.0.outputs.push(output);
        self
    }

    pub fn primary(mut self, name: &str) -> Screen {
        self.0.primary = self.id(name);
        self
    }

    pub fn monitor(mut self, name: &str, at: Rect, outputs: &[&str]) -> Screen {
        let outputs = outputs.iter().map(|o| self.id(o)).collect();
        self.0.monitors.push(Monitor {
            name: name.into(),
            primary: false,
            automatic: false,
            rect: at,
            mm: (100, 100),
            outputs,
        });
        self
    }

    pub fn edit(mut self, name: &str, change: impl FnOnce(&mut Output)) -> Screen {
        let output = self
            .0
            .outputs
            .iter_mut()
            .find(|o| o.name == name)
            .expect("a fixture output");
        change(output);
        self
    }

    pub fn id(&self, name: &str) -> u32 {
        self.0.output(name).expect("a fixture output").id
    }
}
