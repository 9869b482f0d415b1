//! File capabilities (the `security.capability` extended attribute, as `setcap` writes
//! it): granting the helper `cap_sys_admin+ep`, and telling whether a file has it.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::libc;

const XATTR: &[u8] = b"security.capability\0";
/// `VFS_CAP_REVISION_2`: 64-bit masks, no namespace root id.
const REVISION_2: u32 = 0x0200_0000;
/// `VFS_CAP_REVISION_3`: as revision 2, plus the root id of a user namespace.
const REVISION_3: u32 = 0x0300_0000;
const REVISION_MASK: u32 = 0xff00_0000;
/// `VFS_CAP_FLAGS_EFFECTIVE`: permitted capabilities are effective at exec.
const FLAG_EFFECTIVE: u32 = 1;
const CAP_SYS_ADMIN_BIT: u32 = 1 << 21;

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path holds a NUL byte"))
}

/// `cap_sys_admin+ep` and nothing else, as revision-2 `vfs_cap_data`.
pub fn sys_admin_value() -> [u8; 20] {
    let mut v = [0u8; 20];
    v[0..4].copy_from_slice(&(REVISION_2 | FLAG_EFFECTIVE).to_le_bytes());
    v[4..8].copy_from_slice(&CAP_SYS_ADMIN_BIT.to_le_bytes());
    v
}

/// Whether an attribute value grants CAP_SYS_ADMIN, permitted and effective.
pub fn grants_sys_admin(value: &[u8]) -> bool {
    let word = |at: usize| {
        value
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    };
    let (Some(magic), Some(permitted)) = (word(0), word(4)) else {
        return false;
    };
    let size_ok = match magic & REVISION_MASK {
        REVISION_2 => value.len() == 20,
        REVISION_3 => value.len() == 24,
        _ => false,
    };
    size_ok && magic & FLAG_EFFECTIVE != 0 && permitted & CAP_SYS_ADMIN_BIT != 0
}

/// The file's capability attribute, `None` when it has none.
pub fn read(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let path = c_path(path)?;
    let mut buf = [0u8; 64];
    // SAFETY: NUL-terminated strings and a buffer of the length passed.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            XATTR.as_ptr().cast(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    attribute(n, &buf)
}

/// As [`read`], for an open file.
fn read_fd(file: &File) -> io::Result<Option<Vec<u8>>> {
    let mut buf = [0u8; 64];
    // SAFETY: an open descriptor, a NUL-terminated name and a buffer of the length passed.
    let n = unsafe {
        libc::fgetxattr(
            file.as_raw_fd(),
            XATTR.as_ptr().cast(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    attribute(n, &buf)
}

/// The value a `getxattr` call returned `n` bytes of into `buf`.
fn attribute(n: isize, buf: &[u8]) -> io::Result<Option<Vec<u8>>> {
    let Ok(n) = usize::try_from(n) else {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::ENODATA) => Ok(None),
            _ => Err(e),
        };
    };
    Ok(buf.get(..n).map(<[u8]>::to_vec))
}

/// Whether the file at `path` gets CAP_SYS_ADMIN when executed.
pub fn has_sys_admin(path: &Path) -> bool {
    matches!(read(path), Ok(Some(v)) if grants_sys_admin(&v))
}

/// As [`has_sys_admin`], for an open file.
pub fn file_has_sys_admin(file: &File) -> bool {
    matches!(read_fd(file), Ok(Some(v)) if grants_sys_admin(&v))
}

/// Sets `cap_sys_admin+ep` on the open `file` (needs CAP_SETFCAP, i.e. root): on the
/// file itself, never on whatever a path names by then. Writing the file afterwards
/// would clear it again: the kernel drops capabilities on every write.
pub fn grant_sys_admin(file: &File) -> io::Result<()> {
    let value = sys_admin_value();
    // SAFETY: an open descriptor, a NUL-terminated name and a value of the length passed.
    let rc = unsafe {
        libc::fsetxattr(
            file.as_raw_fd(),
            XATTR.as_ptr().cast(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_what_setcap_writes_for_cap_sys_admin_ep() {
        // `setcap cap_sys_admin+ep f; getfattr -n security.capability -e hex f`
        let want = "0100000200002000000000000000000000000000";
        let got: String = sys_admin_value()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, want);
        assert!(grants_sys_admin(&sys_admin_value()));
    }

    #[test]
    fn other_values_do_not_count() {
        let mut v = sys_admin_value();
        v[0] = 0; // not effective
        assert!(!grants_sys_admin(&v));
        let mut v = sys_admin_value();
        v[6] = 0; // another capability
        assert!(!grants_sys_admin(&v));
        assert!(!grants_sys_admin(&sys_admin_value()[..16]));
        let mut v3 = sys_admin_value().to_vec();
        v3[3] = 0x03;
        v3.extend_from_slice(&[0; 4]);
        assert!(grants_sys_admin(&v3));
        assert!(!grants_sys_admin(&[]));
    }
}
