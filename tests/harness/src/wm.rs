//! A real window manager, xfwm4, in a private D-Bus session, with one window to move,
//! maximize and read back: what XFCE does with the monitors xrdisplay makes.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::XServer;

/// How long xfwm4 gets to act before a test gives up (not a timing check).
const PATIENCE: Duration = Duration::from_secs(20);

/// xfwm4 managing one window; both stop when dropped.
pub struct Xfwm4<'s> {
    server: &'s XServer,
    wm: Child,
    window: Child,
    /// The window's X id.
    id: String,
    _home: TempDir,
}

impl<'s> Xfwm4<'s> {
    /// Starts xfwm4 (after the layout change under test: it does not take in outputs
    /// added after its own start) and a window it manages.
    pub fn start(server: &'s XServer) -> Xfwm4<'s> {
        let home = TempDir::new().expect("temporary directory");
        let wm = Command::new("dbus-run-session")
            .args(["--", "xfwm4", "--compositor=off", "--sm-client-disable"])
            .env("DISPLAY", server.display())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start xfwm4 (scripts/install-test-deps installs it)");
        let window = Command::new("xmessage")
            .args(["-name", "xr-window", "a window"])
            .env("DISPLAY", server.display())
            .stderr(Stdio::null())
            .spawn()
            .expect("start xmessage");
        let mut xfwm4 = Xfwm4 {
            server,
            wm,
            window,
            id: String::new(),
            _home: home,
        };
        let mut id = 0u64;
        wait_for("xfwm4 manages the window", || {
            id = xfwm4
                .text("xdotool", &["search", "--classname", "xr-window"])
                .lines()
                .find_map(|l| l.trim().parse().ok())
                .unwrap_or(0);
            id != 0
                && xfwm4
                    .text("xprop", &["-root", "_NET_CLIENT_LIST"])
                    .contains(&format!("{id:#x}"))
        });
        xfwm4.id = id.to_string();
        xfwm4
    }

    fn text(&self, program: &str, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.server.run(program, args).stdout).into_owned()
    }

    /// Moves the window's frame to `(x, y)`.
    pub fn move_to(&self, x: i32, y: i32) {
        self.text(
            "xdotool",
            &["windowmove", &self.id, &x.to_string(), &y.to_string()],
        );
    }

    /// Maximizes the window, as its title bar's button does.
    pub fn maximize(&self) {
        let out = self.server.run(
            "wmctrl",
            &[
                "-i",
                "-r",
                &self.id,
                "-b",
                "add,maximized_vert,maximized_horz",
            ],
        );
        assert!(out.status.success(), "{out:?}");
    }

    /// The window's client area, `[x, y, width, height]`, once it holds still and
    /// `settled` accepts it.
    pub fn geometry_when(&self, what: &str, settled: impl Fn([i32; 4]) -> bool) -> [i32; 4] {
        let read = || -> [i32; 4] {
            let info = self.text("xwininfo", &["-id", &self.id]);
            let value = |key: &str| {
                info.lines()
                    .find_map(|l| l.trim().strip_prefix(key))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(-1)
            };
            [
                value("Absolute upper-left X:"),
                value("Absolute upper-left Y:"),
                value("Width:"),
                value("Height:"),
            ]
        };
        let mut last = [i32::MIN; 4];
        wait_for(what, || {
            let now = read();
            let still = now == last && settled(now);
            last = now;
            still
        });
        last
    }
}

impl Drop for Xfwm4<'_> {
    fn drop(&mut self) {
        let _ = self.window.kill();
        let _ = self.window.wait();
        let _ = Command::new("kill")
            .args(["--", &format!("-{}", self.wm.id())])
            .status();
        let _ = self.wm.wait();
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
