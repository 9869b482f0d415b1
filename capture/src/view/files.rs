//! Opening the XR driver's files in `/dev/shm`, a directory every user can write
//! to, without trusting whoever put a file there: the last path component is never
//! followed as a symbolic link, nothing blocks (a FIFO or a device cannot stall the
//! caller), and the file must be a regular file owned by the caller or by root.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::unistd::geteuid;

/// Why a file was not opened.
#[derive(Debug, Clone, PartialEq)]
pub enum FileError {
    Missing,
    /// The file is there but is not one xrdisplay trusts: why, as "is …".
    Refused(String),
    /// Any other error, in words.
    Io(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Missing => f.write_str("does not exist"),
            FileError::Refused(why) => write!(f, "{why}, so it is not used"),
            FileError::Io(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for FileError {}

impl From<std::io::Error> for FileError {
    fn from(e: std::io::Error) -> FileError {
        let errno = e.raw_os_error().map(Errno::from_raw);
        match (e.kind(), errno) {
            (ErrorKind::NotFound, _) => FileError::Missing,
            (_, Some(Errno::ELOOP)) => {
                FileError::Refused("is a symbolic link (not followed)".into())
            }
            // Opening a FIFO without a reader, or a socket, for writing.
            (_, Some(Errno::ENXIO)) => {
                FileError::Refused("is not a regular file (a FIFO or a socket)".into())
            }
            _ => FileError::Io(e.to_string()),
        }
    }
}

/// Flags every open takes: `O_CLOEXEC` comes with std.
fn flags() -> i32 {
    (OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits()
}

/// At most `limit` bytes of the trusted file at `path`.
pub fn read(path: &Path, limit: usize) -> Result<Vec<u8>, FileError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags())
        .open(path)?;
    check(&file, false)?;
    let mut bytes = Vec::with_capacity(limit.min(4096));
    file.take(limit as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The trusted file at `path` opened for writing, created (mode 0644 less the umask)
/// only where no file exists: an existing one is never replaced or truncated before
/// it has been checked.
pub fn open_for_writing(path: &Path) -> Result<File, FileError> {
    let open = |create: bool| {
        OpenOptions::new()
            .write(true)
            .create_new(create)
            .mode(0o644)
            .custom_flags(flags())
            .open(path)
    };
    let file = match open(false) {
        Err(e) if e.kind() == ErrorKind::NotFound => match open(true) {
            // Created by someone else in between: check theirs.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => open(false),
            other => other,
        },
        other => other,
    }?;
    check(&file, true)?;
    Ok(file)
}

/// A regular file owned by the caller or root; for writing, also with no second
/// name (a hard link would let a write land in another file).
fn check(file: &File, writing: bool) -> Result<(), FileError> {
    let meta = file.metadata()?;
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_dir() {
            "a directory"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "a device"
        };
        return Err(FileError::Refused(format!(
            "is not a regular file ({what})"
        )));
    }
    let me = geteuid().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        return Err(FileError::Refused(format!(
            "is owned by uid {}, not by you (uid {me}) or root",
            meta.uid()
        )));
    }
    if writing && meta.nlink() != 1 {
        return Err(FileError::Refused(format!(
            "has {} hard links",
            meta.nlink()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::Scratch;
    use std::os::unix::fs::{chown, symlink};

    #[test]
    fn only_regular_files_of_the_caller_or_root_are_opened() {
        let dir = Scratch::new("files");
        let file = dir.join("file");
        std::fs::write(&file, "key=value\n").unwrap();
        assert_eq!(read(&file, 100).unwrap(), b"key=value\n");
        assert_eq!(read(&file, 3).unwrap(), b"key");
        assert_eq!(read(&dir.join("absent"), 3), Err(FileError::Missing));

        let link = dir.join("link");
        symlink(&file, &link).unwrap();
        let refused = |r: Result<(), FileError>, what: &str| match r {
            Err(FileError::Refused(why)) => assert!(why.contains(what), "{why}"),
            other => panic!("{what}: {other:?}"),
        };
        refused(read(&link, 3).map(drop), "symbolic link");
        refused(open_for_writing(&link).map(drop), "symbolic link");

        let fifo = dir.join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        refused(read(&fifo, 3).map(drop), "a FIFO");
        refused(open_for_writing(&fifo).map(drop), "FIFO");
        refused(read(&dir.join(""), 3).map(drop), "a directory");

        let hard = dir.join("hard");
        std::fs::hard_link(&file, &hard).unwrap();
        assert!(read(&hard, 3).is_ok());
        refused(open_for_writing(&hard).map(drop), "2 hard links");
        std::fs::remove_file(&hard).unwrap();

        // Another user's file (needs root to make one).
        if geteuid().is_root() {
            chown(&file, Some(65534), None).unwrap();
            refused(read(&file, 3).map(drop), "owned by uid 65534");
            refused(open_for_writing(&file).map(drop), "owned by uid 65534");
        }
    }

    #[test]
    fn writing_creates_a_missing_file_and_keeps_an_existing_one_until_checked() {
        let dir = Scratch::new("files-write");
        let path = dir.join("control");
        drop(open_for_writing(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        std::fs::write(&path, "old\n").unwrap();
        drop(open_for_writing(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"old\n");
    }
}
