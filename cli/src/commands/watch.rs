//! `xrdisplay watch`: the session's glasses watcher. It listens to RandR events (never
//! probing: a full `RRGetScreenResources` wipes the patched driver's XR outputs) and,
//! when glasses appear, enables the XR outputs remembered for that pair (or the
//! configured default) and starts the render loop; when they go, it stops the loop and
//! disables those outputs, so no screen area is left where nobody can see it.

use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use x11rb::connection::Connection as _;

use crate::cli::WatchArgs;
use crate::commands::Context;
use crate::exit::{Error, Result};
use crate::pidlock::{PidLock, Refused};
use crate::profiles;
use crate::randr::backend::XrTarget;
use crate::randr::Session;
use crate::runtime::{self, Glasses};

/// Events come in bursts (a plug sets the EDID, the connection and the modes): act once
/// the burst is over.
const SETTLE: Duration = Duration::from_millis(300);
/// How often a running pair's render loop is checked.
const HEALTH_CHECK: Duration = Duration::from_secs(2);
/// The longest wait before starting a crashed render loop again.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The pair being shown and what was enabled for it.
struct Shown {
    pair: String,
    outputs: Vec<String>,
    /// When the render loop may be started again, and the wait after that.
    retry_at: Instant,
    backoff: Duration,
}

pub fn run(ctx: &Context, args: &WatchArgs) -> Result<()> {
    let session = Session::connect(ctx.display.as_deref())?;
    let _lock = single_watcher(&session.display)?;
    crate::interrupt::catch();
    session.watch_layout()?;
    let default = ctx.output_name(&args.output)?;
    let mut shown: Option<Shown> = None;
    let mut next_check = Instant::now();
    eprintln!(
        "xrdisplay watch: watching {} for XR glasses",
        session.display
    );
    loop {
        let glasses = Glasses::find(&session, &session.read()?)?;
        let pair = glasses.as_ref().map(pair_of);
        if shown.as_ref().map(|s| &s.pair) != pair.as_ref() {
            if let Some(gone) = shown.take() {
                unplugged(ctx, &gone);
            }
            if let (Some(glasses), Some(pair)) = (&glasses, pair) {
                shown = Some(plugged(ctx, glasses, pair, &default)?);
            }
        }
        if let Some(s) = shown.as_mut().filter(|_| Instant::now() >= next_check) {
            keep_the_loop_running(ctx, &session, s)?;
            next_check = Instant::now() + HEALTH_CHECK;
        }
        // With nothing shown there is nothing to check: sleep until RandR reports.
        let wake = match shown {
            Some(_) => next_check,
            None => Instant::now() + HEALTH_CHECK,
        };
        if wait_for_change(&session, wake)? {
            eprintln!("xrdisplay watch: stopped by a signal; the layout stays as it is");
            return Ok(());
        }
    }
}

/// One watcher per X display, locked in `$XDG_RUNTIME_DIR/xrdisplay/`.
fn single_watcher(display: &str) -> Result<PidLock> {
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::usage("XDG_RUNTIME_DIR is not set: watch runs in a desktop session")
        })?;
    let name: String = display
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let path = dir.join("xrdisplay").join(format!("{name}-watch.lock"));
    PidLock::acquire(&path).map_err(|refused| match refused {
        Refused::Held(pid) => Error::usage(format!(
            "a watcher for {display} is already running{}; one per display",
            pid.map_or(String::new(), |p| format!(" (pid {p})"))
        )),
        Refused::Failed(e) => e,
    })
}

/// The pair's id; glasses whose EDID has none are one anonymous pair per model.
fn pair_of(glasses: &Glasses) -> String {
    glasses.pair.clone().unwrap_or_else(|| {
        format!("{}-unknown", glasses.model.unwrap_or("glasses")).replace(' ', "_")
    })
}

/// Enables the pair's remembered XR outputs, or the configured one.
fn plugged(ctx: &Context, glasses: &Glasses, pair: String, default: &str) -> Result<Shown> {
    let remembered = profiles::load(&pair)?
        .map(|p| p.outputs)
        .filter(|o| !o.is_empty());
    let model = glasses.model.unwrap_or("glasses");
    eprintln!(
        "xrdisplay watch: {model} ({pair}) on {}: {}",
        glasses.output,
        if remembered.is_some() {
            "bringing back its layout"
        } else {
            "the configured layout"
        }
    );
    let commands: Vec<Vec<String>> = match &remembered {
        Some(outputs) => outputs.iter().map(profiles::enable_args).collect(),
        None => vec![vec!["enable".into(), "--output".into(), default.into()]],
    };
    let mut outputs = Vec::new();
    for args in commands {
        if xrdisplay(ctx, &args) {
            outputs.push(args[2].clone());
        }
    }
    Ok(Shown {
        pair,
        outputs,
        retry_at: Instant::now(),
        backoff: Duration::from_secs(1),
    })
}

/// Stops the loop and disables what was enabled for the pair, last first.
fn unplugged(ctx: &Context, gone: &Shown) {
    eprintln!(
        "xrdisplay watch: glasses {} gone: turning {} off",
        gone.pair,
        gone.outputs.join(", ")
    );
    for output in gone.outputs.iter().rev() {
        xrdisplay(ctx, &["disable".into(), "--output".into(), output.clone()]);
    }
}

/// Starts the pair's render loop again when it died, waiting longer after each try.
fn keep_the_loop_running(ctx: &Context, session: &Session, shown: &mut Shown) -> Result<()> {
    let Some(first) = shown.outputs.first() else {
        return Ok(());
    };
    // Turned off by hand while the pair is plugged in: nothing to show.
    let state = session.read()?;
    if XrTarget::find(&state, first).rect(&state).is_none() {
        return Ok(());
    }
    let running = runtime::loop_socket(&session.display, first)
        .is_some_and(|socket| std::os::unix::net::UnixStream::connect(socket).is_ok());
    if running {
        shown.backoff = Duration::from_secs(1);
        return Ok(());
    }
    if Instant::now() < shown.retry_at {
        return Ok(());
    }
    let said = runtime::spawn_loop(session, &shown.outputs, ctx.config_path.as_deref())?;
    eprintln!(
        "xrdisplay watch: the render loop was not running; {said} (next try after {} s)",
        shown.backoff.as_secs()
    );
    shown.retry_at = Instant::now() + shown.backoff;
    shown.backoff = (shown.backoff * 2).min(MAX_BACKOFF);
    Ok(())
}

/// Runs this binary's `args` with the watcher's display and configuration, its output
/// going to the watcher's; says whether it succeeded.
fn xrdisplay(ctx: &Context, args: &[String]) -> bool {
    let Ok(exe) = std::env::current_exe() else {
        return false;
    };
    let mut command = Command::new(exe);
    if let Some(display) = &ctx.display {
        command.args(["--display", display]);
    }
    if let Some(config) = &ctx.config_path {
        command.arg("--config").arg(config);
    }
    let status = command.args(args).stdin(Stdio::null()).status();
    match status {
        Ok(s) if s.success() => true,
        Ok(s) => {
            eprintln!(
                "xrdisplay watch: `xrdisplay {}` failed ({s})",
                args.join(" ")
            );
            false
        }
        Err(e) => {
            eprintln!("xrdisplay watch: cannot run xrdisplay: {e}");
            false
        }
    }
}

/// Waits until RandR reports something and the burst settles, or `until`; true when a
/// signal asks the watcher to stop. A lost X server is an error (exit 3).
fn wait_for_change(session: &Session, until: Instant) -> Result<bool> {
    let mut settle_by: Option<Instant> = None;
    loop {
        if crate::interrupt::caught().is_some() {
            return Ok(true);
        }
        while session.conn.poll_for_event()?.is_some() {
            settle_by = Some(Instant::now() + SETTLE);
        }
        let deadline = settle_by.unwrap_or(until).min(until.max(Instant::now()));
        let now = Instant::now();
        if now >= deadline {
            return Ok(false);
        }
        let left = (deadline - now).min(Duration::from_millis(500));
        let millis = u16::try_from(left.as_millis().max(1)).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(
            session.conn.stream().as_fd(),
            PollFlags::POLLIN,
        )];
        match poll(&mut fds, PollTimeout::from(millis)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(Error::runtime(format!("waiting for X events failed: {e}"))),
        }
        let hung_up = fds[0]
            .revents()
            .is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR));
        if hung_up {
            // Reading says so in the error's own words (exit 3).
            session.conn.poll_for_event()?;
            session.read()?;
        }
    }
}
