//! Where a running capture loop can be found: one Unix socket per X display and output
//! under `$XDG_RUNTIME_DIR/xrdisplay/`.

use std::os::unix::net::UnixStream;
use std::path::PathBuf;

/// The control socket of the loop serving `output` on `display`.
pub fn loop_socket(display: &str, output: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty())?;
    let safe = |s: &str| {
        s.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
            "_",
        )
    };
    Some(PathBuf::from(dir).join("xrdisplay").join(format!(
        "{}-{}.sock",
        safe(display),
        safe(output)
    )))
}

/// Whether a loop answers on its socket (a stale socket file does not count).
pub fn loop_running(display: &str, output: &str) -> bool {
    loop_socket(display, output).is_some_and(|path| UnixStream::connect(path).is_ok())
}
