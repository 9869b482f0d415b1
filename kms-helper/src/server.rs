//! The helper's side: shed every privilege but CAP_SYS_ADMIN, then answer export
//! requests on the socket its parent handed it as stdin, until the parent goes away.

use std::fs::OpenOptions;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};

use nix::libc;
use nix::sys::socket::{
    getsockopt, recvmsg, sendmsg, sockopt, ControlMessage, ControlMessageOwned, MsgFlags, SockType,
};

use crate::drm::{export_planes, Card, FbInfo, DRM_MAJOR};
use crate::protocol::{
    Exported, Refusal, RefusalCode, Reply, Request, MAX_FDS, MAX_PLANES, REQUEST_LEN,
};
use crate::{Error, ErrorKind};

const CAP_SYS_ADMIN: u32 = 21;
const CAP_VERSION_3: u32 = 0x2008_0522;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

fn capget() -> io::Result<[CapData; 2]> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: a version-3 header and the two data words it reads and writes.
    if unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(data)
}

/// Whether this process has CAP_SYS_ADMIN in effect (and needs no helper).
pub fn holds_sys_admin() -> bool {
    capget().is_ok_and(|data| data[0].effective & (1 << CAP_SYS_ADMIN) != 0)
}

/// Drops every capability except CAP_SYS_ADMIN, which stays permitted but not
/// effective (see `with_sys_admin`), clears the ambient set, forbids gaining
/// privileges again (no_new_privs) and being ptraced or dumped by the caller's uid.
/// Returns whether CAP_SYS_ADMIN is permitted.
pub fn drop_privileges() -> io::Result<bool> {
    let data = capget()?;
    let admin = data[0].permitted & (1 << CAP_SYS_ADMIN) != 0;
    capset(0, if admin { 1 << CAP_SYS_ADMIN } else { 0 })?;
    // SAFETY: plain prctl with integer arguments. EINVAL: a kernel without ambient
    // capabilities (before 4.3), which has none to clear.
    let rc = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        )
    };
    if rc != 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
        return Err(io::Error::last_os_error());
    }
    nix::sys::prctl::set_no_new_privs()?;
    nix::sys::prctl::set_dumpable(false)?;
    Ok(admin)
}

/// Sets the effective and permitted sets (capabilities 0-31; the upper word and the
/// inheritable set are cleared).
fn capset(effective: u32, permitted: u32) -> io::Result<()> {
    let mut header = CapHeader {
        version: CAP_VERSION_3,
        pid: 0,
    };
    let data = [
        CapData {
            effective,
            permitted,
            inheritable: 0,
        },
        CapData::default(),
    ];
    // SAFETY: a version-3 header and the two data words; the kernel only reads `data`.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Runs `f` with CAP_SYS_ADMIN effective, and nothing else: GETFB2 checks it on each
/// call. Lowering it again cannot fail in practice; if it does, the helper exits
/// rather than keep it.
fn with_sys_admin<T>(f: impl FnOnce() -> T) -> Result<T, Refusal> {
    const ADMIN: u32 = 1 << CAP_SYS_ADMIN;
    capset(ADMIN, ADMIN).map_err(|e| {
        Refusal::new(
            RefusalCode::NoPrivilege,
            format!("cannot raise CAP_SYS_ADMIN: {e}"),
        )
    })?;
    let out = f();
    if let Err(e) = capset(0, ADMIN) {
        eprintln!("xrdisplay-kms: cannot lower CAP_SYS_ADMIN again: {e}");
        std::process::exit(1);
    }
    Ok(out)
}

/// The helper's main: returns the process exit status (0 when the parent closed the
/// socket, 1 on a socket, privilege or seccomp error, 2 when not started by xrdisplay).
pub fn main() -> i32 {
    // The kernel clears the parent-death signal when it executes a binary with file
    // capabilities, so it is set here; a parent already gone shows as EOF below.
    if nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).is_err() {
        return 1;
    }
    // Descriptors beyond stdio that whoever ran us left open are not ours to use.
    // SAFETY: closes only descriptors this process does not use.
    unsafe { libc::close_range(3, libc::c_uint::MAX, 0) };
    let admin = match drop_privileges() {
        Ok(admin) => admin,
        Err(e) => {
            eprintln!("xrdisplay-kms: cannot drop privileges: {e}");
            return 1;
        }
    };
    let stdin = io::stdin();
    let sock = stdin.as_fd();
    if getsockopt(&sock, sockopt::SockType) != Ok(SockType::SeqPacket) {
        eprintln!(
            "xrdisplay-kms: stdin is not a SOCK_SEQPACKET socket; this helper is started by \
             xrdisplay, which captures through it when it lacks CAP_SYS_ADMIN"
        );
        return 2;
    }
    if let Err(e) = crate::sandbox::install() {
        eprintln!("xrdisplay-kms: cannot install its seccomp filter: {e}");
        return 1;
    }
    let uid = nix::unistd::getuid().as_raw();
    loop {
        let reply = match receive(sock) {
            Ok(Received::Eof) => return 0,
            Ok(Received::Message { bytes, fds }) => answer(admin, uid, bytes, fds),
            Err(_) => return 1,
        };
        let (reply, fds) = match reply {
            Ok((exported, fds)) => (Reply::Exported(exported), fds),
            Err(refusal) => (Reply::Refused(refusal), Vec::new()),
        };
        if send(sock, &reply, &fds).is_err() {
            return 1;
        }
    }
}

/// What [`receive`] read.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// The peer closed its end, or shut down its sending side.
    Eof,
    /// The message's bytes, or how many were read of a longer one, and how many fds
    /// it carried.
    Message {
        bytes: Result<Vec<u8>, usize>,
        fds: usize,
    },
}

/// Receives one message; attached descriptors are counted and closed, other control
/// messages ignored. Public for the fuzz target (`kms-helper/fuzz`).
pub fn receive(sock: BorrowedFd<'_>) -> io::Result<Received> {
    // Room for one byte more than a request, so a longer message shows as truncated.
    let mut buf = [0u8; REQUEST_LEN + 1];
    let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
    let (bytes, fds, flags) = {
        let mut iov = [IoSliceMut::new(&mut buf)];
        let msg = recvmsg::<()>(
            sock.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )?;
        let mut fds = 0;
        match msg.cmsgs() {
            Ok(cmsgs) => {
                for cmsg in cmsgs {
                    if let ControlMessageOwned::ScmRights(raw) = cmsg {
                        for fd in raw {
                            // SAFETY: the kernel just installed this descriptor for us.
                            drop(unsafe { OwnedFd::from_raw_fd(fd) });
                            fds += 1;
                        }
                    }
                }
            }
            // Cut control data: refused like attached fds.
            Err(_) => fds += 1,
        }
        (msg.bytes, fds, msg.flags)
    };
    if bytes == 0 && fds == 0 && peer_gone(sock) {
        return Ok(Received::Eof);
    }
    let message = if flags.contains(MsgFlags::MSG_TRUNC) {
        Err(bytes)
    } else {
        Ok(buf[..bytes].to_vec())
    };
    Ok(Received::Message {
        bytes: message,
        fds,
    })
}

/// Whether the peer closed its end or stopped sending: a read of 0 bytes is also an
/// empty message.
fn peer_gone(sock: BorrowedFd<'_>) -> bool {
    // A closed peer sets both shutdown bits of our end (POLLHUP); its shutdown of
    // writing sets our receive one (POLLRDHUP), after which every read returns 0 at
    // once and would never block again.
    // (nix's PollFlags has no POLLRDHUP.)
    let mut pfd = libc::pollfd {
        fd: sock.as_raw_fd(),
        events: libc::POLLIN | libc::POLLRDHUP,
        revents: 0,
    };
    // SAFETY: one pollfd, valid for the call; a zero timeout.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    n < 0 || pfd.revents & (libc::POLLHUP | libc::POLLRDHUP) != 0
}

fn send(sock: BorrowedFd<'_>, reply: &Reply, fds: &[OwnedFd]) -> io::Result<()> {
    let bytes = reply.encode();
    let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
    let rights = [ControlMessage::ScmRights(&raw)];
    let cmsgs: &[ControlMessage] = if raw.is_empty() { &[] } else { &rights };
    sendmsg::<()>(
        sock.as_raw_fd(),
        &[IoSlice::new(&bytes)],
        cmsgs,
        MsgFlags::MSG_NOSIGNAL,
        None,
    )?;
    Ok(())
}

/// One request from the user `uid` (the helper's real uid: whoever started it).
/// The card is opened afresh for each, so access the user lost (a session switch
/// revokes the device ACL) is not kept through an open fd.
fn answer(
    admin: bool,
    uid: u32,
    bytes: Result<Vec<u8>, usize>,
    fds: usize,
) -> Result<(Exported, Vec<OwnedFd>), Refusal> {
    let bytes = bytes.map_err(|n| {
        Refusal::new(
            RefusalCode::Malformed,
            format!("a request is {REQUEST_LEN} bytes, this one more than {n}"),
        )
    })?;
    let request = Request::parse(&bytes, fds)?;
    crate::seat::check(uid, request.card)?;
    let card = open(request.card)?;
    if !admin {
        return Err(Refusal::new(
            RefusalCode::NoPrivilege,
            "xrdisplay-kms lacks CAP_SYS_ADMIN: install it with \
             `sudo xrdisplay install capture-helper`",
        ));
    }
    export(&card, request.fb_id)
}

/// `/dev/dri/card{minor}`, opened with the caller's own access and checked to be that
/// DRM device (a path the helper builds itself: the caller names a number, never a
/// file).
fn open(minor: u32) -> Result<Card, Refusal> {
    let path = format!("/dev/dri/card{minor}");
    let no_device = |why: String| Refusal::new(RefusalCode::NoDevice, why);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC | libc::O_NOFOLLOW | libc::O_NOCTTY)
        .open(&path)
        .map_err(|e| no_device(format!("no DRM device {path}: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| no_device(format!("{path}: {e}")))?;
    let rdev = meta.rdev();
    if !meta.file_type().is_char_device()
        || libc::major(rdev) != DRM_MAJOR
        || libc::minor(rdev) != minor
    {
        return Err(no_device(format!("{path} is not DRM card {minor}")));
    }
    Ok(Card::from_file(file, path.into()))
}

/// Exports `fb_id` if a CRTC or plane of `card` shows it, before and after the export
/// (ids are reused: a framebuffer replaced in between must not slip through).
fn export(card: &Card, fb_id: u32) -> Result<(Exported, Vec<OwnedFd>), Refusal> {
    let shown = || -> Result<(), Refusal> {
        match card.shows(fb_id) {
            Ok(true) => Ok(()),
            Ok(false) => Err(Refusal::new(
                RefusalCode::NotScannedOut,
                format!(
                    "framebuffer {fb_id} is not scanned out by any CRTC or plane of {}; \
                     xrdisplay-kms exports only what a screen shows",
                    card.path().display()
                ),
            )),
            Err(e) => Err(refusal(e)),
        }
    };
    shown()?;
    let info = with_sys_admin(|| FbInfo::query(card.as_fd(), fb_id))?.map_err(refusal)?;
    let planes = export_planes(card, &info).map_err(refusal)?;
    let key = info.key;
    drop(info);
    shown()?;
    let mut exported = Exported {
        fb_id,
        width: key.width,
        height: key.height,
        fourcc: key.fourcc,
        modifier: key.modifier,
        planes: planes.len() as u32,
        pitches: [0; MAX_PLANES],
        offsets: [0; MAX_PLANES],
    };
    let mut fds = Vec::new();
    for (i, plane) in planes.into_iter().enumerate().take(MAX_PLANES) {
        exported.pitches[i] = plane.pitch;
        exported.offsets[i] = plane.offset;
        fds.push(plane.fd);
    }
    Ok((exported, fds))
}

fn refusal(e: Error) -> Refusal {
    let code = match e.kind() {
        ErrorKind::Vanished => RefusalCode::NoFramebuffer,
        ErrorKind::Permission => RefusalCode::NoPrivilege,
        ErrorKind::Io | ErrorKind::Unsupported => RefusalCode::Failed,
    };
    Refusal::new(code, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::socket::{
        setsockopt, shutdown, socketpair, AddressFamily, Shutdown, SockFlag, UnixCredentials,
    };

    fn pair() -> (OwnedFd, OwnedFd) {
        socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .unwrap()
    }

    fn send_raw(sock: &OwnedFd, bytes: &[u8], cmsgs: &[ControlMessage]) {
        sendmsg::<()>(
            sock.as_raw_fd(),
            &[IoSlice::new(bytes)],
            cmsgs,
            MsgFlags::empty(),
            None,
        )
        .unwrap();
    }

    /// A pipe whose write end travels in the messages: once every copy of it is
    /// closed, the read end (non-blocking) reads end-of-file instead of EAGAIN.
    fn pipe() -> (std::fs::File, OwnedFd) {
        let flags = nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK;
        let (r, w) = nix::unistd::pipe2(flags).unwrap();
        (std::fs::File::from(r), w)
    }

    fn all_closed(read_end: &mut std::fs::File) -> bool {
        matches!(std::io::Read::read(read_end, &mut [0u8; 1]), Ok(0))
    }

    #[test]
    fn truncated_and_fd_carrying_messages_are_told_apart_and_their_fds_closed() {
        let (ours, theirs) = pair();
        let good = [7u8; REQUEST_LEN];
        let (mut read_end, write_end) = pipe();
        let carried = [write_end.as_raw_fd()];
        let many = [carried[0]; MAX_FDS];

        send_raw(&theirs, &good, &[]);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(good.to_vec()),
                fds: 0
            }
        );

        // Longer than a request: cut, and reported as such.
        send_raw(&theirs, &[1; 4096], &[]);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Err(REQUEST_LEN + 1),
                fds: 0
            }
        );

        // Empty messages, with and without fds, while the peer is there: not the end.
        send_raw(&theirs, &[], &[]);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(Vec::new()),
                fds: 0
            }
        );
        send_raw(&theirs, &[], &[ControlMessage::ScmRights(&carried)]);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(Vec::new()),
                fds: 1
            }
        );

        // The most fds a message can carry, on a cut message: all counted and closed.
        send_raw(&theirs, &[2; 100], &[ControlMessage::ScmRights(&many)]);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Err(REQUEST_LEN + 1),
                fds: MAX_FDS
            }
        );
        // Two SCM_RIGHTS messages in one: counted together.
        let two = [
            ControlMessage::ScmRights(&carried),
            ControlMessage::ScmRights(&many[..3]),
        ];
        send_raw(&theirs, &good, &two);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(good.to_vec()),
                fds: 4
            }
        );
        drop(write_end);
        assert!(
            all_closed(&mut read_end),
            "received descriptors were left open"
        );
    }

    #[test]
    fn stray_credentials_are_ignored() {
        let (ours, theirs) = pair();
        let good = [9u8; REQUEST_LEN];
        let creds = UnixCredentials::new();
        // Dropped by the kernel unless the receiver asked for them; delivered and
        // ignored when it did.
        send_raw(&theirs, &good, &[ControlMessage::ScmCredentials(&creds)]);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(good.to_vec()),
                fds: 0
            }
        );
        setsockopt(&ours, sockopt::PassCred, &true).unwrap();
        let (mut read_end, write_end) = pipe();
        let carried = [write_end.as_raw_fd()];
        let both = [
            ControlMessage::ScmCredentials(&creds),
            ControlMessage::ScmRights(&carried),
        ];
        send_raw(&theirs, &good, &both);
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(good.to_vec()),
                fds: 1
            }
        );
        drop(write_end);
        assert!(all_closed(&mut read_end));
    }

    #[test]
    fn a_closed_peer_or_one_that_stopped_sending_is_the_end() {
        let (ours, theirs) = pair();
        shutdown(theirs.as_raw_fd(), Shutdown::Write).unwrap();
        assert_eq!(receive(ours.as_fd()).unwrap(), Received::Eof);
        let (ours, theirs) = pair();
        send_raw(&theirs, &[3; 5], &[]);
        drop(theirs);
        // What was sent before the close is still read first.
        let got = receive(ours.as_fd()).unwrap();
        assert_eq!(
            got,
            Received::Message {
                bytes: Ok(vec![3; 5]),
                fds: 0
            }
        );
        assert_eq!(receive(ours.as_fd()).unwrap(), Received::Eof);
    }
}
