//! The capture helper `xrdisplay-kms` against hostile input, on the host (no DRM
//! device here): the real binary on a socket pair gets malformed, garbage, wrongly
//! versioned and fd-carrying messages and answers each with a refusal, never an fd and
//! never a crash; and the message parser itself gets many deterministic pseudo-random
//! and mutated messages. It keeps CAP_SYS_ADMIN permitted but not effective between
//! requests, runs under its seccomp filter, and refuses every request when no session
//! is active (this host has no logind). (The kernel side is in `vm_kms_helper.rs`.)

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType,
};
use xrdisplay_kms::protocol::{RefusalCode, Reply, Request, MAX_CARD, REPLY_LEN, REQUEST_LEN};

const HELPER: &str = env!("CARGO_BIN_EXE_xrdisplay-kms");

/// Deterministic pseudo-random numbers (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// A hostile message: random bytes, or a valid request with a few bytes changed,
/// cut short or padded.
fn hostile(rng: &mut Rng) -> Vec<u8> {
    let valid = Request {
        card: rng.below(4) as u32,
        fb_id: 1 + rng.below(100) as u32,
    }
    .encode()
    .to_vec();
    match rng.below(4) {
        0 => {
            let len = rng.below(64);
            rng.bytes(len)
        }
        1 => {
            let mut m = valid;
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(m.len());
                m[at] = rng.next() as u8;
            }
            m
        }
        2 => valid[..rng.below(REQUEST_LEN)].to_vec(),
        _ => {
            let mut m = valid;
            let extra = 1 + rng.below(40);
            m.extend(rng.bytes(extra));
            m
        }
    }
}

/// The rules a parsed request must satisfy, restated independently of the parser.
fn acceptable(bytes: &[u8]) -> bool {
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    bytes.len() == REQUEST_LEN
        && &bytes[..4] == b"XRKM"
        && bytes[4..8] == [1, 0, 1, 0]
        && word(8) <= MAX_CARD
        && word(12) != 0
}

#[test]
fn the_parser_accepts_exactly_the_valid_requests_among_many_hostile_ones() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..200_000 {
        let message = hostile(&mut rng);
        let fds = if rng.below(8) == 0 {
            1 + rng.below(3)
        } else {
            0
        };
        match Request::parse(&message, fds) {
            Ok(request) => {
                assert!(fds == 0 && acceptable(&message), "{message:?} accepted");
                assert_eq!(request.encode().as_slice(), message.as_slice());
                accepted += 1;
            }
            Err(refusal) => {
                assert!(fds != 0 || !acceptable(&message), "{message:?}: {refusal}");
                assert!(!refusal.message.is_empty());
                refused += 1;
            }
        }
        // The client's parser of replies gets the same treatment.
        let len = if rng.below(2) == 0 {
            REPLY_LEN
        } else {
            rng.below(300)
        };
        let reply = rng.bytes(len);
        let _ = Reply::parse(&reply, rng.below(6));
    }
    println!("{accepted} accepted, {refused} refused");
    assert!(
        accepted > 1000 && refused > 100_000,
        "{accepted} / {refused}"
    );
}

/// The real helper on one end of a socket pair.
struct Running {
    sock: OwnedFd,
    child: Child,
}

/// A socket pair as xrdisplay makes it for the helper.
fn pair() -> (OwnedFd, OwnedFd) {
    socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .unwrap()
}

fn start() -> Running {
    let (ours, theirs) = pair();
    let child = Command::new(HELPER)
        .stdin(Stdio::from(theirs))
        .spawn()
        .unwrap();
    Running { sock: ours, child }
}

impl Running {
    /// Sends `message` (with copies of stdout's fd attached when `fds` > 0) and returns
    /// the reply and how many fds came with it.
    fn ask(&self, message: &[u8], fds: usize) -> (Reply, usize) {
        let attached: Vec<RawFd> = vec![std::io::stdout().as_fd().as_raw_fd(); fds];
        let rights = [ControlMessage::ScmRights(&attached)];
        let cmsgs: &[ControlMessage] = if fds == 0 { &[] } else { &rights };
        sendmsg::<()>(
            self.sock.as_raw_fd(),
            &[IoSlice::new(message)],
            cmsgs,
            MsgFlags::empty(),
            None,
        )
        .unwrap();
        let mut ready = [PollFd::new(self.sock.as_fd(), PollFlags::POLLIN)];
        assert_eq!(
            poll(&mut ready, PollTimeout::from(5000u16)).unwrap(),
            1,
            "no reply"
        );
        let mut buf = [0u8; REPLY_LEN + 64];
        let mut space = nix::cmsg_space!([RawFd; 8]);
        let mut iov = [IoSliceMut::new(&mut buf)];
        let msg = recvmsg::<()>(
            self.sock.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::empty(),
        )
        .unwrap();
        let mut received = 0;
        for cmsg in msg.cmsgs().unwrap() {
            if let ControlMessageOwned::ScmRights(raw) = cmsg {
                received += raw.len();
                for fd in raw {
                    // SAFETY: SCM_RIGHTS gave this process a new fd that nothing else owns.
                    drop(unsafe { OwnedFd::from_raw_fd(fd) });
                }
            }
        }
        let len = msg.bytes;
        let reply = Reply::parse(&buf[..len], received)
            .unwrap_or_else(|e| panic!("bad reply ({len} bytes, {received} fds): {e}"));
        (reply, received)
    }

    fn refusal(&self, message: &[u8], fds: usize) -> (RefusalCode, String) {
        match self.ask(message, fds) {
            (Reply::Refused(r), 0) => (r.code, r.message),
            other => panic!("{message:?} was not refused: {other:?}"),
        }
    }

    /// Closes our end and returns the helper's exit status.
    fn finish(mut self) -> Option<i32> {
        drop(self.sock);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("the helper did not exit when its socket closed");
    }
}

fn request(card: u32, fb_id: u32) -> [u8; REQUEST_LEN] {
    Request { card, fb_id }.encode()
}

#[test]
fn the_real_helper_refuses_hostile_messages_without_fds_and_survives_them() {
    let helper = start();
    let good = request(0, 42);
    let with = |at: usize, bytes: &[u8]| {
        let mut m = good.to_vec();
        m[at..at + bytes.len()].copy_from_slice(bytes);
        m
    };
    let cases: Vec<(&str, Vec<u8>, usize, RefusalCode)> = vec![
        ("empty", vec![], 0, RefusalCode::Malformed),
        ("one byte", vec![1], 0, RefusalCode::Malformed),
        ("15 bytes", good[..15].to_vec(), 0, RefusalCode::Malformed),
        (
            "17 bytes",
            [&good[..], &[0]].concat(),
            0,
            RefusalCode::Malformed,
        ),
        ("64 KiB", vec![0x41; 65536], 0, RefusalCode::Malformed),
        ("bad magic", with(0, b"KMRX"), 0, RefusalCode::Malformed),
        ("version 0", with(4, &[0, 0]), 0, RefusalCode::Version),
        (
            "version 65535",
            with(4, &[0xff, 0xff]),
            0,
            RefusalCode::Version,
        ),
        ("op 0", with(6, &[0, 0]), 0, RefusalCode::UnknownOp),
        ("op 2", with(6, &[2, 0]), 0, RefusalCode::UnknownOp),
        (
            "render node",
            with(8, &[128, 0, 0, 0]),
            0,
            RefusalCode::BadId,
        ),
        ("card -1", with(8, &[0xff; 4]), 0, RefusalCode::BadId),
        ("framebuffer 0", with(12, &[0; 4]), 0, RefusalCode::BadId),
        ("with one fd", good.to_vec(), 1, RefusalCode::Malformed),
        ("with 250 fds", good.to_vec(), 250, RefusalCode::Malformed),
    ];
    for (what, message, fds, want) in cases {
        let (code, text) = helper.refusal(&message, fds);
        assert_eq!(code, want, "{what}: {text}");
        println!("{what}: {text}");
    }
    // A well-formed request on this host, where no session is active (no logind): the
    // seat is checked first, and the refusal says what is missing.
    let (code, text) = helper.refusal(&good, 0);
    assert_eq!(code, RefusalCode::NotActiveSession, "{text}");
    if !Path::new("/run/systemd/seats/seat0").exists() {
        assert!(
            text.contains("no seat information (/run/systemd/seats/seat0:"),
            "{text}"
        );
    }

    let mut rng = Rng(0xdead_beef_0000_0005);
    for _ in 0..2000 {
        let message = hostile(&mut rng);
        let (code, text) = helper.refusal(&message, 0);
        if acceptable(&message) {
            assert_eq!(code, RefusalCode::NotActiveSession, "{text}");
        }
    }
    assert_eq!(helper.finish(), Some(0));
}

#[test]
fn the_helper_keeps_only_cap_sys_admin_and_sets_no_new_privs() {
    let helper = start();
    // Any answer means the helper is past its start-up.
    helper.refusal(&[], 0);
    let status = std::fs::read_to_string(format!("/proc/{}/status", helper.child.id())).unwrap();
    let field = |name: &str| {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing"));
        let value = line[name.len()..].trim();
        u64::from_str_radix(value, 16).unwrap_or_else(|_| value.parse().unwrap())
    };
    const SYS_ADMIN: u64 = 1 << 21;
    // As root (scripts/test) the helper starts with every capability; between requests
    // CAP_SYS_ADMIN is only permitted, raised just around GETFB2.
    assert_eq!(field("CapPrm:"), SYS_ADMIN, "{status}");
    assert_eq!(field("CapEff:"), 0, "{status}");
    assert_eq!(field("CapInh:"), 0);
    assert_eq!(field("CapAmb:"), 0);
    assert_eq!(field("NoNewPrivs:"), 1);
    // 2: SECCOMP_MODE_FILTER, with the helper's one filter.
    assert_eq!(field("Seccomp:"), 2, "{status}");
    assert_eq!(field("Seccomp_filters:"), 1, "{status}");
    assert_eq!(helper.finish(), Some(0));
}

#[test]
fn the_helper_exits_with_the_thread_that_started_it_and_refuses_a_non_socket_stdin() {
    // The socket stays open here; only the parent-death signal can end the helper.
    let (ours, theirs) = pair();
    let (ours, mut child) = std::thread::spawn(move || {
        let child = Command::new(HELPER)
            .stdin(Stdio::from(theirs))
            .spawn()
            .unwrap();
        // Ends only once the helper has answered, i.e. set its parent-death signal.
        let running = Running { sock: ours, child };
        running.refusal(&[], 0);
        (running.sock, running.child)
    })
    .join()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the helper outlived its parent");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );
    drop(ours);

    let out = Command::new(HELPER).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("started by xrdisplay"));
}
