//! The helper's request parser and the client's reply parser on arbitrary bytes: no
//! panic, and whatever parses encodes back to the same meaning.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xrdisplay_capture::helper::protocol::{Reply, Request};

fuzz_target!(|data: &[u8]| {
    // The first byte says how many file descriptors came with the message.
    let Some((&fds, message)) = data.split_first() else {
        return;
    };
    let fds = usize::from(fds % 6);
    if let Ok(request) = Request::parse(message, fds) {
        assert_eq!(fds, 0, "a request with descriptors was accepted");
        assert_eq!(request.encode().as_slice(), message);
    }
    if let Ok(reply @ Reply::Exported(_)) = Reply::parse(message, fds) {
        assert_eq!(Reply::parse(&reply.encode(), fds), Ok(reply));
    }
});
