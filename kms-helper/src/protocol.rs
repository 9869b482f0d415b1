//! The messages between xrdisplay and `xrdisplay-kms`: fixed-size, versioned,
//! little-endian records on a `SOCK_SEQPACKET` socket pair, so that every message
//! arrives whole and its length alone tells a truncated or padded one apart.
//!
//! Parsing is pure (bytes in, a value or a [`Refusal`] out) so that it can be fuzzed
//! (`kms-helper/fuzz`) and tested with hostile input without a helper or a device.
//!
//! Request, [`REQUEST_LEN`] bytes:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `XRKM` |
//! | 4 | 2 | version ([`VERSION`]) |
//! | 6 | 2 | op ([`OP_EXPORT`]) |
//! | 8 | 4 | card: the minor of `/dev/dri/cardN` |
//! | 12 | 4 | framebuffer id |
//!
//! Reply, [`REPLY_LEN`] bytes, with one DMA-BUF fd per plane (SCM_RIGHTS) when the
//! status is 0 and none otherwise:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `XRKM` |
//! | 4 | 2 | version |
//! | 6 | 2 | status: 0, or a [`Refusal`] code |
//! | 8 | 4 | framebuffer id |
//! | 12 | 4 | width |
//! | 16 | 4 | height |
//! | 20 | 4 | fourcc |
//! | 24 | 4 | flags: bit 0, the modifier is explicit |
//! | 28 | 4 | planes (1–4) |
//! | 32 | 8 | modifier |
//! | 40 | 16 | pitches, 4 × u32 |
//! | 56 | 16 | offsets, 4 × u32 |
//! | 72 | 184 | a refusal's message, UTF-8, NUL-padded |

use std::fmt;

pub const MAGIC: [u8; 4] = *b"XRKM";
pub const VERSION: u16 = 1;
/// Export the planes of a framebuffer that a CRTC or plane scans out.
pub const OP_EXPORT: u16 = 1;
pub const REQUEST_LEN: usize = 16;
pub const REPLY_LEN: usize = 256;
pub const MAX_PLANES: usize = 4;
/// `SCM_MAX_FD`: the most descriptors one message can carry. Receivers make room for
/// this many so that control data is never cut short, which would leave the ones
/// that did arrive open and out of reach.
pub const MAX_FDS: usize = 253;
const MESSAGE_AT: usize = 72;
const FLAG_MODIFIER: u32 = 1;
/// Highest card minor accepted: primary nodes are numbered below the render nodes (128).
pub const MAX_CARD: u32 = 127;

/// Why the helper did not export a framebuffer; the code travels in the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum RefusalCode {
    /// Wrong length, magic, or file descriptors attached to a request.
    Malformed = 1,
    /// A protocol version this helper does not speak.
    Version = 2,
    /// An operation this helper does not know.
    UnknownOp = 3,
    /// Card or framebuffer id out of range (0, or not a card minor).
    BadId = 4,
    /// The card cannot be opened, or is not a DRM device.
    NoDevice = 5,
    /// The framebuffer does not exist.
    NoFramebuffer = 6,
    /// The framebuffer exists but nothing scans it out.
    NotScannedOut = 7,
    /// The helper lacks CAP_SYS_ADMIN (not installed with `install capture-helper`).
    NoPrivilege = 8,
    /// A kernel call failed.
    Failed = 9,
    /// The caller does not own the session active on the card's seat, or there is no
    /// seat information to tell.
    NotActiveSession = 10,
}

impl RefusalCode {
    const ALL: [RefusalCode; 10] = [
        RefusalCode::Malformed,
        RefusalCode::Version,
        RefusalCode::UnknownOp,
        RefusalCode::BadId,
        RefusalCode::NoDevice,
        RefusalCode::NoFramebuffer,
        RefusalCode::NotScannedOut,
        RefusalCode::NoPrivilege,
        RefusalCode::Failed,
        RefusalCode::NotActiveSession,
    ];

    fn from_u16(code: u16) -> Option<RefusalCode> {
        RefusalCode::ALL.into_iter().find(|c| *c as u16 == code)
    }
}

/// A refusal: its code and a message for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: RefusalCode,
    pub message: String,
}

impl Refusal {
    pub fn new(code: RefusalCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:?})", self.message, self.code)
    }
}

/// Export framebuffer `fb_id` of `/dev/dri/card{card}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub card: u32,
    pub fb_id: u32,
}

impl Request {
    pub fn encode(&self) -> [u8; REQUEST_LEN] {
        let mut b = [0; REQUEST_LEN];
        b[0..4].copy_from_slice(&MAGIC);
        b[4..6].copy_from_slice(&VERSION.to_le_bytes());
        b[6..8].copy_from_slice(&OP_EXPORT.to_le_bytes());
        b[8..12].copy_from_slice(&self.card.to_le_bytes());
        b[12..16].copy_from_slice(&self.fb_id.to_le_bytes());
        b
    }

    /// Checks everything about a received request: its length, magic, version, op,
    /// ids, and that it carried no file descriptors (`fds`, how many came with it).
    pub fn parse(bytes: &[u8], fds: usize) -> Result<Request, Refusal> {
        let malformed = |why: String| Err(Refusal::new(RefusalCode::Malformed, why));
        if bytes.len() != REQUEST_LEN {
            return malformed(format!(
                "a request is {REQUEST_LEN} bytes, this one {}",
                bytes.len()
            ));
        }
        if bytes[0..4] != MAGIC {
            return malformed("not an xrdisplay-kms request (bad magic)".into());
        }
        if fds != 0 {
            return malformed(format!(
                "a request carries no file descriptors, this one {fds}"
            ));
        }
        let version = u16_at(bytes, 4);
        if version != VERSION {
            return Err(Refusal::new(
                RefusalCode::Version,
                format!("protocol version {version}; this helper speaks {VERSION}"),
            ));
        }
        let op = u16_at(bytes, 6);
        if op != OP_EXPORT {
            return Err(Refusal::new(
                RefusalCode::UnknownOp,
                format!("unknown operation {op}"),
            ));
        }
        let (card, fb_id) = (u32_at(bytes, 8), u32_at(bytes, 12));
        if card > MAX_CARD {
            return Err(Refusal::new(
                RefusalCode::BadId,
                format!("card {card} is not a DRM card minor (0-{MAX_CARD})"),
            ));
        }
        if fb_id == 0 {
            return Err(Refusal::new(RefusalCode::BadId, "framebuffer id 0"));
        }
        Ok(Request { card, fb_id })
    }
}

/// A framebuffer's description, sent along with one fd per plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub fb_id: u32,
    pub width: u32,
    pub height: u32,
    pub fourcc: u32,
    /// `None`: created without an explicit modifier.
    pub modifier: Option<u64>,
    pub planes: u32,
    pub pitches: [u32; MAX_PLANES],
    pub offsets: [u32; MAX_PLANES],
}

/// The helper's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Exported(Exported),
    Refused(Refusal),
}

impl Reply {
    pub fn encode(&self) -> [u8; REPLY_LEN] {
        let mut b = [0; REPLY_LEN];
        b[0..4].copy_from_slice(&MAGIC);
        b[4..6].copy_from_slice(&VERSION.to_le_bytes());
        match self {
            Reply::Exported(e) => {
                let words = [
                    e.fb_id,
                    e.width,
                    e.height,
                    e.fourcc,
                    if e.modifier.is_some() {
                        FLAG_MODIFIER
                    } else {
                        0
                    },
                    e.planes,
                ];
                put_u32s(&mut b[8..32], &words);
                b[32..40].copy_from_slice(&e.modifier.unwrap_or(0).to_le_bytes());
                put_u32s(&mut b[40..56], &e.pitches);
                put_u32s(&mut b[56..72], &e.offsets);
            }
            Reply::Refused(r) => {
                b[6..8].copy_from_slice(&(r.code as u16).to_le_bytes());
                // Cut at a character boundary, keeping at least one NUL at the end.
                let room = REPLY_LEN - MESSAGE_AT - 1;
                let mut end = r.message.len().min(room);
                while !r.message.is_char_boundary(end) {
                    end -= 1;
                }
                b[MESSAGE_AT..MESSAGE_AT + end].copy_from_slice(&r.message.as_bytes()[..end]);
            }
        }
        b
    }

    /// Checks a received reply: length, magic, version, a known status, sane planes,
    /// and exactly one fd per plane for an export (none for a refusal).
    pub fn parse(bytes: &[u8], fds: usize) -> Result<Reply, String> {
        if bytes.len() != REPLY_LEN {
            return Err(format!(
                "a reply is {REPLY_LEN} bytes, this one {}",
                bytes.len()
            ));
        }
        if bytes[0..4] != MAGIC || u16_at(bytes, 4) != VERSION {
            return Err("not an xrdisplay-kms reply of this version".into());
        }
        let status = u16_at(bytes, 6);
        if status != 0 {
            let code = RefusalCode::from_u16(status)
                .ok_or_else(|| format!("unknown refusal code {status}"))?;
            if fds != 0 {
                return Err(format!("a refusal came with {fds} file descriptors"));
            }
            let text = &bytes[MESSAGE_AT..];
            let end = text.iter().position(|&c| c == 0).unwrap_or(text.len());
            let message = String::from_utf8_lossy(&text[..end]).into_owned();
            return Ok(Reply::Refused(Refusal { code, message }));
        }
        let flags = u32_at(bytes, 24);
        if flags & !FLAG_MODIFIER != 0 {
            return Err(format!("unknown reply flags {flags:#x}"));
        }
        let planes = u32_at(bytes, 28);
        if !(1..=MAX_PLANES as u32).contains(&planes) {
            return Err(format!("an export of {planes} planes"));
        }
        if fds != planes as usize {
            return Err(format!("{planes} planes came with {fds} file descriptors"));
        }
        let e = Exported {
            fb_id: u32_at(bytes, 8),
            width: u32_at(bytes, 12),
            height: u32_at(bytes, 16),
            fourcc: u32_at(bytes, 20),
            modifier: (flags & FLAG_MODIFIER != 0).then(|| u64_at(bytes, 32)),
            planes,
            pitches: u32s_at(bytes, 40),
            offsets: u32s_at(bytes, 56),
        };
        if e.fb_id == 0 || e.width == 0 || e.height == 0 || e.pitches[0] == 0 {
            return Err(format!("an export of an empty framebuffer: {e:?}"));
        }
        Ok(Reply::Exported(e))
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | u64::from(u32_at(b, at + 4)) << 32
}

fn u32s_at(b: &[u8], at: usize) -> [u32; MAX_PLANES] {
    std::array::from_fn(|i| u32_at(b, at + 4 * i))
}

fn put_u32s(b: &mut [u8], words: &[u32]) {
    for (chunk, w) in b.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exported() -> Exported {
        Exported {
            fb_id: 42,
            width: 1280,
            height: 800,
            fourcc: u32::from_le_bytes(*b"XR24"),
            modifier: Some(0x0100_0000_0000_0001),
            planes: 2,
            pitches: [5120, 2560, 0, 0],
            offsets: [0, 4_096_000, 0, 0],
        }
    }

    #[test]
    fn requests_and_replies_round_trip() {
        let req = Request { card: 1, fb_id: 77 };
        assert_eq!(Request::parse(&req.encode(), 0), Ok(req));
        let e = exported();
        assert_eq!(
            Reply::parse(&Reply::Exported(e).encode(), 2),
            Ok(Reply::Exported(e))
        );
        let implicit = Exported {
            modifier: None,
            ..e
        };
        assert_eq!(
            Reply::parse(&Reply::Exported(implicit).encode(), 2),
            Ok(Reply::Exported(implicit))
        );
        let no = Refusal::new(RefusalCode::NotScannedOut, "framebuffer 9 is not shown");
        assert_eq!(
            Reply::parse(&Reply::Refused(no.clone()).encode(), 0),
            Ok(Reply::Refused(no))
        );
    }

    #[test]
    fn each_defect_of_a_request_has_its_refusal() {
        let good = Request { card: 0, fb_id: 5 }.encode();
        let code = |bytes: &[u8], fds| Request::parse(bytes, fds).map_err(|r| r.code);
        assert_eq!(code(&good[..15], 0), Err(RefusalCode::Malformed));
        assert_eq!(
            code(&[good.as_slice(), &[0]].concat(), 0),
            Err(RefusalCode::Malformed)
        );
        assert_eq!(code(&[], 0), Err(RefusalCode::Malformed));
        assert_eq!(code(&good, 1), Err(RefusalCode::Malformed));
        let with = |at: usize, bytes: &[u8]| {
            let mut b = good;
            b[at..at + bytes.len()].copy_from_slice(bytes);
            b
        };
        assert_eq!(code(&with(0, b"XRKN"), 0), Err(RefusalCode::Malformed));
        assert_eq!(code(&with(4, &[2, 0]), 0), Err(RefusalCode::Version));
        assert_eq!(code(&with(6, &[9, 0]), 0), Err(RefusalCode::UnknownOp));
        assert_eq!(code(&with(8, &[128, 0, 0, 0]), 0), Err(RefusalCode::BadId));
        assert_eq!(code(&with(12, &[0; 4]), 0), Err(RefusalCode::BadId));
        assert_eq!(code(&with(8, &[127, 0, 0, 0]), 0).map(|r| r.card), Ok(127));
    }

    #[test]
    fn replies_must_carry_exactly_their_planes_fds() {
        let e = Reply::Exported(exported()).encode();
        assert!(Reply::parse(&e, 1).is_err());
        assert!(Reply::parse(&e, 3).is_err());
        let refusal = Reply::Refused(Refusal::new(RefusalCode::Failed, "x")).encode();
        assert!(Reply::parse(&refusal, 1).is_err());
        let mut unknown = refusal;
        unknown[6] = 200;
        assert!(Reply::parse(&unknown, 0).is_err());
        let mut no_planes = e;
        no_planes[28] = 0;
        assert!(Reply::parse(&no_planes, 0).is_err());
        assert!(Reply::parse(&e[..255], 2).is_err());
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let long = "é".repeat(200);
        let bytes = Reply::Refused(Refusal::new(RefusalCode::Failed, long)).encode();
        let Ok(Reply::Refused(r)) = Reply::parse(&bytes, 0) else {
            panic!("refusal not parsed")
        };
        assert_eq!(r.message, "é".repeat(91));
    }
}
