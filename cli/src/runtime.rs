//! The background render loop: one per X display, showing every enabled XR output
//! on the glasses, found through one Unix socket per output under
//! `$XDG_RUNTIME_DIR/xrdisplay/`; started (or widened) by `enable`, stopped (or
//! narrowed) by `disable`.

use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::exit::{Error, Result};
use crate::pipeline::control::{self, Request};
use crate::pipeline::present::find_glasses;
use crate::randr::state::ScreenState;
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

/// The outputs the loop answering on `socket` shows, the anchor first.
fn outputs_of(socket: &Path) -> Option<Vec<String>> {
    let status = control::request(socket, &Request::Status).ok()?.status?;
    Some(
        std::iter::once(status.output)
            .chain(status.also.into_iter().map(|a| a.output))
            .collect(),
    )
}

/// The outputs of every loop running on `display` (one list per loop).
fn loops_on(display: &str) -> Vec<Vec<String>> {
    let Some(dir) = loop_socket(display, "").and_then(|p| p.parent().map(Path::to_path_buf)) else {
        return Vec::new();
    };
    let prefix = format!("{}-", safe_name(display));
    let mut loops: Vec<Vec<String>> = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) || !name.ends_with(".sock") {
            continue;
        }
        if let Some(outputs) = outputs_of(&entry.path()) {
            if !loops.contains(&outputs) {
                loops.push(outputs);
            }
        }
    }
    loops
}

/// Asks the loop showing `output` to stop and waits until its socket is gone (at most
/// a few seconds). Returns the other outputs that loop showed (for the caller to
/// start again without `output`), or `None` when no loop was running.
pub fn stop_loop(display: &str, output: &str) -> Option<Vec<String>> {
    let path = loop_socket(display, output)?;
    let outputs = outputs_of(&path)?;
    control::request(&path, &Request::Stop).ok()?;
    let deadline = Instant::now() + Duration::from_secs(3);
    while UnixStream::connect(&path).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(outputs.into_iter().filter(|o| o != output).collect())
}

/// Starts `xrdisplay run` for `output` in the background when glasses are connected
/// and no loop shows the output yet (so `enable` also restarts a loop that died),
/// with `enable`'s configuration file (its view keys). The glasses show one loop: a
/// loop already showing other XR outputs is replaced by one showing them and
/// `output` beside them. Says what happened, in words.
pub fn start_loop(
    session: &Session,
    output: &str,
    config: Option<&Path>,
    glasses: Option<&Glasses>,
) -> Result<String> {
    let display = &session.display;
    let Some(socket) = loop_socket(display, output) else {
        return Ok("not started: XDG_RUNTIME_DIR is not set, so it could not be controlled".into());
    };
    if UnixStream::connect(&socket).is_ok() {
        return Ok("already running".into());
    }
    let Some(glasses) = glasses else {
        return Ok(format!(
            "not started: no XR glasses found; run `xrdisplay run --output {output} \
             --present-on OUTPUT` to show {output} on another output"
        ));
    };
    let mut outputs: Vec<String> = Vec::new();
    for running in loops_on(display) {
        if let Some(anchor) = running.first() {
            stop_loop(display, anchor);
        }
        for shown in running {
            if !outputs.contains(&shown) {
                outputs.push(shown);
            }
        }
    }
    outputs.push(output.to_string());
    spawn(session, &outputs, config, glasses)
}

/// Starts one loop showing `outputs` (the first straight ahead) on the glasses, if
/// any are connected; says what happened, in words.
pub fn spawn_loop(session: &Session, outputs: &[String], config: Option<&Path>) -> Result<String> {
    match Glasses::find(session, &session.read()?)? {
        Some(glasses) => spawn(session, outputs, config, &glasses),
        None => Ok("not started: no XR glasses found".into()),
    }
}

/// The connected glasses the loop presents on.
pub struct Glasses {
    pub output: String,
    pub model: Option<&'static str>,
    /// Which pair this is (see [`crate::glasses::pair_id`]).
    pub pair: Option<String>,
}

impl Glasses {
    pub fn find(session: &Session, state: &ScreenState) -> Result<Option<Glasses>> {
        let Some((output, model)) = find_glasses(session, state)? else {
            return Ok(None);
        };
        Ok(Some(Glasses {
            output: output.name.clone(),
            model,
            pair: crate::glasses::pair_id(&session.edid(output.id)?),
        }))
    }
}

fn spawn(
    session: &Session,
    outputs: &[String],
    config: Option<&Path>,
    glasses: &Glasses,
) -> Result<String> {
    let display = &session.display;
    let (Some(anchor), Some(socket)) = (
        outputs.first(),
        outputs.first().and_then(|o| loop_socket(display, o)),
    ) else {
        return Ok("not started: nothing to show, or XDG_RUNTIME_DIR is not set".into());
    };
    let log = log_path(display, anchor);
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
    command.args(["run", "--display", display, "--output", anchor]);
    if outputs.len() > 1 {
        command.arg("--also").arg(outputs[1..].join(","));
    }
    let child = command
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
        "started (pid {}) showing {} on {}{}{logged}",
        child.id(),
        outputs.join(" and "),
        glasses.output,
        glasses.model.map_or(String::new(), |m| format!(" ({m})"))
    ))
}

/// `$XDG_STATE_HOME/xrdisplay/<display>-<output>.log`.
fn log_path(display: &str, output: &str) -> Option<PathBuf> {
    let state = crate::xdg::state_home()?;
    Some(
        state
            .join("xrdisplay")
            .join(format!("{}-{}.log", safe_name(display), safe_name(output))),
    )
}
