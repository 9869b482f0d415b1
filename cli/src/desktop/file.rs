//! Files xrdisplay installs outside its own directories. Each carries a marker line, is
//! written atomically (temporary file in the same directory, then rename), and is only
//! ever replaced or removed when the marker says xrdisplay wrote it. A replaced file's
//! mode is kept, and so is its content: as [`backup_path`] when xrdisplay did not
//! write it, as [`previous_path`] when it did (it may have been edited since).

use std::ffi::OsString;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use crate::exit::{Error, Result};

/// A file xrdisplay manages: where it goes, what it holds, and the line that marks it.
pub struct Managed<'a> {
    pub path: PathBuf,
    pub content: &'a str,
    pub marker: &'static str,
}

/// What `install` did (or, with `dry_run`, would do).
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    Unchanged,
    Created,
    /// Its own earlier version was replaced and is kept at `previous`.
    Updated {
        previous: PathBuf,
    },
    /// A file xrdisplay did not write was moved aside to `backup` (`--force`).
    Replaced {
        backup: PathBuf,
    },
}

/// What `uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    Absent,
    Removed,
    /// Removed, and the file `--force` had moved aside was put back.
    Restored {
        backup: PathBuf,
    },
}

/// Where `--force` keeps a file it replaces; the suffix keeps it out of `*.conf` and
/// `*.desktop` globs, so the replaced file is not loaded alongside the new one.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(".xrdisplay-backup");
    PathBuf::from(name)
}

/// Where an update keeps the version it replaces (xrdisplay's, perhaps edited since);
/// the suffix keeps it out of globs too. Each update replaces it.
pub fn previous_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(".xrdisplay-previous");
    PathBuf::from(name)
}

impl Managed<'_> {
    fn read_existing(&self) -> Result<Option<String>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            // Not UTF-8: certainly not ours.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Ok(Some(String::new())),
            Err(e) => Err(Error::desktop(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    fn is_ours(&self, text: &str) -> bool {
        text.lines().any(|line| line.trim() == self.marker)
    }

    /// Writes the file; refuses to replace one it did not write unless `force`, and then
    /// keeps the old one at [`backup_path`].
    pub fn install(&self, force: bool, dry_run: bool) -> Result<Installed> {
        debug_assert!(self.is_ours(self.content), "content lacks its marker");
        let outcome = match self.read_existing()? {
            None => Installed::Created,
            Some(text) if text == self.content => return Ok(Installed::Unchanged),
            Some(text) if self.is_ours(&text) => Installed::Updated {
                previous: previous_path(&self.path),
            },
            Some(_) => {
                let backup = backup_path(&self.path);
                if !force {
                    return Err(Error::usage(format!(
                        "{} exists and was not written by xrdisplay; nothing was changed \
                         (--force replaces it and keeps it as {})",
                        self.path.display(),
                        backup.display()
                    )));
                }
                if backup.symlink_metadata().is_ok() {
                    return Err(Error::usage(format!(
                        "{} exists and was not written by xrdisplay, and {} is taken by an \
                         earlier backup; move one of them away first; nothing was changed",
                        self.path.display(),
                        backup.display()
                    )));
                }
                Installed::Replaced { backup }
            }
        };
        if dry_run {
            return Ok(outcome);
        }
        // The mode the file has now (someone may have narrowed it), else readable by
        // the X server and the session, like the files around it.
        let mode = std::fs::metadata(&self.path).map_or(0o644, |m| m.permissions().mode() & 0o777);
        let kept = match &outcome {
            Installed::Replaced { backup } => Some(backup),
            Installed::Updated { previous } => {
                match std::fs::remove_file(previous) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::desktop(format!(
                            "cannot replace {}: {e}",
                            previous.display()
                        )))
                    }
                    _ => {}
                }
                Some(previous)
            }
            _ => None,
        };
        if let Some(kept) = kept {
            // A second name for the old file: the path is never missing, and the rename
            // below replaces only the name, so the copy keeps the old content.
            std::fs::hard_link(&self.path, kept).map_err(|e| {
                Error::desktop(format!("cannot keep a copy at {}: {e}", kept.display()))
            })?;
        }
        if let Err(e) = self.write_atomically(mode) {
            if let Some(kept) = kept {
                let _ = std::fs::remove_file(kept);
            }
            return Err(e);
        }
        Ok(outcome)
    }

    fn write_atomically(&self, mode: u32) -> Result<()> {
        let fail = |e: std::io::Error| {
            Error::desktop(format!("cannot write {}: {e}", self.path.display()))
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".xrdisplay-")
            .tempfile_in(dir)
            .map_err(fail)?;
        temp.write_all(self.content.as_bytes()).map_err(fail)?;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;
        temp.persist(&self.path).map_err(|e| fail(e.error))?;
        Ok(())
    }

    /// Removes the file if xrdisplay wrote it (with its [`previous_path`] copy), putting
    /// back what `--force` moved aside.
    pub fn uninstall(&self) -> Result<Uninstalled> {
        let Some(text) = self.read_existing()? else {
            return Ok(Uninstalled::Absent);
        };
        if !self.is_ours(&text) {
            return Err(Error::usage(format!(
                "{} was not written by xrdisplay; it was left in place",
                self.path.display()
            )));
        }
        let previous = previous_path(&self.path);
        if previous.symlink_metadata().is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&previous).map_err(|e| {
                Error::desktop(format!("cannot remove {}: {e}", previous.display()))
            })?;
        }
        let backup = backup_path(&self.path);
        if backup.is_file() {
            std::fs::rename(&backup, &self.path).map_err(|e| {
                Error::desktop(format!(
                    "cannot restore {} from {}: {e}",
                    self.path.display(),
                    backup.display()
                ))
            })?;
            return Ok(Uninstalled::Restored { backup });
        }
        std::fs::remove_file(&self.path)
            .map_err(|e| Error::desktop(format!("cannot remove {}: {e}", self.path.display())))?;
        Ok(Uninstalled::Removed)
    }
}
