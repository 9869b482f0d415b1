//! `xrdisplay-kms`: the capture helper that holds CAP_SYS_ADMIN (file capabilities,
//! `sudo xrdisplay install capture-helper`) so that xrdisplay does not need it. It is
//! started by xrdisplay with a socket as stdin; see the `xrdisplay_kms` library.
//!
//! Exit status: 0 when xrdisplay closed the socket, 1 on a socket or privilege error
//! (or when its seccomp filter cannot be installed), 2 when stdin is not the socket
//! xrdisplay passes.

fn main() {
    std::process::exit(xrdisplay_kms::server::main());
}
