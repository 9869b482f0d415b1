//! The background render loop: one per X display and output, found through its Unix
//! socket under `$XDG_RUNTIME_DIR/xrdisplay/`, started by `enable`, stopped by
//! `disable`.

use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::exit::{Error, Result};
use crate::pipeline::control::{self, Request};
use crate::pipeline::present::find_glasses;
use crate::randr::Session;

/// The control socket of the loop serving `output` on `display`.
pub fn loop_socket(display: &str, output: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty())?;
    Some(PathBuf::from(dir).join("xrdisplay").join(format!(
        "{}-{}.sock",
        safe_name(display),
        safe_name(output)
    )))
}

/// `name` with everything but letters, digits, '-' and '.' replaced, for file names.
fn safe_name(name: &str) -> String {
    name.replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
        "_",
    )
}

/// Asks the loop serving `output` to stop and waits until its socket is gone (at most
/// a few seconds); false when no loop was running.
pub fn stop_loop(display: &str, output: &str) -> bool {
    let Some(path) = loop_socket(display, output) else {
        return false;
    };
    if control::request(&path, &Request::Stop).is_err() {
        return false;
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while UnixStream::connect(&path).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// Starts `xrdisplay run` for `output` in the background when glasses are connected
/// and no loop serves the output yet (so `enable` also restarts a loop that died),
/// with `enable`'s configuration file (its view keys). Says what happened, in words.
pub fn start_loop(session: &Session, output: &str, config: Option<&Path>) -> Result<String> {
    let display = &session.display;
    let Some(socket) = loop_socket(display, output) else {
        return Ok("not started: XDG_RUNTIME_DIR is not set, so it could not be controlled".into());
    };
    if UnixStream::connect(&socket).is_ok() {
        return Ok("already running".into());
    }
    let state = session.read()?;
    let Some((glasses, model)) = find_glasses(session, &state)? else {
        return Ok(format!(
            "not started: no XR glasses found; run `xrdisplay run --output {output} \
             --present-on OUTPUT` to show {output} on another output"
        ));
    };
    let log = log_path(display, output);
    let log_file = log
        .as_ref()
        .and_then(|path| {
            std::fs::create_dir_all(path.parent()?).ok()?;
            std::fs::File::create(path).ok()
        })
        .map_or_else(Stdio::null, Stdio::from);
    let exe = std::env::current_exe()
        .map_err(|e| Error::runtime(format!("cannot find the xrdisplay binary: {e}")))?;
    let mut command = Command::new(exe);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    let child = command
        .args(["run", "--display", display, "--output", output])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        // Its own process group: a Ctrl-C meant for the shell that ran `enable` does
        // not reach it.
        .process_group(0)
        .spawn()
        .map_err(|e| Error::runtime(format!("cannot start the render loop: {e}")))?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while UnixStream::connect(&socket).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let logged = log.map_or(String::new(), |p| format!(", log {}", p.display()));
    Ok(format!(
        "started (pid {}) presenting on {}{}{logged}",
        child.id(),
        glasses.name,
        model.map_or(String::new(), |m| format!(" ({m})"))
    ))
}

/// `$XDG_STATE_HOME/xrdisplay/<display>-<output>.log`.
fn log_path(display: &str, output: &str) -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(
        state
            .join("xrdisplay")
            .join(format!("{}-{}.log", safe_name(display), safe_name(output))),
    )
}
