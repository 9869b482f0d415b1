//! Who may use the helper: the user whose session logind (or elogind, which writes the
//! same files) reports active on the card's seat. Anything missing or unreadable is a
//! refusal that says what was missing.

use std::fs::File;
use std::io::{self, Read as _};
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};

use nix::libc;

use crate::protocol::{Refusal, RefusalCode};

/// logind's seat state files, one per seat, with `ACTIVE_UID=` while a session is active.
pub const SEATS_DIR: &str = "/run/systemd/seats";
/// udev's database: `c226:{minor}` holds the card's properties, `ID_SEAT` among them.
const UDEV_DATA_DIR: &str = "/run/udev/data";
/// The seat of a device udev assigned to none, as logind has it.
const DEFAULT_SEAT: &str = "seat0";

/// Refuses unless `uid` owns the session active on the seat of `/dev/dri/card{minor}`.
pub fn check(uid: u32, minor: u32) -> Result<(), Refusal> {
    let refuse = |why: String| Refusal::new(RefusalCode::NotActiveSession, why);
    let udev = format!("{UDEV_DATA_DIR}/c{}:{minor}", crate::drm::DRM_MAJOR);
    let seat = match read_root_file(&udev) {
        Ok(text) => udev_seat(&text)
            .map(str::to_owned)
            .ok_or_else(|| refuse(format!("{udev} names a seat that is not valid")))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => DEFAULT_SEAT.to_owned(),
        Err(e) => {
            return Err(refuse(format!(
                "cannot tell the card's seat from {udev}: {e}"
            )))
        }
    };
    let path = format!("{SEATS_DIR}/{seat}");
    let text = read_root_file(&path).map_err(|e| {
        refuse(format!(
            "no seat information ({path}: {e}); only the user of the session logind \
             reports active on {seat} may use xrdisplay-kms"
        ))
    })?;
    match active_uid(&text) {
        Some(active) if active == uid => Ok(()),
        Some(active) => Err(refuse(format!(
            "the session active on {seat} belongs to uid {active}, not to uid {uid}; \
             xrdisplay-kms serves only that session's user"
        ))),
        None => Err(refuse(format!("no session is active on {seat} ({path})"))),
    }
}

/// A small regular file owned by root (only root writes logind's and udev's state).
fn read_root_file(path: &str) -> io::Result<String> {
    let mut file = File::options()
        .read(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.uid() != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "not a regular file owned by root",
        ));
    }
    let mut text = String::new();
    file.by_ref().take(64 * 1024).read_to_string(&mut text)?;
    Ok(text)
}

/// The seat in a udev database entry (`E:ID_SEAT=seat1`), `seat0` when it names
/// none; `None` when the name is not a valid seat name.
fn udev_seat(text: &str) -> Option<&str> {
    let seat = text
        .lines()
        .find_map(|l| l.strip_prefix("E:ID_SEAT="))
        .unwrap_or(DEFAULT_SEAT);
    valid_seat_name(seat).then_some(seat)
}

/// As logind checks it: `seat` and then letters, digits, `-` and `_` (never a path).
fn valid_seat_name(name: &str) -> bool {
    name.len() <= 255
        && name.starts_with("seat")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `ACTIVE_UID=` of a seat file: present only while a session is active.
fn active_uid(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("ACTIVE_UID="))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_active_uid_is_read_from_a_logind_seat_file() {
        let seat = "# This is private data. Do not parse.\nIS_SEAT0=1\nCAN_MULTI_SESSION=1\n\
                    ACTIVE=c2\nACTIVE_UID=1000\nSESSIONS=c2 c1\nUIDS=1000 0\n";
        assert_eq!(active_uid(seat), Some(1000));
        assert_eq!(active_uid("IS_SEAT0=1\nSESSIONS=\n"), None);
        assert_eq!(active_uid("ACTIVE_UID=\n"), None);
        assert_eq!(active_uid("ACTIVE_UID=-1\n"), None);
        assert_eq!(active_uid("XACTIVE_UID=5\n"), None);
    }

    #[test]
    fn the_seat_comes_from_udev_and_must_be_a_seat_name() {
        assert_eq!(
            udev_seat("I:123\nE:ID_SEAT=seat-2\nG:seat\n"),
            Some("seat-2")
        );
        assert_eq!(udev_seat("I:123\nG:seat\n"), Some("seat0"));
        assert_eq!(udev_seat("E:ID_SEAT=seat/../../etc/x\n"), None);
        assert_eq!(udev_seat("E:ID_SEAT=../seat0\n"), None);
        assert_eq!(udev_seat("E:ID_SEAT=\n"), None);
    }
}
