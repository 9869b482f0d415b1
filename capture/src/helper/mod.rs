//! xrdisplay's side of the capture helper `xrdisplay-kms` (the `xrdisplay_kms`
//! crate, which holds the helper itself, its protocol and why it is safe to run):
//! finding the installed helper, starting it, asking it for framebuffers, and telling
//! `status` how this process reads them.

mod client;

use std::fmt;
use std::path::PathBuf;

pub use client::{find, Helper, ENV, INSTALL_DIR, NAME};
use xrdisplay_kms::server;
pub use xrdisplay_kms::{filecap, protocol};

/// How this process reads DRM framebuffers, for `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// It has CAP_SYS_ADMIN itself.
    Direct,
    /// Through the capture helper at this path.
    Helper(PathBuf),
    /// Neither: GETFB2 gives it no buffer handles.
    None,
}

impl Access {
    pub fn now() -> Access {
        if server::holds_sys_admin() {
            Access::Direct
        } else {
            find().map_or(Access::None, Access::Helper)
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::Direct => f.write_str("direct (this process has CAP_SYS_ADMIN)"),
            Access::Helper(path) => write!(f, "through the capture helper {}", path.display()),
            Access::None => f.write_str(
                "none (no CAP_SYS_ADMIN, no capture helper: `sudo xrdisplay install \
                 capture-helper`, or MIT-SHM is used)",
            ),
        }
    }
}
