//! XFCE's display profile kept in step by `enable`/`disable`, against a real xfconfd and
//! xfsettingsd (in a private D-Bus session with private HOME and XDG directories) and a
//! real Xorg with the dummy driver.
//!
//! xfsettingsd only manages outputs it sees as connected. A dummy output becomes
//! "connected" when a client probes outputs after it got a mode, and xfsettingsd probes
//! once at startup; so each test enables XR-0 first and starts xfsettingsd after, and
//! xfsettingsd applies the stored profile at startup and again on `/Schemes/Apply`.

use std::cell::RefCell;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use xrdisplay_harness::{layout, plug_glasses, run_command, Run, XServer};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");
/// How long to wait for xfsettingsd to react before declaring it stuck (not a timing check).
const PATIENCE: Duration = Duration::from_secs(30);

/// A private D-Bus session (`dbus-run-session`, ended when its stdin closes) with private
/// HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR; xfconfd starts on demand in it.
struct Desktop {
    dir: TempDir,
    bus: String,
    display: String,
    session: Child,
    keep_open: Option<ChildStdin>,
    xfsettingsd: RefCell<Option<Child>>,
}

impl Desktop {
    fn start(server: &XServer) -> Desktop {
        let dir = TempDir::new().unwrap();
        for sub in ["home", "config", "runtime"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        // The bus starts xfconfd itself, with the bus's environment: the private
        // directories must be set here, not only on the clients.
        let mut session = Command::new("dbus-run-session");
        session
            .args([
                "--",
                "sh",
                "-c",
                "echo \"$DBUS_SESSION_BUS_ADDRESS\"; exec cat >/dev/null",
            ])
            .env("HOME", dir.path().join("home"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_RUNTIME_DIR", dir.path().join("runtime"))
            .env("DISPLAY", server.display())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut session = session
            .spawn()
            .expect("run dbus-run-session (scripts/install-test-deps installs dbus)");
        let mut bus = String::new();
        BufReader::new(session.stdout.take().unwrap())
            .read_line(&mut bus)
            .unwrap();
        assert!(bus.starts_with("unix:"), "no session bus: {bus:?}");
        Desktop {
            bus: bus.trim().to_string(),
            display: server.display().to_string(),
            keep_open: session.stdin.take(),
            session,
            dir,
            xfsettingsd: RefCell::new(None),
        }
    }

    /// A command in this desktop session.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        let path = |sub: &str| self.dir.path().join(sub);
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("DISPLAY", &self.display)
            .env("HOME", path("home"))
            .env("XDG_CONFIG_HOME", path("config"))
            .env("XDG_RUNTIME_DIR", path("runtime"))
            .env("NO_AT_BRIDGE", "1")
            .env_remove("XDG_CURRENT_DESKTOP")
            .env_remove("XRDISPLAY_CONFIG")
            .stdin(Stdio::null());
        command
    }

    fn xrdisplay(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(BIN);
        command.args(args).envs(env.iter().copied());
        run_command(command)
    }

    /// One property of the `displays` channel, `None` if it does not exist.
    fn get(&self, property: &str) -> Option<String> {
        let out = self
            .command("xfconf-query")
            .args(["-c", "displays", "-p", property])
            .output()
            .expect("run xfconf-query (scripts/install-test-deps installs xfconf)");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    fn set(&self, property: &str, kind: &str, value: &str) {
        let out = self
            .command("xfconf-query")
            .args([
                "-c", "displays", "-p", property, "-n", "-t", kind, "-s", value,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The channel as xfconfd stores it in the private configuration directory.
    fn channel_file(&self) -> String {
        let path = "config/xfce4/xfconf/xfce-perchannel-xml/displays.xml";
        // xfconfd saves a channel a moment after it changes.
        self.wait_for("saved the channel", || self.dir.path().join(path).exists());
        std::fs::read_to_string(self.dir.path().join(path)).unwrap()
    }

    fn wait_for(&self, what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !done() {
            assert!(Instant::now() < deadline, "xfsettingsd never {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts xfsettingsd and waits until it has applied the active profile at startup
    /// and listens for `/Schemes/Apply`.
    fn start_xfsettingsd(&self) {
        // xfsettingsd sets /ActiveProfile just before it starts listening.
        self.set("/ActiveProfile", "string", "waiting-for-xfsettingsd");
        let child = self
            .command("xfsettingsd")
            .arg("--disable-wm-check")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run xfsettingsd (scripts/install-test-deps installs xfce4-settings)");
        *self.xfsettingsd.borrow_mut() = Some(child);
        self.wait_for("started", || {
            self.get("/ActiveProfile").as_deref() == Some("Default")
        });
        self.reapply();
    }

    /// `/Schemes/Apply` the Default profile, as the display dialog does; xfsettingsd
    /// clears the property once it has applied it.
    fn reapply(&self) {
        self.set("/Schemes/Apply", "string", "Default");
        self.wait_for("applied the profile", || {
            self.get("/Schemes/Apply").is_none()
        });
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        if let Some(mut child) = self.xfsettingsd.get_mut().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Closing its stdin ends the session, and dbus-run-session stops the bus.
        drop(self.keep_open.take());
        let _ = self.session.wait();
    }
}

const XFCE: &[(&str, &str)] = &[("XDG_CURRENT_DESKTOP", "XFCE")];

fn xr0(server: &XServer) -> String {
    layout(server).outputs["DUMMY1"].clone()
}

/// The control: without the sync, the profile left from an earlier `enable` puts XR-0
/// back where it was then. This is what the other test's sync must prevent.
#[test]
fn without_the_sync_xfsettingsd_moves_xr0_to_the_stored_profile() {
    let server = XServer::dummy();
    let desktop = Desktop::start(&server);
    desktop.xrdisplay(&["enable", "--xfce", "on"], &[]).ok();
    desktop.xrdisplay(&["disable", "--xfce", "off"], &[]).ok();
    desktop
        .xrdisplay(&["enable", "--below", "DUMMY0", "--xfce", "off"], &[])
        .ok();
    assert_eq!(xr0(&server), "1920x1080+0+1080");
    desktop.start_xfsettingsd();
    assert_eq!(xr0(&server), "1920x1080+1920+0", "xfsettingsd did not act");
}

#[test]
fn enable_and_disable_keep_the_profile_so_xfsettingsd_keeps_the_layout() {
    let server = XServer::dummy();
    let desktop = Desktop::start(&server);
    let before = layout(&server);
    desktop.set("/Notify", "bool", "true");
    desktop.xrdisplay(&["enable", "--xfce", "on"], &[]).ok();
    desktop.xrdisplay(&["disable", "--xfce", "off"], &[]).ok();
    // `auto` inside an XFCE session: the stale entry above is overwritten.
    let out = desktop.xrdisplay(&["enable", "--below", "DUMMY0"], XFCE);
    assert!(
        out.ok().contains("XFCE display profile Default updated"),
        "{out:?}"
    );
    let p = |key: &str| desktop.get(&format!("/Default/DUMMY1{key}"));
    assert_eq!(p("").as_deref(), Some("DUMMY1"));
    assert_eq!(p("/Active").as_deref(), Some("true"));
    assert_eq!(p("/Resolution").as_deref(), Some("1920x1080"));
    assert_eq!(p("/Position/X").as_deref(), Some("0"));
    assert_eq!(p("/Position/Y").as_deref(), Some("1080"));
    let rate: f64 = p("/RefreshRate").unwrap().parse().unwrap();
    assert!((rate - 60.0).abs() < 0.5, "{rate}");
    assert_eq!(
        desktop.get("/Default/DUMMY0/Primary").as_deref(),
        Some("true")
    );
    assert_eq!(
        desktop.get("/Notify").as_deref(),
        Some("true"),
        "/Notify not restored"
    );
    assert!(
        desktop.channel_file().contains("name=\"DUMMY1\""),
        "not in the private config"
    );
    let enabled = layout(&server);

    desktop.start_xfsettingsd();
    assert_eq!(layout(&server), enabled, "xfsettingsd changed the layout");
    desktop.reapply();
    assert_eq!(layout(&server), enabled, "a re-apply changed the layout");

    let out = desktop.xrdisplay(&["disable"], XFCE);
    assert!(out.ok().contains("XR-0 disabled"), "{out:?}");
    assert_ne!(p("/Active").as_deref(), Some("true"), "still listed active");
    assert_eq!(
        desktop.get("/Default/DUMMY0/Active").as_deref(),
        Some("true")
    );
    desktop.reapply();
    assert_eq!(layout(&server), before);
}

/// xfsettingsd sizes the screen to the outputs in its profile whenever it applies it; an
/// anchored XR-0 is no output, so its area must be kept by xrdisplay.
#[test]
fn an_anchored_xr0_keeps_its_area_through_xfsettingsd() {
    let server = XServer::dummy();
    plug_glasses(&server, "DUMMY1");
    let desktop = Desktop::start(&server);
    let runtime = desktop.dir.path().join("runtime");
    let runtime = runtime.to_str().unwrap();
    let env = [XFCE[0], ("XDG_RUNTIME_DIR", runtime)];
    let out = desktop.xrdisplay(&["enable", "--size", "1280x720"], &env);
    assert!(out.ok().contains("anchored backend"), "{out:?}");
    let enabled = layout(&server);
    assert_eq!(enabled.monitors["XR-0"].0, "1280x720+3840+0");
    assert_eq!(enabled.screen, (5120, 1080));

    desktop.start_xfsettingsd();
    desktop.wait_for("left XR-0's area in the screen", || {
        layout(&server) == enabled
    });
    desktop.reapply();
    desktop.wait_for("left XR-0's area in the screen after Apply", || {
        layout(&server) == enabled
    });
    desktop.xrdisplay(&["disable"], &env).ok();
}

/// The user's entries for outputs that are off are theirs: `enable` leaves them alone,
/// and keeps the channel's file as it was before writing.
#[test]
fn enable_backs_up_the_profile_and_leaves_inactive_outputs_alone() {
    let server = XServer::dummy();
    // Glasses plugged into DUMMY2, then switched off in XFCE's display settings.
    plug_glasses(&server, "DUMMY2");
    let off = server.run("xrandr", &["--output", "DUMMY2", "--off"]);
    assert!(off.status.success(), "{off:?}");
    let desktop = Desktop::start(&server);
    desktop.set("/Default/DUMMY2", "string", "DUMMY2");
    desktop.set("/Default/DUMMY2/Active", "bool", "false");
    desktop.set("/Default/DUMMY2/Resolution", "string", "1920x1080");
    desktop.set("/Default/DUMMY2/Position/X", "int", "1920");
    let original = desktop.channel_file();
    assert!(original.contains("1920x1080"), "{original}");

    desktop.xrdisplay(&["enable", "--xfce", "on"], &[]).ok();
    assert_eq!(
        desktop.get("/Default/DUMMY2/Resolution").as_deref(),
        Some("1920x1080")
    );
    assert_eq!(
        desktop.get("/Default/DUMMY2/Position/X").as_deref(),
        Some("1920")
    );
    assert_eq!(
        desktop.get("/Default/DUMMY2/Active").as_deref(),
        Some("false")
    );
    let backup = desktop
        .dir
        .path()
        .join("home/.local/state/xrdisplay/xfce-displays.orig.xml");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
    desktop.xrdisplay(&["disable", "--xfce", "on"], &[]).ok();
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        original,
        "the first backup is kept"
    );
}

/// SIGINT at every step of an `enable` in an XFCE session (paused there by the test
/// hooks): the change is rolled back, and xfsettingsd's `/Notify` is as before.
#[test]
#[cfg_attr(
    not(feature = "test-hooks"),
    ignore = "needs the test-hooks feature (scripts/test builds with it)"
)]
fn sigint_at_any_step_of_enable_rolls_back_and_restores_notify() {
    let server = XServer::dummy();
    let desktop = Desktop::start(&server);
    desktop.set("/Notify", "bool", "true");
    let before = layout(&server);
    let args = [
        "enable",
        "--left-of",
        "DUMMY0",
        "--size",
        "1280x720",
        "--primary",
    ];
    let plan = desktop.xrdisplay(&[&args[..], &["--dry-run", "--json"]].concat(), XFCE);
    let plan: serde_json::Value = serde_json::from_str(plan.ok()).unwrap();
    let steps = plan["requests"].as_array().unwrap().len();
    assert!(steps >= 5, "{plan}");
    for step in 0..steps {
        let mut command = desktop.command(BIN);
        command
            .args(args)
            .envs(XFCE.iter().copied())
            .env("XRDISPLAY_TEST_PAUSE_AFTER", step.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        assert!(line.contains("paused"), "step {step}: {line}");
        assert_eq!(desktop.get("/Notify").as_deref(), Some("false"), "held");
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        child.stdin.take().unwrap().write_all(b"\n").unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(1), "step {step}: {rest}");
        assert!(
            rest.contains("interrupted by SIGINT") && rest.contains("restored"),
            "step {step}: {rest}"
        );
        assert_eq!(layout(&server), before, "step {step}");
        assert_eq!(
            desktop.get("/Notify").as_deref(),
            Some("true"),
            "step {step}: /Notify not restored"
        );
    }
}

#[test]
fn xfce_auto_leaves_other_desktops_alone_and_on_fails_clearly_without_xfconf() {
    let server = XServer::dummy();
    let desktop = Desktop::start(&server);
    desktop.xrdisplay(&["enable"], &[]).ok();
    assert_eq!(desktop.get("/Default/DUMMY1"), None, "wrote outside XFCE");
    desktop.xrdisplay(&["disable"], &[]).ok();

    let before = layout(&server);
    let unreachable = [("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")];
    let run = desktop.xrdisplay(&["enable", "--xfce", "on"], &unreachable);
    assert!(run.fails(6).contains("nothing was changed"), "{run:?}");
    assert_eq!(layout(&server), before);
    // auto in an XFCE session without xfconf: a note, and the layout still changes.
    let env = [unreachable[0], XFCE[0]];
    let run = desktop.xrdisplay(&["enable"], &env);
    assert!(run.ok().contains("XR-0 enabled"), "{run:?}");
    assert!(run.stderr.contains("left alone"), "{run:?}");
}

/// `install shortcuts` binds the view commands in XFCE's custom shortcut set (after
/// copying the defaults there, as XFCE does before it uses that set), leaves a key
/// that is taken alone, and `uninstall` removes only the keys that still run xrdisplay.
#[test]
fn shortcuts_bind_the_view_commands_and_uninstall_removes_only_them() {
    let server = XServer::xvfb(640, 480);
    let desktop = Desktop::start(&server);
    let query = |args: &[&str]| {
        let out = desktop
            .command("xfconf-query")
            .args(["-c", "xfce4-keyboard-shortcuts"])
            .args(args)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let key = |k: &str| query(&["-p", &format!("/commands/custom/{k}")]);
    let bind = |k: &str, command: &str| {
        let property = format!("/commands/custom/{k}");
        query(&["-p", &property, "-n", "-t", "string", "-s", command]).unwrap();
    };
    bind("<Super><Alt>f", "thunar");

    let dry = desktop.xrdisplay(&["install", "shortcuts", "--dry-run"], &[]);
    assert!(
        dry.ok().contains("would bind <Super><Alt>c"),
        "{}",
        dry.stdout
    );
    assert_eq!(key("<Super><Alt>c"), None);

    let out = desktop.xrdisplay(&["install", "shortcuts"], &[]);
    let text = out.ok();
    assert!(
        text.contains(&format!("bound <Super><Alt>c to `{BIN} recenter`")),
        "{text}"
    );
    assert!(
        text.contains("left alone: <Super><Alt>f already runs `thunar`"),
        "{text}"
    );
    assert_eq!(key("<Super><Alt>c"), Some(format!("{BIN} recenter")));
    assert_eq!(key("<Super><Alt>equal"), Some(format!("{BIN} zoom +")));
    assert_eq!(key("<Super><Alt>minus"), Some(format!("{BIN} zoom -")));
    assert_eq!(key("<Super><Alt>v"), Some(format!("{BIN} curved toggle")));
    assert_eq!(key("<Super><Alt>s"), Some(format!("{BIN} steady toggle")));
    assert_eq!(key("<Super><Alt>f").as_deref(), Some("thunar"));
    assert_eq!(key("override").as_deref(), Some("true"));
    // Every default command is in the custom set, so XFCE keeps them all.
    let listing = query(&["-l", "-v"]).unwrap();
    for line in listing.lines() {
        let (property, value) = line.split_once(char::is_whitespace).unwrap();
        if let Some(k) = property.strip_prefix("/commands/default/") {
            if !k.contains('/') {
                assert_eq!(key(k).as_deref(), Some(value.trim()), "{k}");
            }
        }
    }
    let again = desktop.xrdisplay(&["install", "shortcuts"], &[]);
    assert!(
        again.ok().contains("<Super><Alt>c already runs"),
        "{}",
        again.stdout
    );

    // Rebound by the user since: kept.
    bind("<Super><Alt>minus", "xfce4-terminal");
    let out = desktop.xrdisplay(&["uninstall", "shortcuts"], &[]);
    assert!(
        out.ok()
            .contains("removed XFCE keyboard shortcuts <Super><Alt>c, <Super><Alt>equal"),
        "{}",
        out.stdout
    );
    assert_eq!(key("<Super><Alt>c"), None);
    assert_eq!(key("<Super><Alt>equal"), None);
    assert_eq!(key("<Super><Alt>v"), None);
    assert_eq!(key("<Super><Alt>s"), None);
    assert_eq!(key("<Super><Alt>minus").as_deref(), Some("xfce4-terminal"));
    assert_eq!(key("<Super><Alt>f").as_deref(), Some("thunar"));

    let etc = TempDir::new().unwrap();
    let all = desktop.xrdisplay(
        &["uninstall", "all", "--dir", etc.path().to_str().unwrap()],
        &[],
    );
    assert!(
        all.ok()
            .contains("shortcuts: xrdisplay's XFCE shortcut set is not installed"),
        "{}",
        all.stdout
    );
}
