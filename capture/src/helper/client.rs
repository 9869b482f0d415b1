//! xrdisplay's side: finding the installed helper, starting it on a socket pair, and
//! asking it for a framebuffer's DMA-BUF fds.

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{
    recvmsg, sendmsg, shutdown, socketpair, AddressFamily, ControlMessageOwned, MsgFlags, Shutdown,
    SockFlag, SockType,
};

use xrdisplay_kms::filecap;
use xrdisplay_kms::protocol::{Exported, RefusalCode, Reply, Request, MAX_FDS, REPLY_LEN};

use crate::{Error, Result};

/// The helper's file name.
pub const NAME: &str = "xrdisplay-kms";
/// Where `xrdisplay install capture-helper` puts it.
pub const INSTALL_DIR: &str = "/usr/local/libexec/xrdisplay";
/// Where the Debian package (scripts/package) puts it; after [`INSTALL_DIR`], so that
/// a helper the administrator installed by hand wins over the packaged one.
pub const PACKAGE_DIR: &str = "/usr/libexec/xrdisplay";
/// Names a helper to use instead of looking for one.
pub const ENV: &str = "XRDISPLAY_KMS";
/// How long a request may take (an export is a few ioctls).
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// The helper to use: `$XRDISPLAY_KMS` as given, else the first of `xrdisplay-kms`
/// next to this executable, in [`INSTALL_DIR`] and in [`PACKAGE_DIR`] that carries
/// `cap_sys_admin+ep` (a build's copy without it could not help).
pub fn find() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(NAME)));
    beside
        .into_iter()
        .chain([INSTALL_DIR, PACKAGE_DIR].map(|dir| Path::new(dir).join(NAME)))
        .find(|path| filecap::has_sys_admin(path))
}

/// A running helper. Dropping it closes the socket, on which the helper exits.
pub struct Helper {
    sock: OwnedFd,
    child: Child,
    path: PathBuf,
}

impl Helper {
    /// Starts the helper at `path` with one end of a socket pair as its stdin. Start it
    /// from a thread that lives as long as the capture: the helper's parent-death
    /// signal fires when the thread that started it ends.
    pub fn spawn(path: &Path) -> Result<Helper> {
        let fail = |e: String| Error::io(format!("cannot start {}: {e}", path.display()));
        let (ours, theirs) = socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .map_err(|e| fail(e.to_string()))?;
        let child = Command::new(path)
            .env_clear()
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| fail(e.to_string()))?;
        Ok(Helper {
            sock: ours,
            child,
            path: path.to_path_buf(),
        })
    }

    /// Asks for framebuffer `fb_id` of `/dev/dri/card{card}`; returns its description
    /// and one DMA-BUF fd per plane, or the helper's refusal as an error.
    pub fn export(&mut self, card: u32, fb_id: u32) -> Result<(Exported, Vec<OwnedFd>)> {
        let request = Request { card, fb_id }.encode();
        sendmsg::<()>(
            self.sock.as_raw_fd(),
            &[IoSlice::new(&request)],
            &[],
            MsgFlags::MSG_NOSIGNAL,
            None,
        )
        .map_err(|e| self.failed(&format!("sending a request: {e}")))?;
        let (bytes, fds) = self.receive()?;
        match Reply::parse(&bytes, fds.len()) {
            Ok(Reply::Exported(e)) if e.fb_id == fb_id => Ok((e, fds)),
            Ok(Reply::Exported(e)) => {
                Err(self.failed(&format!("asked for framebuffer {fb_id}, got {}", e.fb_id)))
            }
            Ok(Reply::Refused(r)) => {
                let message = format!("{} refused: {}", self.path.display(), r.message);
                Err(match r.code {
                    RefusalCode::NoFramebuffer => Error::vanished(message),
                    RefusalCode::NoPrivilege
                    | RefusalCode::NotScannedOut
                    | RefusalCode::NotActiveSession => Error::permission(message),
                    RefusalCode::NoDevice => Error::unsupported(message),
                    _ => Error::io(message),
                })
            }
            Err(why) => Err(self.failed(&format!("a bad reply: {why}"))),
        }
    }

    /// One reply and the fds that came with it, waiting at most [`REPLY_TIMEOUT`].
    fn receive(&mut self) -> Result<(Vec<u8>, Vec<OwnedFd>)> {
        let mut fds = [PollFd::new(
            std::os::fd::AsFd::as_fd(&self.sock),
            PollFlags::POLLIN,
        )];
        let millis = u16::try_from(REPLY_TIMEOUT.as_millis()).unwrap_or(u16::MAX);
        match poll(&mut fds, PollTimeout::from(millis)) {
            Ok(0) => return Err(self.failed("no reply within 5 s")),
            Ok(_) => {}
            Err(e) => return Err(self.failed(&format!("waiting for a reply: {e}"))),
        }
        let mut buf = [0u8; REPLY_LEN + 1];
        let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
        let mut iov = [IoSliceMut::new(&mut buf)];
        let msg = recvmsg::<()>(
            self.sock.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .map_err(|e| Error::io(format!("reading from {}: {e}", self.path.display())).because(e))?;
        let mut owned = Vec::new();
        for cmsg in msg.cmsgs().into_iter().flatten() {
            if let ControlMessageOwned::ScmRights(raw) = cmsg {
                // SAFETY: the kernel just installed these descriptors for us.
                owned.extend(
                    raw.into_iter()
                        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
                );
            }
        }
        let (len, flags) = (msg.bytes, msg.flags);
        if len == 0 && owned.is_empty() {
            return Err(self.failed("it exited"));
        }
        if flags.intersects(MsgFlags::MSG_TRUNC | MsgFlags::MSG_CTRUNC) {
            return Err(self.failed("a reply longer than the protocol allows"));
        }
        Ok((buf[..len].to_vec(), owned))
    }

    fn failed(&mut self, what: &str) -> Error {
        let status = match self.child.try_wait() {
            Ok(Some(status)) => format!(" ({status})"),
            _ => String::new(),
        };
        Error::io(format!(
            "capture helper {}: {what}{status}",
            self.path.display()
        ))
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // The helper exits when it reads end-of-file; kill it if it does not.
        let _ = shutdown(self.sock.as_raw_fd(), Shutdown::Both);
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
