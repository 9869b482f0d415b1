//! Everything a loop needs, as plain values: `xrdisplay run` builds it from the flags
//! and the configuration file, so no flag type reaches the loop.

use std::path::PathBuf;

use xrdisplay_model::{CaptureMethod, PresentChoice, SourceChoice, ViewConfig};

/// What a loop captures, where it shows it and how it places it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopConfig {
    /// The X display (`None`: `$DISPLAY`).
    pub display: Option<String>,
    /// The output straight ahead at the recentred pose.
    pub anchor: String,
    /// More outputs shown beside the anchor, where the RandR layout puts them.
    pub also: Vec<String>,
    pub method: CaptureMethod,
    pub source: SourceChoice,
    pub present: PresentConfig,
    /// Stop after presenting this many frames.
    pub frames: Option<u64>,
    /// Where to save the last presented picture on exit.
    pub save_frame: Option<PathBuf>,
    /// Print capture and render figures once a second.
    pub stats: bool,
    pub view: ViewConfig,
}

/// Where the picture is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentConfig {
    pub choice: PresentChoice,
    /// Present on this output instead of the glasses found by EDID.
    pub on: Option<String>,
    /// The render rate of an offscreen view, in Hz (a window follows its output's vsync).
    pub refresh: u32,
    /// The size of an offscreen view; `None`: the anchor's.
    pub view_size: Option<(u32, u32)>,
}

impl LoopConfig {
    /// The outputs to capture: the anchor first, then the others, each once.
    pub fn outputs(&self) -> Vec<String> {
        let mut names = vec![self.anchor.clone()];
        for name in &self.also {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_anchor_comes_first_and_each_output_once() {
        let config = LoopConfig {
            display: None,
            anchor: "XR-0".into(),
            also: vec!["XR-1".into(), "XR-0".into(), "XR-1".into(), "XR-2".into()],
            method: CaptureMethod::Auto,
            source: SourceChoice::Auto,
            present: PresentConfig {
                choice: PresentChoice::None,
                on: None,
                refresh: 60,
                view_size: None,
            },
            frames: None,
            save_frame: None,
            stats: false,
            view: ViewConfig::default(),
        };
        assert_eq!(config.outputs(), ["XR-0", "XR-1", "XR-2"]);
    }
}
