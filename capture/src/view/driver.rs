//! Talking to the XR driver: commands as `key=value` lines in its control file, and
//! its state file read back.
//!
//! The driver keeps its files side by side in `/dev/shm`, beside its pose file: it
//! polls `xr_driver_control`, applies what it finds and clears the file. Every client writes it the way a shell's `echo key=value > FILE` does
//! (truncate, then write), so xrdisplay does too, all lines in one `write`: an
//! append could replay commands the driver already cleared, and a temporary file
//! renamed into place is a new inode the driver's poll may not look at. Both files
//! are opened as [`files`] says (no symbolic link, no blocking, only a regular file
//! of the caller's or root's), and the control file is truncated only once checked.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::files;
use crate::{Error, Result};

/// The control file's name, in the directory of the driver's pose file.
pub const CONTROL_FILE: &str = "xr_driver_control";
/// The state file's name, beside the control file.
pub const STATE_FILE: &str = "xr_driver_state";
/// The state file is a few dozen short lines; more than this is not it.
const STATE_LIMIT: usize = 64 * 1024;

/// A command for the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Make the current head orientation the driver's zero.
    Recenter,
    /// Switch the glasses into (true) or out of side-by-side 3D mode.
    Sbs(bool),
    /// The driver's own smooth follow.
    SmoothFollow(bool),
}

impl Control {
    /// The control file's line for this command, without the newline.
    pub fn line(self) -> String {
        match self {
            Control::Recenter => "recenter_screen=true".to_string(),
            Control::Sbs(on) => format!("sbs_mode={}", if on { "enable" } else { "disable" }),
            Control::SmoothFollow(on) => format!("enable_breezy_desktop_smooth_follow={on}"),
        }
    }
}

/// Sends `controls` to the driver through its control file at `path`
/// (`/dev/shm/`[`CONTROL_FILE`] normally).
pub fn send(path: &Path, controls: &[Control]) -> Result<()> {
    let text: String = controls.iter().map(|c| c.line() + "\n").collect();
    let failed = |e: &dyn std::fmt::Display| {
        Error::io(format!(
            "the XR driver's control file {} {e}",
            path.display()
        ))
    };
    let mut file = files::open_for_writing(path).map_err(|e| failed(&e))?;
    file.set_len(0)
        .and_then(|()| file.write_all(text.as_bytes()))
        .map_err(|e| failed(&format_args!("cannot be written: {e}")))
}

/// The driver's state file: `key=value` lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriverState {
    entries: BTreeMap<String, String>,
}

impl DriverState {
    /// Reads the state file at `path` (`/dev/shm/`[`STATE_FILE`] normally).
    pub fn read(path: &Path) -> Result<DriverState> {
        let bytes = files::read(path, STATE_LIMIT).map_err(|e| {
            Error::io(format!("the XR driver's state file {} {e}", path.display())).because(e)
        })?;
        Ok(DriverState::parse(&String::from_utf8_lossy(&bytes)))
    }

    /// Takes what reads as `key=value`, with spaces trimmed; skips blank lines,
    /// `#` comments and anything else. A repeated key keeps its last value.
    pub fn parse(text: &str) -> DriverState {
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        DriverState { entries }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// A yes/no value, in any of the spellings drivers and scripts use.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.get(key)?.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "enable" | "enabled" => Some(true),
            "false" | "0" | "no" | "off" | "disable" | "disabled" => Some(false),
            _ => None,
        }
    }

    /// Every entry, sorted by key (for `status`).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::Scratch;

    #[test]
    fn commands_are_written_as_the_driver_reads_them() {
        let dir = Scratch::new("control");
        let path = dir.join("xr_driver_control");
        std::fs::write(
            &path,
            "an older, longer command the driver has not cleared\n",
        )
        .unwrap();
        send(
            &path,
            &[
                Control::Recenter,
                Control::Sbs(true),
                Control::Sbs(false),
                Control::SmoothFollow(true),
                Control::SmoothFollow(false),
            ],
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "recenter_screen=true\nsbs_mode=enable\nsbs_mode=disable\n\
             enable_breezy_desktop_smooth_follow=true\n\
             enable_breezy_desktop_smooth_follow=false\n"
        );
        send(&path, &[Control::Recenter]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "recenter_screen=true\n"
        );
    }

    #[test]
    fn a_control_file_that_cannot_be_written_says_which() {
        let dir = Scratch::new("control-missing");
        let path = dir.join("no/such/dir/xr_driver_control");
        let Err(e) = send(&path, &[Control::Recenter]) else {
            panic!("wrote into a missing directory");
        };
        assert_eq!(e.kind(), crate::ErrorKind::Io);
        let message = e.message();
        assert!(
            message.contains("no/such/dir/xr_driver_control"),
            "{message}"
        );
    }

    #[test]
    fn a_fifo_or_a_link_as_control_file_is_refused_at_once() {
        let dir = Scratch::new("control-fifo");
        let fifo = dir.join("xr_driver_control");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // A blocking open for writing would wait for a reader forever.
        let Err(e) = send(&fifo, &[Control::Recenter]) else {
            panic!("wrote into a FIFO");
        };
        assert_eq!(e.kind(), crate::ErrorKind::Io);
        let message = e.message();
        assert!(message.contains("FIFO"), "{message}");
        let target = dir.join("victim");
        std::fs::write(&target, "keep\n").unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(send(&link, &[Control::Recenter]).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep\n");
        std::fs::write(dir.join("state"), "a=b\n").unwrap();
        std::os::unix::fs::symlink(dir.join("state"), dir.join("state-link")).unwrap();
        assert!(DriverState::read(&dir.join("state-link")).is_err());
    }

    #[test]
    fn the_state_file_is_read_tolerantly() {
        let dir = Scratch::new("state");
        let path = dir.join("xr_driver_state");
        std::fs::write(
            &path,
            b"heartbeat=1732584000\n  sbs_mode_enabled = true \n# comment\n\
              garbage line\n=no key\nconnected_device_model=Air 2 Pro\n\
              smooth_follow=0\nweird=maybe\nheartbeat=1732584001\n\xff\xfe\n",
        )
        .unwrap();
        let state = DriverState::read(&path).unwrap();
        assert_eq!(state.get("heartbeat"), Some("1732584001"));
        assert_eq!(state.get("connected_device_model"), Some("Air 2 Pro"));
        assert_eq!(state.flag("sbs_mode_enabled"), Some(true));
        assert_eq!(state.flag("smooth_follow"), Some(false));
        assert_eq!(state.flag("weird"), None);
        assert_eq!(state.get("missing"), None);
        assert_eq!(state.entries().count(), 5);
        assert!(DriverState::read(&dir.join("absent")).is_err());
    }
}
