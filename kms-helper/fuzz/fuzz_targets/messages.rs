//! The helper's request parser and the client's reply parser on arbitrary bytes (no
//! panic, and whatever parses encodes back to the same meaning), and the helper's
//! `receive()` on a real socket pair: messages of any length (cut ones included) with
//! attached descriptors, stray credentials, and a peer that shuts down or closes.
#![no_main]

use std::fs::File;
use std::io::{IoSlice, Read};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use libfuzzer_sys::fuzz_target;
use nix::fcntl::OFlag;
use nix::sys::socket::{
    sendmsg, setsockopt, shutdown, socketpair, sockopt, AddressFamily, ControlMessage, MsgFlags,
    Shutdown, SockFlag, SockType, UnixCredentials,
};
use xrdisplay_kms::protocol::{Reply, Request, REQUEST_LEN};
use xrdisplay_kms::server::{receive, Received};

fuzz_target!(|data: &[u8]| {
    // The first byte says how many file descriptors came with the message, and what
    // else happens on the socket.
    let Some((&control, message)) = data.split_first() else {
        return;
    };
    parsers(usize::from(control % 6), message);
    through_a_socket(control, message);
});

fn parsers(fds: usize, message: &[u8]) {
    if let Ok(request) = Request::parse(message, fds) {
        assert_eq!(fds, 0, "a request with descriptors was accepted");
        assert_eq!(request.encode().as_slice(), message);
    }
    if let Ok(reply @ Reply::Exported(_)) = Reply::parse(message, fds) {
        assert_eq!(Reply::parse(&reply.encode(), fds), Ok(reply));
    }
}

/// Bits of `control`: 0-2 how many copies of a pipe's write end are attached, 3 stray
/// credentials, 4 the receiver asked for credentials, 5 the peer shuts down writing
/// after sending, 6 the peer closes after sending.
fn through_a_socket(control: u8, message: &[u8]) {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair");
    if control & 0x10 != 0 {
        setsockopt(&ours, sockopt::PassCred, &true).expect("SO_PASSCRED");
    }
    let (read_end, write_end) =
        nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK).expect("pipe");
    let carried = vec![write_end.as_raw_fd(); usize::from(control & 7)];
    let creds = UnixCredentials::new();
    let mut cmsgs = Vec::new();
    if !carried.is_empty() {
        cmsgs.push(ControlMessage::ScmRights(&carried));
    }
    if control & 0x08 != 0 {
        cmsgs.push(ControlMessage::ScmCredentials(&creds));
    }
    let sent = sendmsg::<()>(
        theirs.as_raw_fd(),
        &[IoSlice::new(message)],
        &cmsgs,
        MsgFlags::MSG_DONTWAIT,
        None,
    );
    if sent.is_err() {
        // Larger than the socket takes: nothing reaches the helper.
        return;
    }
    drop(write_end);
    let closes = control & 0x40 != 0;
    let stops = control & 0x20 != 0;
    if stops {
        shutdown(theirs.as_raw_fd(), Shutdown::Write).expect("shutdown");
    }
    let theirs: Option<OwnedFd> = (!closes).then_some(theirs);

    let got = receive(ours.as_fd()).expect("receive");
    let empty = message.is_empty() && carried.is_empty();
    if empty && (closes || stops) {
        assert_eq!(got, Received::Eof);
    } else {
        // The helper reads one byte more than a request: enough to tell a longer one.
        let bytes = if message.len() > REQUEST_LEN + 1 {
            Err(REQUEST_LEN + 1)
        } else {
            Ok(message.to_vec())
        };
        let want = Received::Message {
            bytes,
            fds: carried.len(),
        };
        assert_eq!(got, want);
        if let Received::Message { bytes: Ok(b), fds } = &got {
            parsers(*fds, b);
        }
    }
    // Every descriptor that came along was closed: the pipe reads end-of-file.
    let mut read_end = File::from(read_end);
    assert!(
        matches!(read_end.read(&mut [0u8; 1]), Ok(0)),
        "a descriptor leaked"
    );
    if closes || stops {
        assert_eq!(receive(ours.as_fd()).expect("receive"), Received::Eof);
    }
    drop(theirs);
}
