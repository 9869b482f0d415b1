use crate::cli::{InstallArgs, InstallWhat};
use crate::desktop::capture_helper::{self, Installed as HelperInstalled};
use crate::desktop::file::{Installed, Managed};
use crate::desktop::shortcuts::{self, Bound};
use crate::desktop::{autostart, udev_rules, xorg_conf};
use crate::exit::{Error, Result};

pub fn run(args: &InstallArgs) -> Result<()> {
    match &args.what {
        InstallWhat::XorgConf(a) => install(
            &xorg_conf::managed(&a.dir),
            a.file.force,
            a.file.dry_run,
            "restart the X session (log out and back in) so that the X server loads it; \
             `sudo xrdisplay uninstall xorg-conf` undoes it",
        ),
        InstallWhat::Autostart(a) => {
            let exe = current_exe()?;
            let content = autostart::entry(&exe)?;
            install(
                &autostart::managed(autostart::path()?, &content),
                a.force,
                a.dry_run,
                "at the next login `xrdisplay enable` runs with your configuration; \
                 `xrdisplay uninstall autostart` undoes it",
            )
        }
        InstallWhat::CaptureHelper(a) => {
            let from = match &a.from {
                Some(path) => path.clone(),
                None => capture_helper::bundled()?,
            };
            let (path, outcome) = capture_helper::install(&from, &a.dir.helper_dir, a.dry_run)?;
            let path = path.display();
            let from = from.display();
            out!(
                "{}",
                match (outcome, a.dry_run) {
                    (HelperInstalled::Unchanged, _) => format!(
                        "{path} is already installed with cap_sys_admin+ep; nothing changed"
                    ),
                    (HelperInstalled::Created, true) =>
                        format!("would copy {from} to {path} and grant it cap_sys_admin+ep"),
                    (HelperInstalled::Updated, true) =>
                        format!("would replace {path} with {from} and grant it cap_sys_admin+ep"),
                    (HelperInstalled::Created, false) =>
                        format!("installed {path} with cap_sys_admin+ep (read back and checked)"),
                    (HelperInstalled::Updated, false) =>
                        format!("updated {path} with cap_sys_admin+ep (read back and checked)"),
                }
            );
            if !a.dry_run {
                out!(
                    "Next: xrdisplay reads DRM framebuffers through it whenever it lacks \
                     CAP_SYS_ADMIN (`xrdisplay status` says so); `sudo xrdisplay uninstall \
                     capture-helper` undoes it"
                );
            }
            Ok(())
        }
        InstallWhat::Shortcuts(a) => install_shortcuts(a.dry_run),
        InstallWhat::UdevRules(a) => {
            let content = udev_rules::content();
            install(
                &udev_rules::managed(&a.dir.rules_dir, &content),
                a.file.force,
                a.file.dry_run,
                "run `sudo udevadm control --reload-rules`, then unplug the glasses and plug \
                 them in again; `xrdisplay imu list` then says they are readable; `sudo \
                 xrdisplay uninstall udev-rules` undoes it",
            )
        }
    }
}

fn current_exe() -> Result<std::path::PathBuf> {
    std::env::current_exe()
        .map_err(|e| Error::desktop(format!("cannot find the xrdisplay binary: {e}")))
}

fn install_shortcuts(dry_run: bool) -> Result<()> {
    let report = shortcuts::install(&current_exe()?, dry_run)?;
    for (key, command, bound) in &report {
        match (bound, dry_run) {
            (Bound::Added, false) => out!("bound {key} to `{command}`"),
            (Bound::Added, true) => out!("would bind {key} to `{command}`"),
            (Bound::AlreadyThere, _) => out!("{key} already runs `{command}`"),
            (Bound::Taken(other), _) => {
                out!("left alone: {key} already runs `{other}` (bind `{command}` yourself)")
            }
        }
    }
    if !dry_run && report.iter().any(|(_, _, b)| *b == Bound::Added) {
        out!("Next: the keys work at once in XFCE; `xrdisplay uninstall shortcuts` undoes it");
    }
    Ok(())
}

fn install(file: &Managed, force: bool, dry_run: bool, next: &str) -> Result<()> {
    let path = file.path.display();
    let outcome = file.install(force, dry_run)?;
    let line = match (&outcome, dry_run) {
        (Installed::Unchanged, _) => format!("{path} is already installed; nothing changed"),
        (Installed::Created, false) => format!("installed {path}"),
        (Installed::Created, true) => format!("would write {path}:"),
        (Installed::Updated { previous }, false) => format!(
            "updated {path}; the previous version is kept as {}",
            previous.display()
        ),
        (Installed::Updated { previous }, true) => format!(
            "would update {path}, keeping the previous version as {}:",
            previous.display()
        ),
        (Installed::Replaced { backup }, false) => format!(
            "installed {path}; the file it replaced is kept as {}",
            backup.display()
        ),
        (Installed::Replaced { backup }, true) => format!(
            "would replace {path}, keeping the old file as {}:",
            backup.display()
        ),
    };
    out!("{line}");
    match (&outcome, dry_run) {
        (Installed::Unchanged, _) => {}
        (_, true) => {
            for text in file.content.lines() {
                out!("  {text}");
            }
        }
        (_, false) => out!("Next: {next}"),
    }
    Ok(())
}
