//! XFCE's display profile (xfconf channel `displays`), kept in step with the layout.
//!
//! xfsettingsd re-applies the active profile at login, on `/Schemes/Apply` and when
//! outputs come and go; an output the profile lists differently is moved or switched
//! off again. So after every change xrdisplay writes whole entries for every output it
//! sees (a partial entry is filled with defaults, e.g. dropping the primary flag).
//!
//! It talks through `xfconf-query`, not D-Bus: xfconf-query ships with xfconfd in the
//! same package, so it is there whenever a profile can be, it speaks xfconf's typed
//! values exactly as XFCE's own tools do, and it keeps a D-Bus stack out of the binary.
//! A write costs a process (about 10 ms), a few dozen per change.

use std::process::Command;

use sha1::{Digest as _, Sha1};
use x11rb::protocol::randr::ConnectionExt as _;

use crate::exit::{Error, Result};
use crate::randr::Session;
use xrdisplay_model::XfceMode;

const CHANNEL: &str = "displays";

/// A reachable `displays` channel.
pub struct Xfconf {
    profile: String,
}

/// A typed xfconf value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Bool(bool),
    Int(i32),
    Double(f64),
}

impl Value {
    fn type_and_text(&self) -> (&'static str, String) {
        match self {
            Value::Str(s) => ("string", s.clone()),
            Value::Bool(b) => ("bool", b.to_string()),
            Value::Int(i) => ("int", i.to_string()),
            Value::Double(d) => ("double", format!("{d:.6}")),
        }
    }
}

fn in_xfce_session() -> bool {
    std::env::var("XDG_CURRENT_DESKTOP")
        .is_ok_and(|v| v.split(':').any(|d| d.eq_ignore_ascii_case("XFCE")))
}

/// Runs `xfconf-query -c displays ARGS`; `Ok(None)` when the property does not exist.
fn query(args: &[&str]) -> Result<Option<String>> {
    query_channel(CHANNEL, args)
}

/// Runs `xfconf-query -c CHANNEL ARGS`; `Ok(None)` when the property does not exist.
pub fn query_channel(channel: &str, args: &[&str]) -> Result<Option<String>> {
    let out = Command::new("xfconf-query")
        .arg("-c")
        .arg(channel)
        .args(args)
        .output()
        .map_err(|e| Error::desktop(format!("cannot run xfconf-query: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        return Ok(Some(stdout));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let reason = stderr
        .lines()
        .chain(stdout.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    if reason.contains("does not exist") {
        return Ok(None);
    }
    Err(Error::desktop(format!(
        "xfconf-query -c {channel} {} failed: {reason}",
        args.join(" ")
    )))
}

impl Xfconf {
    /// The channel to keep in step, or `None` when XFCE is to be left alone.
    pub fn for_mode(mode: XfceMode) -> Result<Option<Xfconf>> {
        if mode == XfceMode::Off || (mode == XfceMode::Auto && !in_xfce_session()) {
            return Ok(None);
        }
        match Xfconf::connect() {
            Ok(x) => Ok(Some(x)),
            Err(e) if mode == XfceMode::On => Err(Error::desktop(format!(
                "--xfce on, but XFCE's settings cannot be reached; nothing was changed: {e}"
            ))),
            Err(e) => {
                eprintln!(
                    "xrdisplay: note: XFCE session, but its display profile is left alone: {e}"
                );
                Ok(None)
            }
        }
    }

    fn connect() -> Result<Xfconf> {
        let profile = query(&["-p", "/ActiveProfile"])?
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "Default".into());
        Ok(Xfconf { profile })
    }

    fn set(&self, property: &str, value: &Value) -> Result<()> {
        let (kind, text) = value.type_and_text();
        query(&["-p", property, "-n", "-t", kind, "-s", &text]).map(drop)
    }

    fn reset(&self, property: &str) -> Result<()> {
        query(&["-p", property, "-r", "-R"]).map(drop)
    }

    /// Switches xfsettingsd's reaction to new outputs off (`/Notify` 0) until the returned
    /// hold is restored: otherwise it may apply a stored profile, or give a new output a
    /// mode and position of its own, while xrdisplay's transaction is half done.
    pub fn hold_notify(&self) -> Result<NotifyHold> {
        let before = query(&["-p", "/Notify"])?.map(|v| {
            // 4.18 reads it as a bool, later versions as an int (0 = do nothing).
            match v.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                n => n.parse().map_or(Value::Str(n.into()), Value::Int),
            }
        });
        let off = match before {
            Some(Value::Bool(_)) => Value::Bool(false),
            _ => Value::Int(0),
        };
        self.set("/Notify", &off)?;
        Ok(NotifyHold {
            before,
            restored: false,
        })
    }

    /// Writes whole entries for every active output under the active profile, as the
    /// server has them now; `forget` (the output `disable` turned off) loses its entry.
    /// Entries of inactive outputs are the user's and stay as they are. The channel's
    /// file is backed up first (see [`backup_channel`]).
    pub fn write_layout(&self, session: &Session, forget: Option<&str>) -> Result<()> {
        let entries = read_entries(session)?;
        backup_channel()?;
        if let Some(name) = forget {
            self.reset(&format!("/{}/{}", self.profile, xfconf_name(name)))?;
        }
        for entry in entries.iter().filter(|e| Some(e.name.as_str()) != forget) {
            let base = format!("/{}/{}", self.profile, xfconf_name(&entry.name));
            for (key, value) in entry.properties() {
                self.set(&format!("{base}/{key}"), &value)?;
            }
            self.set(&base, &Value::Str(entry.name.clone()))?;
        }
        Ok(())
    }
}

/// Copies xfconfd's file of the `displays` channel to `$XDG_STATE_HOME/xrdisplay/`
/// before xrdisplay writes to the channel: `xfce-displays.orig.xml` once (the profile
/// as it was before xrdisplay ever touched it), and `xfce-displays.prev.xml` every time
/// (before the latest change). Put one back in place of the channel's file, with
/// xfconfd stopped, to undo. No channel file yet: nothing to keep.
fn backup_channel() -> Result<()> {
    let no_home = || {
        Error::desktop(
            "neither XDG_CONFIG_HOME nor HOME is set: cannot back up XFCE's display profile",
        )
    };
    let channel = crate::xdg::config_home()
        .ok_or_else(no_home)?
        .join("xfce4/xfconf/xfce-perchannel-xml/displays.xml");
    let text = match std::fs::read(&channel) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Error::desktop(format!(
                "cannot read {} to back it up: {e}",
                channel.display()
            )))
        }
    };
    let dir = crate::xdg::state_home()
        .ok_or_else(no_home)?
        .join("xrdisplay");
    let write = |name: &str, only_once: bool| -> Result<()> {
        let path = dir.join(name);
        if only_once && path.exists() {
            return Ok(());
        }
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, &text))
            .map_err(|e| {
                Error::desktop(format!(
                    "cannot back up XFCE's display profile to {}: {e}",
                    path.display()
                ))
            })
    };
    write("xfce-displays.orig.xml", true)?;
    write("xfce-displays.prev.xml", false)
}

/// `enable`/`disable`'s step after a successful change: the profile written, or `None`
/// when XFCE is left alone. A failure says that the RandR change itself stands.
pub fn keep_in_step(
    xfce: Option<&Xfconf>,
    session: &Session,
    forget: Option<&str>,
    output: &str,
) -> Result<Option<String>> {
    let Some(xfce) = xfce else {
        return Ok(None);
    };
    xfce.write_layout(session, forget).map_err(|e| {
        Error::desktop(format!(
            "{output} is set as asked, but XFCE's display profile {} was not updated: {e}",
            xfce.profile
        ))
    })?;
    Ok(Some(xfce.profile.clone()))
}

/// Restores `/Notify` when dropped, or through [`NotifyHold::restore`] to see errors.
pub struct NotifyHold {
    before: Option<Value>,
    restored: bool,
}

impl NotifyHold {
    pub fn restore(mut self) -> Result<()> {
        self.restored = true;
        match &self.before {
            Some(value) => {
                let (kind, text) = value.type_and_text();
                query(&["-p", "/Notify", "-n", "-t", kind, "-s", &text]).map(drop)
            }
            None => query(&["-p", "/Notify", "-r"]).map(drop),
        }
    }
}

impl Drop for NotifyHold {
    fn drop(&mut self) {
        if !self.restored {
            let hold = NotifyHold {
                before: self.before.take(),
                restored: false,
            };
            let _ = hold.restore();
        }
    }
}

/// xfsettingsd's spelling of an output name in property paths (`g_strcanon` on it).
fn xfconf_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_<>".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One active output's profile entry.
#[derive(Debug, PartialEq)]
struct Entry {
    name: String,
    /// The EDID's hash as XFCE computes it (SHA-1 of the first 128 bytes), or empty.
    edid: String,
    primary: bool,
    active: ActiveEntry,
}

#[derive(Debug, PartialEq)]
struct ActiveEntry {
    width: u16,
    height: u16,
    refresh: f64,
    rotation: i32,
    reflection: &'static str,
    scale: (f64, f64),
    x: i16,
    y: i16,
}

impl Entry {
    fn properties(&self) -> Vec<(&'static str, Value)> {
        let a = &self.active;
        vec![
            ("EDID", Value::Str(self.edid.clone())),
            ("Active", Value::Bool(true)),
            (
                "Resolution",
                Value::Str(format!("{}x{}", a.width, a.height)),
            ),
            ("RefreshRate", Value::Double(a.refresh)),
            ("Rotation", Value::Int(a.rotation)),
            ("Reflection", Value::Str(a.reflection.into())),
            ("Primary", Value::Bool(self.primary)),
            ("Scale/X", Value::Double(a.scale.0)),
            ("Scale/Y", Value::Double(a.scale.1)),
            ("Position/X", Value::Int(a.x.into())),
            ("Position/Y", Value::Int(a.y.into())),
        ]
    }
}

/// RandR rotation bits to XFCE's degrees and reflection name.
fn rotation(bits: u16) -> (i32, &'static str) {
    let degrees = match bits & 0xf {
        2 => 90,
        4 => 180,
        8 => 270,
        _ => 0,
    };
    let reflection = match (bits & 16 != 0, bits & 32 != 0) {
        (false, false) => "0",
        (true, false) => "X",
        (false, true) => "Y",
        (true, true) => "XY",
    };
    (degrees, reflection)
}

fn read_entries(session: &Session) -> Result<Vec<Entry>> {
    let conn = &session.conn;
    let state = session.read()?;
    // xfsettingsd matches the stored rate against dotclock / (htotal * vtotal), without
    // the interlace and double-scan corrections of `ModeInfo`'s usual rate: use its sum.
    let resources = conn
        .randr_get_screen_resources_current(session.root)?
        .reply()?;
    let mut entries = Vec::new();
    for output in &state.outputs {
        let Some(crtc) = state.active_crtc_of(output) else {
            continue;
        };
        if output.non_desktop {
            continue;
        }
        let data = session.edid(output.id)?;
        let edid = match data.get(..128) {
            Some(block) => Sha1::digest(block)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            None => String::new(),
        };
        let mode = resources.modes.iter().find(|m| m.id == crtc.mode);
        let refresh = mode.map_or(0.0, |m| {
            let pixels = f64::from(m.htotal) * f64::from(m.vtotal);
            if pixels == 0.0 {
                0.0
            } else {
                f64::from(m.dot_clock) / pixels
            }
        });
        let transform = conn.randr_get_crtc_transform(crtc.id)?.reply()?;
        let t = &transform.current_transform;
        let fixed = |v: i32| f64::from(v) / 65536.0;
        let (rotation, reflection) = rotation(crtc.rotation);
        let active = ActiveEntry {
            width: mode.map_or(crtc.width, |m| m.width),
            height: mode.map_or(crtc.height, |m| m.height),
            refresh,
            rotation,
            reflection,
            scale: (fixed(t.matrix11), fixed(t.matrix22)),
            x: crtc.x,
            y: crtc.y,
        };
        entries.push(Entry {
            name: output.name.clone(),
            edid,
            primary: output.id == state.primary,
            active,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_rotations_are_spelled_as_xfsettingsd_does() {
        assert_eq!(xfconf_name("XR-0"), "XR-0");
        assert_eq!(xfconf_name("DP-1.2"), "DP-1_2");
        assert_eq!(rotation(1), (0, "0"));
        assert_eq!(rotation(2 | 16), (90, "X"));
        assert_eq!(rotation(8 | 16 | 32), (270, "XY"));
    }
}
