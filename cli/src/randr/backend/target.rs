//! How an XR output of a given name exists on the server now, and what GTK makes of it.

use crate::randr::backend::{anchored, monitor, spare_output};
use crate::randr::state::{Output, ScreenState};
use xrdisplay_model::BackendKind;
use xrdisplay_model::Rect;

/// How an XR output of a given name exists on the server now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XrTarget {
    Absent,
    /// A virtual output of the patched driver.
    Virtual {
        output: String,
    },
    /// A RandR output; `alias` is the monitor that names it when the name differs.
    Spare {
        output: String,
        alias: Option<String>,
    },
    /// A client-declared monitor with no output.
    Monitor {
        name: String,
    },
    /// A client-declared monitor over its own area, named by a connected output that
    /// shows something else (the glasses).
    Anchored {
        name: String,
        anchor: String,
    },
}

impl XrTarget {
    pub fn find(state: &ScreenState, name: &str) -> XrTarget {
        if let Some(output) = state.output(name) {
            return if output.virtual_output {
                XrTarget::Virtual {
                    output: name.into(),
                }
            } else {
                XrTarget::Spare {
                    output: name.into(),
                    alias: None,
                }
            };
        }
        match state.monitor(name).filter(|m| !m.automatic) {
            Some(m) if m.outputs.is_empty() => XrTarget::Monitor { name: name.into() },
            Some(m) if anchored::is_anchored(state, m) => XrTarget::Anchored {
                name: name.into(),
                anchor: state.output_name(m.outputs[0]).into(),
            },
            Some(m) if m.outputs.len() == 1 => XrTarget::Spare {
                output: state.output_name(m.outputs[0]).into(),
                alias: Some(name.into()),
            },
            _ => XrTarget::Absent,
        }
    }

    pub fn backend(&self) -> Option<BackendKind> {
        match self {
            XrTarget::Absent => None,
            XrTarget::Virtual { .. } => Some(BackendKind::XrManager),
            XrTarget::Spare { .. } => Some(BackendKind::SpareOutput),
            XrTarget::Monitor { .. } => Some(BackendKind::Monitor),
            XrTarget::Anchored { .. } => Some(BackendKind::Anchored),
        }
    }

    /// Whether GTK 3 (and so XFCE) lists it as a monitor once it is on: GTK skips every
    /// monitor whose first output is disconnected, and monitors without an output. The
    /// patched driver's virtual outputs are connected.
    pub fn visible_to_gtk(&self, state: &ScreenState) -> bool {
        let connected = |name: &str| state.output(name).is_some_and(|o| o.connected);
        match self {
            XrTarget::Absent | XrTarget::Monitor { .. } => false,
            XrTarget::Virtual { .. } => true,
            XrTarget::Anchored { anchor, .. } => connected(anchor),
            XrTarget::Spare { output, .. } => connected(output),
        }
    }

    /// What GTK/XFCE make of it, when that needs saying.
    pub fn gtk_note(&self, state: &ScreenState) -> Option<String> {
        match self {
            XrTarget::Monitor { .. } => Some(monitor::GTK_NOTE.to_string()),
            XrTarget::Anchored { anchor, .. } => Some(anchored::gtk_note(anchor)),
            XrTarget::Spare { output, .. } if !self.visible_to_gtk(state) => {
                Some(spare_output::gtk_note(output))
            }
            _ => None,
        }
    }

    /// The RandR output behind it, if any.
    pub fn output<'s>(&self, state: &'s ScreenState) -> Option<&'s Output> {
        self.output_name().and_then(|name| state.output(name))
    }

    /// The name of the RandR output that shows it, if any.
    pub fn output_name(&self) -> Option<&str> {
        match self {
            XrTarget::Virtual { output } | XrTarget::Spare { output, .. } => Some(output),
            _ => None,
        }
    }

    /// Where it is on the screen, when enabled.
    pub fn rect(&self, state: &ScreenState) -> Option<Rect> {
        match self {
            XrTarget::Monitor { name } | XrTarget::Anchored { name, .. } => {
                state.monitor(name).map(|m| m.rect)
            }
            _ => self
                .output(state)
                .and_then(|o| state.active_crtc_of(o))
                .map(|c| c.rect()),
        }
    }
}
