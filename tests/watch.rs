//! `xrdisplay watch` on Xorg's dummy driver: glasses plugged and unplugged by setting
//! and deleting an EDID that names "XREAL Air" on an output with a mode (DUMMY1, lit
//! beside DUMMY0 as the desktop would light a new monitor). Every layout is read back
//! through RandR without probing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xrdisplay_harness::{
    delete_edid, layout, plug_glasses, randr_layout, set_edid_of_pair, xrdisplay, Layout, Run,
    XServer, Xfwm4,
};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");
/// How long the watcher gets to react before the test gives up (not a timing check).
const PATIENCE: Duration = Duration::from_secs(30);

struct Session {
    dir: tempfile::TempDir,
    display: String,
}

impl Session {
    fn env(&self) -> Vec<(&'static str, String)> {
        let path = |sub: &str| self.dir.path().join(sub).to_string_lossy().into_owned();
        vec![
            ("XDG_RUNTIME_DIR", path("runtime")),
            ("XDG_STATE_HOME", path("state")),
        ]
    }

    fn xrdisplay(&self, args: &[&str]) -> Run {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        xrdisplay(BIN, Some(&self.display), args, &env)
    }

    fn watch(&self) -> Child {
        let mut command = Command::new(BIN);
        command
            .arg("watch")
            .env("DISPLAY", &self.display)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .envs(self.env())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.log()).expect("the watcher's log"));
        let watcher = command.spawn().expect("start xrdisplay watch");
        // Holding its lock and listening: only then is a second watcher refused.
        let deadline = Instant::now() + PATIENCE;
        while !self.said().contains("watching") {
            assert!(
                Instant::now() < deadline,
                "the watcher did not start: {}",
                self.said()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        watcher
    }

    /// What the watcher said so far.
    fn log(&self) -> std::path::PathBuf {
        self.dir.path().join("watch.log")
    }

    fn said(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_default()
    }

    /// The layout once `wanted` holds for XR-0's monitor geometry (None: XR-0 is gone).
    fn wait_for_xr0(
        &self,
        server: &XServer,
        what: &str,
        wanted: impl Fn(Option<&str>) -> bool,
    ) -> Layout {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let l = randr_layout(server);
            if wanted(l.monitors.get("XR-0").map(|(g, _)| g.as_str())) {
                return l;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: XR-0 never did: {l:?}\nthe watcher said:\n{}",
                self.said()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM to the watcher: its exit code and what it said.
    fn stop(&self, mut watcher: Child) -> (Option<i32>, String) {
        let _ = Command::new("kill")
            .args(["-TERM", &watcher.id().to_string()])
            .status();
        let status = watcher.wait().unwrap();
        (status.code(), self.said())
    }
}

/// DUMMY1 lit beside DUMMY0 with no glasses' EDID yet (a plain monitor), a watcher
/// started, and the layout before any glasses came.
fn watching(server: &XServer) -> (Session, Child, Layout) {
    plug_glasses(server, "DUMMY1");
    delete_edid(server.display(), "DUMMY1");
    // Reading the layout through xrandr probes; measured: without a probe after the
    // EDID is deleted, the dummy driver's DUMMY1 is not seen as glasses when the next
    // EDID comes.
    let before = layout(server);
    let session = Session {
        dir: tempfile::tempdir().unwrap(),
        display: server.display().to_string(),
    };
    let watcher = session.watch();
    (session, watcher, before)
}

#[test]
fn each_pair_gets_its_own_layout_back_and_unplugging_leaves_the_desktop_as_before() {
    let server = XServer::dummy();
    let (session, watcher, before) = watching(&server);

    // A second watcher for the same display is refused.
    let second = session.xrdisplay(&["watch"]);
    assert!(second.fails(2).contains("already running"), "{second:?}");

    set_edid_of_pair(server.display(), "DUMMY1", "XREAL Air", 1);
    let plugged = session.wait_for_xr0(&server, "plug", |g| g.is_some());
    assert_eq!(plugged.monitors["XR-0"].0, "1920x1080+3840+0");
    plugged.assert_monitors_apart();
    // While the pair is plugged in, a change is remembered for it.
    session.xrdisplay(&["enable", "--size", "1280x720"]).ok();

    delete_edid(server.display(), "DUMMY1");
    session.wait_for_xr0(&server, "unplug", |g| g.is_none());
    assert_eq!(
        layout(&server),
        before,
        "unplugging left the layout changed"
    );

    set_edid_of_pair(server.display(), "DUMMY1", "XREAL Air", 1);
    session.wait_for_xr0(&server, "replug", |g| g == Some("1280x720+3840+0"));

    // Another pair of the same model gets the configured default.
    delete_edid(server.display(), "DUMMY1");
    session.wait_for_xr0(&server, "unplug", |g| g.is_none());
    set_edid_of_pair(server.display(), "DUMMY1", "XREAL Air", 2);
    session.wait_for_xr0(&server, "another pair", |g| g == Some("1920x1080+3840+0"));

    let pairs = session.xrdisplay(&["profile", "list", "--json"]);
    let pairs: serde_json::Value = serde_json::from_str(pairs.ok()).unwrap();
    let sizes: Vec<(String, String)> = pairs
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["pair"].as_str().unwrap().to_string(),
                p["outputs"][0]["size"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("@@@-0000-00000001".to_string(), "1280x720".to_string()),
            ("@@@-0000-00000002".to_string(), "1920x1080".to_string())
        ]
    );
    let forgot = session.xrdisplay(&["profile", "forget", "@@@-0000-00000001"]);
    assert!(forgot.ok().contains("Forgot"), "{forgot:?}");

    delete_edid(server.display(), "DUMMY1");
    session.wait_for_xr0(&server, "unplug", |g| g.is_none());
    assert_eq!(layout(&server), before);
    let (code, said) = session.stop(watcher);
    assert_eq!(code, Some(0), "{said}");
}

/// When the glasses go, a window left on XR-0 must not stay where nobody can see it.
/// A real xfwm4 on its own keeps only a sliver of it in view (measured: 24 of 80 px), so
/// `disable` asks it to move the window onto the primary monitor.
#[test]
fn a_window_on_xr0_comes_back_to_a_visible_monitor_when_the_glasses_go() {
    let server = XServer::dummy();
    let (session, watcher, before) = watching(&server);
    set_edid_of_pair(server.display(), "DUMMY1", "XREAL Air", 7);
    session.wait_for_xr0(&server, "plug", |g| g == Some("1920x1080+3840+0"));
    let wm = Xfwm4::start(&server);
    wm.move_to(4000, 100);
    wm.geometry_when("on XR-0", |[x, ..]| x >= 3840);

    delete_edid(server.display(), "DUMMY1");
    let gone = session.wait_for_xr0(&server, "unplug", |g| g.is_none());
    assert_eq!(gone.screen, before.screen);
    // Onto the primary monitor, DUMMY0, whole.
    let [x, y, w, h] = wm.geometry_when("back on the primary monitor", |[x, y, w, h]| {
        x >= 0 && y >= 0 && x + w <= 1920 && y + h <= 1080
    });
    eprintln!("the window came back at {w}x{h}+{x}+{y}");
    drop(wm);
    let (code, said) = session.stop(watcher);
    assert_eq!(code, Some(0), "{said}");
}

#[test]
fn the_watcher_ends_with_exit_3_when_the_x_server_dies() {
    let mut server = XServer::dummy();
    let session = Session {
        dir: tempfile::tempdir().unwrap(),
        display: server.display().to_string(),
    };
    let mut watcher = session.watch();
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        watcher.try_wait().unwrap().is_none(),
        "the watcher ended early"
    );
    server.kill();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = watcher.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the watcher outlived its X server"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(3), "{}", session.said());
}
