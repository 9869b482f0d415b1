//! One process at a time: an exclusive `flock` on a file that holds the holder's pid,
//! so a second process can say who runs already. The kernel drops the lock when its
//! holder dies, so a crash leaves nothing stale.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg, OFlag};

use crate::exit::Error;

/// A held lock; released when dropped.
pub struct PidLock {
    _file: Flock<File>,
}

/// What stopped [`PidLock::acquire`].
pub enum Refused {
    /// Another process holds it; its pid, when it wrote one.
    Held(Option<String>),
    Failed(Error),
}

impl PidLock {
    /// Takes the lock at `path` (its directory made 0700 if missing) and writes this
    /// process's pid into it.
    pub fn acquire(path: &Path) -> std::result::Result<PidLock, Refused> {
        if let Some(dir) = path.parent() {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| {
                    Refused::Failed(Error::runtime(format!(
                        "cannot create {}: {e}",
                        dir.display()
                    )))
                })?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .mode(0o600)
            .custom_flags(OFlag::O_NOFOLLOW.bits())
            .open(path)
            .map_err(|e| {
                Refused::Failed(Error::runtime(format!(
                    "cannot open {}: {e}",
                    path.display()
                )))
            })?;
        let mut lock = match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => lock,
            Err((mut file, Errno::EWOULDBLOCK)) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim().to_string();
                return Err(Refused::Held((!pid.is_empty()).then_some(pid)));
            }
            Err((_, e)) => {
                return Err(Refused::Failed(Error::runtime(format!(
                    "cannot lock {}: {e}",
                    path.display()
                ))))
            }
        };
        let _ = lock
            .set_len(0)
            .and_then(|()| write!(lock, "{}", std::process::id()));
        Ok(PidLock { _file: lock })
    }
}
