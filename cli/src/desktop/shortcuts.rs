//! XFCE keyboard shortcuts for the view commands (xfconf channel
//! `xfce4-keyboard-shortcuts`, one `/commands/custom/<key>` string each).
//!
//! A binding is xrdisplay's when its command is an `xrdisplay` executable with the
//! arguments below, so `uninstall` removes exactly those and leaves a key the user
//! rebound alone, as `install` leaves a key that was already taken.

use std::path::Path;

use super::xfconf::query_channel;
use crate::exit::Result;

const CHANNEL: &str = "xfce4-keyboard-shortcuts";
const CUSTOM: &str = "/commands/custom";
const DEFAULT: &str = "/commands/default";

/// The keys (GTK accelerator names, as XFCE stores them) and the arguments they run.
pub const BINDINGS: [(&str, &str); 6] = [
    ("<Super><Alt>c", "recenter"),
    ("<Super><Alt>f", "follow toggle"),
    ("<Super><Alt>equal", "zoom +"),
    ("<Super><Alt>minus", "zoom -"),
    ("<Super><Alt>v", "curved toggle"),
    ("<Super><Alt>s", "steady toggle"),
];

/// What `install` did with one key.
#[derive(Debug, PartialEq, Eq)]
pub enum Bound {
    Added,
    AlreadyThere,
    /// The key runs something else, which is kept.
    Taken(String),
}

fn get(property: &str) -> Result<Option<String>> {
    Ok(query_channel(CHANNEL, &["-p", property])?.map(|v| v.trim_end_matches('\n').to_string()))
}

fn set(property: &str, kind: &str, value: &str) -> Result<()> {
    query_channel(CHANNEL, &["-p", property, "-n", "-t", kind, "-s", value]).map(drop)
}

/// The command XFCE runs for `args`: `exe` quoted as its command-line parser
/// (g_shell_parse_argv) reads it.
pub fn command(exe: &Path, args: &str) -> String {
    let path = exe.display().to_string();
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if plain {
        format!("{path} {args}")
    } else {
        format!("'{}' {args}", path.replace('\'', r"'\''"))
    }
}

/// Whether `value` is a command [`command`] wrote for `args`, from any xrdisplay
/// executable (the binary may have moved since).
fn is_ours(value: &str, args: &str) -> bool {
    let Some(program) = value.strip_suffix(args).and_then(|p| p.strip_suffix(' ')) else {
        return false;
    };
    let program = program
        .strip_prefix('\'')
        .and_then(|p| p.strip_suffix('\''))
        .unwrap_or(program);
    Path::new(program)
        .file_name()
        .is_some_and(|n| n == "xrdisplay")
}

/// Binds every key that is free to `exe`'s command (`dry_run`: says what it would do).
pub fn install(exe: &Path, dry_run: bool) -> Result<Vec<(&'static str, String, Bound)>> {
    let mut report = Vec::new();
    let mut custom_ready = dry_run;
    for (key, args) in BINDINGS {
        let property = format!("{CUSTOM}/{key}");
        let wanted = command(exe, args);
        let bound = match get(&property)? {
            Some(value) if value == wanted => Bound::AlreadyThere,
            Some(value) => Bound::Taken(value),
            None => {
                if !custom_ready {
                    use_custom_set()?;
                    custom_ready = true;
                }
                if !dry_run {
                    set(&property, "string", &wanted)?;
                }
                Bound::Added
            }
        };
        report.push((key, wanted, bound));
    }
    Ok(report)
}

/// XFCE reads shortcuts from the custom set only once `/commands/custom/override` is
/// set; until then it copies the defaults there at startup, wiping what is there. So
/// do that copy first, as XFCE would (its string entries, not their sub-properties).
fn use_custom_set() -> Result<()> {
    if get(&format!("{CUSTOM}/override"))?.as_deref() == Some("true") {
        return Ok(());
    }
    let listing = query_channel(CHANNEL, &["-l", "-v"])?.unwrap_or_default();
    for line in listing.lines() {
        let Some((property, value)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let Some(key) = property
            .strip_prefix(DEFAULT)
            .and_then(|k| k.strip_prefix('/'))
        else {
            continue;
        };
        let custom = format!("{CUSTOM}/{key}");
        if !key.contains('/') && get(&custom)?.is_none() {
            set(&custom, "string", value.trim_start())?;
        }
    }
    set(&format!("{CUSTOM}/override"), "bool", "true")
}

/// Whether XFCE's settings answer here (`sudo` and sessions without D-Bus have none).
pub fn reachable() -> bool {
    get(&format!("{CUSTOM}/override")).is_ok()
}

/// Removes the keys bound to xrdisplay's commands; returns them.
pub fn uninstall() -> Result<Vec<&'static str>> {
    let mut removed = Vec::new();
    for (key, args) in BINDINGS {
        let property = format!("{CUSTOM}/{key}");
        if get(&property)?.is_some_and(|value| is_ours(&value, args)) {
            query_channel(CHANNEL, &["-p", &property, "-r"])?;
            removed.push(key);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_quoted_for_xfce_and_recognised_from_any_xrdisplay() {
        let plain = command(Path::new("/usr/bin/xrdisplay"), "zoom +");
        assert_eq!(plain, "/usr/bin/xrdisplay zoom +");
        let spaced = command(Path::new("/opt/my apps/xrdisplay"), "recenter");
        assert_eq!(spaced, "'/opt/my apps/xrdisplay' recenter");
        assert!(is_ours(&plain, "zoom +"));
        assert!(is_ours(&spaced, "recenter"));
        assert!(is_ours("/home/u/.cargo/bin/xrdisplay zoom +", "zoom +"));
        assert!(!is_ours(&plain, "zoom -"));
        assert!(!is_ours("/usr/bin/other zoom +", "zoom +"));
        assert!(!is_ours("xfce4-screenshooter", "recenter"));
    }
}
