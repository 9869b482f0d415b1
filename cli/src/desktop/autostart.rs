//! The XDG autostart entry that runs `xrdisplay watch` at login.

use std::path::{Path, PathBuf};

use super::file::Managed;
use crate::exit::{Error, Result};

/// A key of our own (`X-` keys are allowed by the Desktop Entry spec) marks the file.
pub const MARKER: &str = "X-xrdisplay-Managed=true";

/// `$XDG_CONFIG_HOME/autostart/xrdisplay.desktop`, falling back to `~/.config`.
pub fn path() -> Result<PathBuf> {
    crate::xdg::config_home()
        .map(|base| base.join("autostart").join("xrdisplay.desktop"))
        .ok_or_else(|| {
            Error::usage("neither XDG_CONFIG_HOME nor HOME is set: no autostart directory")
        })
}

/// The entry, running the binary at `exe` (absolute, so it does not depend on the login
/// session's PATH) as the session's glasses watcher, which reads the user's
/// configuration file itself.
pub fn entry(exe: &Path) -> Result<String> {
    let exe = exe.to_str().ok_or_else(|| {
        Error::usage(format!(
            "the path of xrdisplay, {}, is not UTF-8; a desktop entry cannot name it",
            exe.display()
        ))
    })?;
    if exe.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "the path of xrdisplay, {exe:?}, holds control characters; a desktop entry cannot name it"
        )));
    }
    Ok(format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=xrdisplay\n\
         Comment=Turn on the virtual monitor for XR glasses (XR-0) whenever they are plugged in\n\
         Exec={} watch\n\
         Terminal=false\n\
         NoDisplay=true\n\
         {MARKER}\n",
        exec_argument(exe)
    ))
}

pub fn managed(path: PathBuf, content: &str) -> Managed<'_> {
    Managed {
        path,
        content,
        marker: MARKER,
    }
}

/// One Exec argument. The spec quotes reserved characters inside double quotes, where
/// `"`, `` ` ``, `$` and `\` take a backslash; `%` is doubled as it starts field codes;
/// and the value as a whole is a desktop-file string, where `\` is written `\\` again.
fn exec_argument(arg: &str) -> String {
    const RESERVED: &str = " \t\"'\\><~|&;$*?#()`";
    let mut quoted = String::new();
    let needs_quotes = arg.chars().any(|c| RESERVED.contains(c));
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' if needs_quotes => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    let arg = if needs_quotes {
        format!("\"{quoted}\"")
    } else {
        quoted
    };
    arg.replace('\\', "\\\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_arguments_are_quoted_as_the_spec_says() {
        assert_eq!(exec_argument("/usr/bin/xrdisplay"), "/usr/bin/xrdisplay");
        assert_eq!(
            exec_argument("/opt/x 1/xrdisplay"),
            "\"/opt/x 1/xrdisplay\""
        );
        assert_eq!(exec_argument("/a/100%/x"), "/a/100%%/x");
        // `$` in quotes takes a backslash, which the string escaping doubles.
        assert_eq!(exec_argument("/a$b/x"), "\"/a\\\\$b/x\"");
    }

    #[test]
    fn the_entry_carries_its_marker_and_runs_enable() {
        let text = entry(Path::new("/usr/bin/xrdisplay")).unwrap();
        assert!(text.lines().any(|l| l == MARKER));
        assert!(text.contains("\nExec=/usr/bin/xrdisplay watch\n"));
        assert!(entry(Path::new("/a\nb")).is_err());
    }
}
