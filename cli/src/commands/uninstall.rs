use std::path::Path;

use crate::cli::{UninstallArgs, UninstallWhat};
use crate::desktop::file::{Managed, Uninstalled};
use crate::desktop::{autostart, capture_helper, shortcuts, udev_rules, xorg_conf};
use crate::exit::{Error, Result};

pub fn run(args: &UninstallArgs) -> Result<()> {
    match &args.what {
        UninstallWhat::XorgConf(a) => report("xorg-conf", uninstall_xorg_conf(&a.dir)),
        UninstallWhat::Autostart => report("autostart", uninstall_autostart()),
        UninstallWhat::CaptureHelper(a) => {
            report("capture-helper", uninstall_capture_helper(&a.helper_dir))
        }
        UninstallWhat::Shortcuts => report("shortcuts", uninstall_shortcuts()),
        UninstallWhat::UdevRules(a) => report("udev-rules", uninstall_udev_rules(&a.rules_dir)),
        UninstallWhat::All(a) => {
            // Every item is tried and reported, even after one fails.
            let results = [
                ("xorg-conf", uninstall_xorg_conf(&a.xorg.dir)),
                ("autostart", uninstall_autostart()),
                (
                    "capture-helper",
                    uninstall_capture_helper(&a.helper.helper_dir),
                ),
                ("udev-rules", uninstall_udev_rules(&a.udev.rules_dir)),
                (
                    "shortcuts",
                    if shortcuts::reachable() {
                        uninstall_shortcuts()
                    } else {
                        Ok((
                            format!("{SET} (no XFCE settings reachable here)"),
                            Uninstalled::Absent,
                        ))
                    },
                ),
            ];
            let mut failed = Vec::new();
            for (item, result) in results {
                if let Err(e) = report(item, result) {
                    out!("{item}: failed: {e}");
                    failed.push(e);
                }
            }
            match failed.into_iter().next() {
                None => Ok(()),
                Some(first) => Err(Error::new(
                    first.kind,
                    format!("not everything was removed: {first}"),
                )),
            }
        }
    }
}

fn uninstall_xorg_conf(dir: &Path) -> Result<(String, Uninstalled)> {
    let file = xorg_conf::managed(dir);
    Ok((file.path.display().to_string(), file.uninstall()?))
}

fn uninstall_autostart() -> Result<(String, Uninstalled)> {
    let file: Managed = autostart::managed(autostart::path()?, "");
    Ok((file.path.display().to_string(), file.uninstall()?))
}

fn uninstall_udev_rules(dir: &Path) -> Result<(String, Uninstalled)> {
    let file = udev_rules::managed(dir, "");
    Ok((file.path.display().to_string(), file.uninstall()?))
}

/// Removing the file removes its capability with it.
fn uninstall_capture_helper(dir: &Path) -> Result<(String, Uninstalled)> {
    let (path, outcome) = capture_helper::uninstall(dir)?;
    Ok((path.display().to_string(), outcome))
}

const SET: &str = "xrdisplay's XFCE shortcut set";

/// The XFCE bindings that run xrdisplay, described as one item.
fn uninstall_shortcuts() -> Result<(String, Uninstalled)> {
    Ok(match shortcuts::uninstall()?.as_slice() {
        [] => (SET.into(), Uninstalled::Absent),
        keys => (
            format!("XFCE keyboard shortcuts {}", keys.join(", ")),
            Uninstalled::Removed,
        ),
    })
}

/// One line per item removed or found absent.
fn report(item: &str, result: Result<(String, Uninstalled)>) -> Result<()> {
    match result? {
        (path, Uninstalled::Absent) => out!("{item}: {path} is not installed; nothing to do"),
        (path, Uninstalled::Removed) => out!("{item}: removed {path}"),
        (path, Uninstalled::Restored { backup }) => out!(
            "{item}: removed {path} and put back the file it had replaced (from {})",
            backup.display()
        ),
    }
    Ok(())
}
