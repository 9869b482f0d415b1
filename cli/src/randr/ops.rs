//! The RandR requests a change is made of, planned before anything is sent.
//!
//! A plan names outputs and new modes by name because the patched driver creates its
//! XR output (and that output's CRTC) only while the plan runs; the transaction resolves
//! names to ids as it goes. Printing a plan is what `--dry-run` shows.

use std::fmt;

use crate::randr::cvt::Timings;
use xrdisplay_model::Rect;

/// A mode already known to the server, or one this plan creates.
#[derive(Debug, Clone, PartialEq)]
pub enum ModeRef {
    Existing {
        id: u32,
        name: String,
    },
    New(String),
    /// The first (preferred) mode of an output this plan creates.
    PreferredOf(String),
}

impl fmt::Display for ModeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModeRef::Existing { id, name } => write!(f, "{name:?} (0x{id:x})"),
            ModeRef::New(name) => write!(f, "{name:?}"),
            ModeRef::PreferredOf(output) => write!(f, "<preferred mode of {output}>"),
        }
    }
}

/// A CRTC by id, or the first CRTC of an output this plan creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrtcRef {
    Id(u32),
    OfOutput(String),
}

impl fmt::Display for CrtcRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrtcRef::Id(id) => write!(f, "0x{id:x}"),
            CrtcRef::OfOutput(name) => write!(f, "<CRTC of {name}>"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CrtcConfig {
    /// Checked against RandR's 16-bit fields when sent.
    pub x: i32,
    pub y: i32,
    pub mode: ModeRef,
    pub rotation: u16,
    pub outputs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `CREATE_XR_OUTPUT` on `XR-Manager`, then wait for the output to appear.
    CreateXrOutput {
        name: String,
        value: String,
    },
    /// `DELETE_XR_OUTPUT` on `XR-Manager`.
    DeleteXrOutput {
        name: String,
    },
    CreateMode {
        name: String,
        timings: Timings,
    },
    AddOutputMode {
        output: String,
        mode: ModeRef,
    },
    DeleteOutputMode {
        output: String,
        mode: ModeRef,
    },
    DestroyMode {
        mode: ModeRef,
    },
    /// Checked against RandR's 16-bit fields when sent.
    SetScreenSize {
        width: u32,
        height: u32,
        mm: (u32, u32),
    },
    /// `None` turns the CRTC off.
    SetCrtc {
        crtc: CrtcRef,
        config: Option<CrtcConfig>,
    },
    SetPrimary {
        output: Option<String>,
    },
    SetMonitor {
        name: String,
        rect: Rect,
        mm: (u32, u32),
        primary: bool,
        outputs: Vec<String>,
    },
    DeleteMonitor {
        name: String,
    },
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::CreateXrOutput { name, value } => {
                write!(f, "RRChangeOutputProperty XR-Manager CREATE_XR_OUTPUT STRING {value:?}  (creates {name})")
            }
            Op::DeleteXrOutput { name } => {
                write!(
                    f,
                    "RRChangeOutputProperty XR-Manager DELETE_XR_OUTPUT STRING {name:?}"
                )
            }
            Op::CreateMode { name, timings } => write!(f, "RRCreateMode {name:?} {timings}"),
            Op::AddOutputMode { output, mode } => write!(f, "RRAddOutputMode {output} {mode}"),
            Op::DeleteOutputMode { output, mode } => {
                write!(f, "RRDeleteOutputMode {output} {mode}")
            }
            Op::DestroyMode { mode } => write!(f, "RRDestroyMode {mode}"),
            Op::SetScreenSize { width, height, mm } => {
                write!(f, "RRSetScreenSize {width}x{height} ({}x{} mm)", mm.0, mm.1)
            }
            Op::SetCrtc { crtc, config: None } => write!(f, "RRSetCrtcConfig {crtc} off"),
            Op::SetCrtc {
                crtc,
                config: Some(c),
            } => write!(
                f,
                "RRSetCrtcConfig {crtc} mode {} at +{}+{} outputs {}",
                c.mode,
                c.x,
                c.y,
                c.outputs.join(",")
            ),
            Op::SetPrimary { output } => {
                write!(
                    f,
                    "RRSetOutputPrimary {}",
                    output.as_deref().unwrap_or("none")
                )
            }
            Op::SetMonitor {
                name,
                rect,
                mm,
                primary,
                outputs,
            } => write!(
                f,
                "RRSetMonitor {name}{} {rect} ({}x{} mm) outputs {}",
                if *primary { " primary" } else { "" },
                mm.0,
                mm.1,
                if outputs.is_empty() {
                    "none".to_string()
                } else {
                    outputs.join(",")
                }
            ),
            Op::DeleteMonitor { name } => write!(f, "RRDeleteMonitor {name}"),
        }
    }
}
