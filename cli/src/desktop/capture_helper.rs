//! The capture helper, installed as `/usr/local/libexec/xrdisplay/xrdisplay-kms` with
//! the file capability `cap_sys_admin+ep`, so that xrdisplay reads DRM framebuffers
//! without running as root (see `xrdisplay_capture::helper`).

use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use nix::sys::statvfs::{fstatvfs, FsFlags};
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
/// `DIR` and every directory above it must be safe from other users ([`check_dir`]).
pub fn install(from: &Path, dir: &Path, dry_run: bool) -> Result<(PathBuf, Installed)> {
    let binary = std::fs::read(from).map_err(|e| {
        Error::usage(format!(
            "cannot read the helper {}: {e}; build it (cargo build --release -p \
             xrdisplay-kms --bin {NAME}) or name it with --from",
            from.display()
        ))
    })?;
    check_dir(dir)?;
    let target = dir.join(NAME);
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
    // Checked again with the directory there, and used by the path checked: a symlink
    // on the way resolved once.
    let dir = check_dir(dir)?;
    let target = dir.join(NAME);
    let mut temp = tempfile::Builder::new()
        .prefix(".xrdisplay-")
        .tempfile_in(&dir)
        .map_err(fail)?;
    temp.write_all(&binary).map_err(fail)?;
    temp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o755))
        .map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    // After the last write: the kernel clears file capabilities on every write.
    filecap::grant_sys_admin(temp.as_file()).map_err(|e| {
        Error::desktop(format!(
            "cannot grant cap_sys_admin to {}: {e}; this needs root (sudo) and a file \
             system with extended attributes",
            target.display()
        ))
    })?;
    let file = temp.persist(&target).map_err(|e| fail(e.error))?;
    verify(&file, &target)?;
    Ok((target, outcome))
}

/// Refuses a helper directory that someone other than root could change: the
/// directory must be owned by root and writable by no group or other user, and so
/// must every directory above it, except that one others may write to is accepted
/// with the sticky bit (like /tmp), where they cannot rename or remove what root
/// owns. Where `dir` does not exist yet, the directories above it are checked (it is
/// created 0755). Returns `dir` with symlinks resolved.
fn check_dir(dir: &Path) -> Result<PathBuf> {
    let refuse = |why: String| {
        Error::usage(format!(
            "refusing --helper-dir {}: {why}; whoever can change it could replace the \
             helper, which runs with cap_sys_admin; nothing was installed",
            dir.display()
        ))
    };
    let absolute = std::path::absolute(dir).map_err(|e| refuse(e.to_string()))?;
    let existing = absolute
        .ancestors()
        .find(|p| p.exists())
        .unwrap_or(Path::new("/"));
    let resolved = existing
        .canonicalize()
        .map_err(|e| refuse(format!("{}: {e}", existing.display())))?;
    for (i, path) in resolved.ancestors().enumerate() {
        let meta = std::fs::symlink_metadata(path)
            .map_err(|e| refuse(format!("{}: {e}", path.display())))?;
        let mode = meta.mode() & 0o7777;
        let is_dir_itself = i == 0 && existing == absolute;
        if !meta.is_dir() {
            return Err(refuse(format!("{} is not a directory", path.display())));
        }
        if meta.uid() != 0 {
            return Err(refuse(format!(
                "{} is owned by uid {}, not root",
                path.display(),
                meta.uid()
            )));
        }
        let sticky_ancestor = !is_dir_itself && mode & 0o1000 != 0;
        if mode & 0o022 != 0 && !sticky_ancestor {
            return Err(refuse(format!(
                "{} is writable by group or others (mode {mode:04o})",
                path.display()
            )));
        }
    }
    Ok(resolved.join(absolute.strip_prefix(existing).unwrap_or(Path::new(""))))
}

/// Reads the capability back from the installed file, and refuses a nosuid mount,
/// where exec ignores it.
fn verify(file: &std::fs::File, target: &Path) -> Result<()> {
    if !filecap::file_has_sys_admin(file) {
        return Err(Error::desktop(format!(
            "{} was written but does not carry cap_sys_admin+ep",
            target.display()
        )));
    }
    let nosuid = fstatvfs(file).is_ok_and(|s| s.flags().contains(FsFlags::ST_NOSUID));
    if nosuid {
        return Err(Error::desktop(format!(
            "{} is on a file system mounted nosuid, where the kernel ignores file \
             capabilities; install it elsewhere with --helper-dir",
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
