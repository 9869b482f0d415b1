//! `xrdisplay-kms`, the least-privilege capture helper.
//!
//! Reading a framebuffer another process made (GETFB2 with buffer handles) needs
//! CAP_SYS_ADMIN or DRM master. Rather than running xrdisplay as root, this small
//! binary holds CAP_SYS_ADMIN through file capabilities (`sudo xrdisplay install
//! capture-helper`). It is a crate of its own so that what runs privileged can be
//! audited apart from xrdisplay: it links nix, drm, drm-ffi and seccompiler, and no
//! X11, EGL, GL or image code. xrdisplay's side (finding and starting it) is
//! `xrdisplay_capture::helper`.
//!
//! xrdisplay starts it with one end of a socket pair; the helper drops every other
//! capability (CAP_SYS_ADMIN stays permitted, effective only around GETFB2), sets
//! no_new_privs, dies with its parent, installs a seccomp allow-list (`sandbox.rs`),
//! and answers requests of the fixed binary format in [`protocol`]: for a card and a
//! framebuffer id, the framebuffer's planes as read-only DMA-BUF fds (SCM_RIGHTS) with
//! format, modifier, pitches and offsets. Its own GEM handles are closed after each
//! export.
//!
//! Who it serves: only the user whose session logind reports active on the card's
//! seat (`seat.rs`), checked on every request, so a user over SSH or one whose session
//! was switched away gets nothing; with no seat information it refuses.
//!
//! What it checks, and why that is the line: the helper exports a framebuffer only
//! while a CRTC or a plane of that card scans it out, checked before and after the
//! export. What a screen shows is what the user in front of it sees anyway (and could
//! read through the X server); buffers no screen shows (another client's off-screen
//! or next frame) are refused. The helper cannot verify that a framebuffer is the
//! `FRAMEBUFFER_ID` of an output of the caller's own X server: it would have to trust
//! the caller to name the server, and a patched driver's virtual output is backed by
//! no hardware CRTC, so reading that buffer still needs root. Only the caller's access
//! to the card is inherited: the helper runs with the caller's uid and opens
//! `/dev/dri/card{N}` itself (a number from the request, checked to be that DRM
//! device) afresh for each request, so a user who cannot open the card, or whose
//! access was revoked, gets nothing from it.

pub mod drm;
mod error;
pub mod filecap;
pub mod protocol;
mod sandbox;
mod seat;
pub mod server;

pub use error::{Error, ErrorKind, Result};
