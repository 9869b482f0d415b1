//! The capture helper, installed as `/usr/local/libexec/xrdisplay/xrdisplay-kms` with
//! the file capability `cap_sys_admin+ep`, so that xrdisplay reads DRM framebuffers
//! without running as root (see `xrdisplay_capture::helper`).

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use nix::sys::statvfs::{statvfs, FsFlags};
use xrdisplay_capture::helper::{filecap, NAME};

use super::file::Uninstalled;
use crate::exit::{Error, Result};

pub const DEFAULT_DIR: &str = xrdisplay_capture::helper::INSTALL_DIR;

/// What `install` did (or, with `dry_run`, would do).
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    Unchanged,
    Created,
    Updated,
}

/// The helper built with this xrdisplay: `xrdisplay-kms` next to its executable.
pub fn bundled() -> Result<PathBuf> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::desktop(format!("cannot find the xrdisplay binary: {e}")))?;
    Ok(exe.with_file_name(NAME))
}

/// Copies `from` to `DIR/xrdisplay-kms` (atomically: a temporary file renamed over
/// it), grants it `cap_sys_admin+ep`, and checks that the kernel will honour that.
pub fn install(from: &Path, dir: &Path, dry_run: bool) -> Result<(PathBuf, Installed)> {
    let target = dir.join(NAME);
    let binary = std::fs::read(from).map_err(|e| {
        Error::usage(format!(
            "cannot read the helper {}: {e}; build it (cargo build --release -p \
             xrdisplay-capture --bin {NAME}) or name it with --from",
            from.display()
        ))
    })?;
    let outcome = match std::fs::read(&target) {
        Ok(old) if old == binary && filecap::has_sys_admin(&target) => {
            return Ok((target, Installed::Unchanged))
        }
        Ok(_) => Installed::Updated,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Installed::Created,
        Err(e) => {
            return Err(Error::desktop(format!(
                "cannot read {}: {e}",
                target.display()
            )))
        }
    };
    if dry_run {
        return Ok((target, outcome));
    }
    let fail =
        |e: std::io::Error| Error::desktop(format!("cannot write {}: {e}", target.display()));
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(fail)?;
        // Every user runs the helper: whatever the umask, the directory is searchable.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).map_err(fail)?;
    }
    let mut temp = tempfile::Builder::new()
        .prefix(".xrdisplay-")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(&binary).map_err(fail)?;
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o755))
        .map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    // After the last write: the kernel clears file capabilities on every write.
    filecap::grant_sys_admin(temp.path()).map_err(|e| {
        Error::desktop(format!(
            "cannot grant cap_sys_admin to {}: {e}; this needs root (sudo) and a file \
             system with extended attributes",
            target.display()
        ))
    })?;
    temp.persist(&target).map_err(|e| fail(e.error))?;
    verify(&target)?;
    Ok((target, outcome))
}

/// Reads the capability back, and refuses a nosuid mount, where exec ignores it.
fn verify(target: &Path) -> Result<()> {
    if !filecap::has_sys_admin(target) {
        return Err(Error::desktop(format!(
            "{} was written but does not carry cap_sys_admin+ep",
            target.display()
        )));
    }
    let nosuid = statvfs(target).is_ok_and(|s| s.flags().contains(FsFlags::ST_NOSUID));
    if nosuid {
        return Err(Error::desktop(format!(
            "{} is on a file system mounted nosuid, where the kernel ignores file \
             capabilities; install it elsewhere with --dir",
            target.display()
        )));
    }
    Ok(())
}

/// Removes `DIR/xrdisplay-kms` (its capability goes with it) and the directory when
/// that is left empty.
pub fn uninstall(dir: &Path) -> Result<(PathBuf, Uninstalled)> {
    let target = dir.join(NAME);
    match target.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((target, Uninstalled::Absent))
        }
        Ok(meta) if meta.is_file() => {}
        _ => {
            return Err(Error::usage(format!(
                "{} is not a file xrdisplay installed; it was left in place",
                target.display()
            )))
        }
    }
    std::fs::remove_file(&target)
        .map_err(|e| Error::desktop(format!("cannot remove {}: {e}", target.display())))?;
    // Only an empty directory goes: anything else in it is not ours.
    let _ = std::fs::remove_dir(dir);
    Ok((target, Uninstalled::Removed))
}
