//! Private, real X servers for xrdisplay's tests.
//!
//! Each test starts its own server on a display number the server picks itself
//! (`-displayfd`), with its configuration and log in a private temporary directory, so
//! tests run in parallel and never touch a user's session. Dropping the handle stops
//! only that server.

mod draw;
mod edid;
mod gtk;
mod guest;
mod input;
mod layout;
mod pose;
mod wm;

pub use draw::{assert_is_pattern, draw_pattern, draw_picture, pattern_rgb, read_png_rgb, Picture};
pub use edid::{delete_edid, edid_named, edid_of_pair, plug_glasses, set_edid, set_edid_of_pair};
pub use gtk::gtk_monitors;
pub use guest::{
    assert_loop_shows_the_pattern, assert_snapshots_are_the_pattern, enable_virtual_2,
    virtual_2_with_pattern,
};
pub use input::ClickCatcher;

pub use layout::{layout, randr_layout, xrandr_layout, Geometry, Layout};

pub use wm::Xfwm4;

pub use pose::{orientation, PoseFault, PoseSpec, POSE_FILE_SIZE};

use std::io::Read;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tempfile::TempDir;

const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_GRACE: Duration = Duration::from_secs(3);

/// A running private X server; stopped when dropped.
pub struct XServer {
    child: Option<Child>,
    display: String,
    dir: TempDir,
    kind: &'static str,
    /// How many probing `xrandr` runs went to this server (see [`XServer::probes`]).
    probes: AtomicUsize,
}

impl XServer {
    /// Xorg with the dummy driver (needs root, as Xorg does without a seat).
    pub fn dummy() -> XServer {
        let dir = TempDir::new().expect("temporary directory");
        let config = dir.path().join("xorg.conf");
        std::fs::copy(repo_file("xorg-conf/dummy.conf"), &config)
            .expect("copy xorg-conf/dummy.conf");
        let config_dir = dir.path().join("xorg.conf.d");
        std::fs::create_dir(&config_dir).expect("create config dir");
        let mut command = Command::new("Xorg");
        command
            .arg("-config")
            .arg(&config)
            .arg("-configdir")
            .arg(&config_dir)
            .arg("-logfile")
            .arg(dir.path().join("Xorg.log"))
            .args(["-noreset", "-nolisten", "tcp"]);
        XServer::start(command, dir, "Xorg (dummy driver)")
    }

    /// Xvfb with one screen of the given size (also its maximum size).
    pub fn xvfb(width: u32, height: u32) -> XServer {
        let dir = TempDir::new().expect("temporary directory");
        let mut command = Command::new("Xvfb");
        command
            .args(["-screen", "0", &format!("{width}x{height}x24")])
            .args(["-noreset", "-nolisten", "tcp"]);
        XServer::start(command, dir, "Xvfb")
    }

    /// A server this process did not start (e.g. the QEMU guest's `:0`); never stopped here.
    pub fn attach(display: &str) -> XServer {
        XServer {
            child: None,
            display: display.to_string(),
            dir: TempDir::new().expect("temporary directory"),
            kind: "an existing X server",
            probes: AtomicUsize::new(0),
        }
    }

    /// Xvfb whose screen may grow to `2 * width` x `height` but shows one `width` x
    /// `height` output, set with the real xrandr: room for one more monitor beside it.
    pub fn xvfb_with_room(width: u32, height: u32) -> XServer {
        let server = XServer::xvfb(2 * width, height);
        let (w, h) = (width.to_string(), height.to_string());
        // Any timings do; Xvfb only uses the size.
        let (h1, h2, h3) = (
            (width + 48).to_string(),
            (width + 80).to_string(),
            (width + 160).to_string(),
        );
        let (v1, v2, v3) = (
            (height + 3).to_string(),
            (height + 8).to_string(),
            (height + 31).to_string(),
        );
        for args in [
            &[
                "--newmode",
                "half",
                "100",
                &w,
                &h1,
                &h2,
                &h3,
                &h,
                &v1,
                &v2,
                &v3,
            ][..],
            &["--addmode", "screen", "half"],
            &[
                "--output",
                "screen",
                "--mode",
                "half",
                "--fb",
                &format!("{w}x{h}"),
            ],
        ] {
            let out = server.run("xrandr", args);
            assert!(
                out.status.success(),
                "xrandr {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        server
    }

    fn start(mut command: Command, dir: TempDir, kind: &'static str) -> XServer {
        let (read_end, write_end) =
            nix::unistd::pipe2(OFlag::O_CLOEXEC).expect("pipe for -displayfd");
        let fd = write_end.as_raw_fd();
        command
            .arg("-displayfd")
            .arg(fd.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).expect("stderr log"));
        // SAFETY: only fcntl, which is async-signal-safe, runs between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let flags = FdFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFD)?);
                fcntl(fd, FcntlArg::F_SETFD(flags - FdFlag::FD_CLOEXEC))?;
                Ok(())
            });
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!("cannot start {kind}: {e} (run scripts/test to install it)")
        });
        drop(write_end);
        let mut server = XServer {
            child: Some(child),
            display: String::new(),
            dir,
            kind,
            probes: AtomicUsize::new(0),
        };
        match read_display_number(read_end, START_TIMEOUT) {
            Some(number) => server.display = format!(":{number}"),
            None => panic!(
                "{kind} did not start within {START_TIMEOUT:?}; its log:\n{}",
                server.log()
            ),
        }
        server
    }

    /// The display name, e.g. `:3`.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// The private directory holding this server's configuration and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What the server logged so far (Xorg's log file, or the server's stderr).
    pub fn log(&self) -> String {
        ["Xorg.log", "stderr.log"]
            .iter()
            .filter_map(|name| std::fs::read_to_string(self.dir.path().join(name)).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Kills the server at once, as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Runs a client program against this server and returns what it did.
    pub fn run(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
        let program = program.as_ref();
        if program == "xrandr" && is_probe(args) {
            self.probes.fetch_add(1, Ordering::SeqCst);
        }
        Command::new(program)
            .args(args)
            .env("DISPLAY", &self.display)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program:?}: {e}"))
    }

    /// The real `xrandr` tool's answer, as an independent cross-check of RandR state.
    /// Always `--current`: a probing query changes some servers' state.
    pub fn xrandr(&self, args: &[&str]) -> String {
        let mut all = vec!["--current"];
        all.extend_from_slice(args);
        let output = self.run("xrandr", &all);
        assert!(
            output.status.success(),
            "xrandr {all:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// How many `xrandr` runs so far made the server re-probe its outputs. A probe
    /// changes what clients see (the dummy driver reports an output with a mode
    /// connected only after one), so a test of what GTK sees takes this count right
    /// after its change and hands it to [`gtk_monitors`](crate::gtk_monitors).
    pub fn probes(&self) -> usize {
        self.probes.load(Ordering::SeqCst)
    }

    /// Which kind of server this is, for messages.
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

impl Drop for XServer {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Whether an `xrandr` run re-probes the outputs: every run without `--current`, and
/// (measured on the dummy driver) every monitor listing even with it.
fn is_probe(args: &[&str]) -> bool {
    !args.contains(&"--current")
        || args
            .iter()
            .any(|a| a.starts_with("--listmonitors") || a.starts_with("--listactivemonitors"))
}

/// Reads the display number the server writes to its `-displayfd` once it accepts clients.
fn read_display_number(read_end: OwnedFd, timeout: Duration) -> Option<u32> {
    let deadline = Instant::now() + timeout;
    let mut file = std::fs::File::from(read_end);
    let mut text = String::new();
    while !text.ends_with('\n') {
        let left = deadline.saturating_duration_since(Instant::now());
        let millis = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        if poll(&mut fds, PollTimeout::from(millis)).ok()? == 0 {
            return None;
        }
        let mut buf = [0u8; 16];
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        text.push_str(std::str::from_utf8(&buf[..n]).ok()?);
    }
    text.trim().parse().ok()
}

/// The path of a file in the repository, e.g. `tests/gtk_monitors.py`.
pub fn repo_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name)
}

/// What one run of the `xrdisplay` binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "xrdisplay failed: {self:?}");
        &self.stdout
    }

    /// Asserts a failure with `code`, a single-line message and no panic; returns stderr.
    pub fn fails(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "wrong exit code: {self:?}");
        assert!(!self.stderr.contains("panicked"), "panic: {self:?}");
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "not one line: {self:?}"
        );
        &self.stderr
    }
}

/// Runs the `xrdisplay` binary at `bin` with `args` on `display` (no `DISPLAY` when
/// `None`), with a private, empty configuration directory unless `env` sets one.
pub fn xrdisplay(bin: &str, display: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let config_home = TempDir::new().expect("temporary directory");
    let mut command = Command::new(bin);
    command
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("XRDISPLAY_CONFIG")
        .env("XDG_CONFIG_HOME", config_home.path())
        .stdin(Stdio::null());
    if let Some(display) = display {
        command.env("DISPLAY", display);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    run_command(command)
}

/// Runs a prepared command and collects its exit code and output.
pub fn run_command(mut command: Command) -> Run {
    let output = command.output().expect("run xrdisplay");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs this test binary's guest-side test `name` (an `#[ignore]`d test) inside the QEMU
/// guest with a real KMS X server (`scripts/vm/run`), and returns what it printed.
/// `server` is `modesetting` or `xr-xorg`.
pub fn run_in_guest(server: &str, name: &str) -> Run {
    run_in_guest_with(&["--server", server], name)
}

/// [`run_in_guest`] with `scripts/vm/run` options of its own, e.g. `--connect Virtual-2`.
pub fn run_in_guest_with(vm_options: &[&str], name: &str) -> Run {
    let test_binary = std::env::current_exe().expect("test binary path");
    let mut command = Command::new(repo_file("scripts/vm/run"));
    command
        .args(vm_options)
        .args(["--timeout", "900", "--"])
        .arg(test_binary)
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .current_dir(repo_file("."));
    run_command(command)
}

/// Runs the guest-side test `name` (see [`run_in_guest`]) and asserts that it passed.
pub fn assert_passes_in_guest(server: &str, name: &str) {
    assert_passed(run_in_guest(server, name));
}

/// [`assert_passes_in_guest`] with `scripts/vm/run` options of its own.
pub fn assert_passes_in_guest_with(vm_options: &[&str], name: &str) {
    assert_passed(run_in_guest_with(vm_options, name));
}

fn assert_passed(run: Run) {
    assert!(
        run.code == 0 && run.stdout.contains("1 passed"),
        "guest test failed ({}):\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
}

/// Whether this process runs inside the QEMU guest (set by `scripts/vm/run`).
pub fn in_guest() -> bool {
    std::env::var_os("XRDISPLAY_VM").is_some()
}
