//! `xrdisplay run` on real X servers with the host's Mesa (llvmpipe): what the glasses
//! would be shown is the XR output's picture, offscreen and in a window.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xrdisplay_harness::{
    assert_is_pattern, draw_pattern, randr_layout, read_png_rgb, xrdisplay, ClickCatcher, Run,
    XServer,
};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

fn cli(server: &XServer, args: &[&str], runtime: &std::path::Path) -> Run {
    xrdisplay(
        BIN,
        Some(server.display()),
        args,
        &[("XDG_RUNTIME_DIR", runtime.to_str().unwrap())],
    )
}

/// `xrdisplay run ARGS` in the background.
fn spawn_run(server: &XServer, args: &[&str], runtime: &std::path::Path) -> Child {
    Command::new(BIN)
        .arg("run")
        .args(args)
        .env("DISPLAY", server.display())
        .env("XDG_RUNTIME_DIR", runtime)
        .env("XDG_CONFIG_HOME", runtime)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the loop answers `status` with a capture figure, and returns the JSON.
fn wait_running(server: &XServer, runtime: &std::path::Path) -> serde_json::Value {
    wait_running_on(server, runtime, "XR-0")
}

fn wait_running_on(server: &XServer, runtime: &std::path::Path, output: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = cli(server, &["status", "--json", "--output", output], runtime);
        let json: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
        let running = &json["capture_loop"]["status"];
        if running["stats"]["render_fps"].as_f64().unwrap_or(0.0) > 0.0 {
            return json;
        }
        assert!(Instant::now() < deadline, "the loop never reported: {json}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Stops the loop with SIGTERM and returns its stderr; it must exit 0.
fn stop(child: Child) -> String {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "run failed: {stderr}");
    stderr
}

#[test]
fn offscreen_the_glasses_are_shown_exactly_the_xr_output() {
    let server = XServer::dummy();
    let runtime = tempfile::tempdir().unwrap();
    cli(&server, &["enable", "--size", "800x600"], runtime.path()).ok();
    let _picture = draw_pattern(server.display(), (1920, 0, 800, 600));
    let png = runtime.path().join("glasses.png");
    for method in ["shm", "auto"] {
        let run = cli(
            &server,
            &[
                "run",
                "--present",
                "none",
                "--imu",
                "none",
                "--method",
                method,
                "--frames",
                "5",
                "--save-frame",
                png.to_str().unwrap(),
            ],
            runtime.path(),
        );
        run.ok();
        assert!(run.stderr.contains("capturing XR-0"), "{}", run.stderr);
        let (w, h, rgb) = read_png_rgb(&png);
        assert_eq!((w, h), (800, 600));
        assert_is_pattern(w, h, &rgb);
    }
}

#[test]
fn a_running_loop_follows_drawing_and_resizing_and_reports_itself() {
    let server = XServer::dummy();
    let runtime = tempfile::tempdir().unwrap();
    cli(&server, &["enable", "--size", "800x600"], runtime.path()).ok();
    let png = runtime.path().join("glasses.png");
    let child = spawn_run(
        &server,
        &[
            "--present",
            "none",
            "--imu",
            "none",
            "--save-frame",
            png.to_str().unwrap(),
        ],
        runtime.path(),
    );
    let status = wait_running(&server, runtime.path());
    let running = &status["capture_loop"]["status"];
    assert_eq!(running["output"], "XR-0", "{status}");
    assert!(
        running["present"]
            .as_str()
            .unwrap()
            .starts_with("offscreen 800x600"),
        "{status}"
    );
    let text = cli(&server, &["status"], runtime.path());
    assert!(text.ok().contains("Capture    running"), "{}", text.stdout);

    // Drawn after the loop started: damage brings it in.
    let picture = draw_pattern(server.display(), (1920, 0, 800, 600));
    std::thread::sleep(Duration::from_millis(500));
    // A second loop for the same output is refused.
    let second = cli(&server, &["run", "--present", "none"], runtime.path());
    assert!(
        second.fails(2).contains("already running"),
        "{}",
        second.stderr
    );
    stop(child);
    let (w, h, rgb) = read_png_rgb(&png);
    assert_eq!((w, h), (800, 600));
    assert_is_pattern(w, h, &rgb);
    drop(picture);

    // Resized under a running loop: the capture follows the new rectangle.
    let mut child = spawn_run(
        &server,
        &["--present", "none", "--imu", "none"],
        runtime.path(),
    );
    wait_running(&server, runtime.path());
    cli(&server, &["enable", "--size", "640x480"], runtime.path()).ok();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().unwrap().is_some() {
            panic!("the loop ended: {:?}", child.wait_with_output());
        }
        let status = cli(&server, &["status", "--json"], runtime.path());
        let json: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
        let source = json["capture_loop"]["status"]["source"].to_string();
        if source.contains("640x480") {
            break;
        }
        assert!(Instant::now() < deadline, "the loop kept {source}: {json}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // `disable` stops the loop before removing the output.
    let disable = cli(&server, &["disable"], runtime.path());
    assert!(
        disable.ok().contains("Capture loop stopped"),
        "{}",
        disable.stdout
    );
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn a_window_on_another_output_shows_the_xr_output() {
    let server = XServer::dummy();
    let runtime = tempfile::tempdir().unwrap();
    // DUMMY1 plays the glasses: lit at 800x600 beside DUMMY0, XR-0 beyond it.
    cli(
        &server,
        &["enable", "--output", "DUMMY1", "--size", "800x600"],
        runtime.path(),
    )
    .ok();
    cli(&server, &["enable", "--size", "800x600"], runtime.path()).ok();
    let status = cli(&server, &["status", "--json"], runtime.path());
    let json: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
    let xr = &json["xr"]["geometry"];
    let (x, y) = (xr["x"].as_i64().unwrap(), xr["y"].as_i64().unwrap());
    let xr_output = json["xr"]["randr_output"].as_str().unwrap().to_string();
    let _picture = draw_pattern(server.display(), (x as i16, y as i16, 800, 600));
    let overlap = cli(
        &server,
        &[
            "run",
            "--present-on",
            &xr_output,
            "--imu",
            "none",
            "--frames",
            "1",
        ],
        runtime.path(),
    );
    assert!(
        overlap.fails(2).contains("capture itself"),
        "{}",
        overlap.stderr
    );

    // Something of the desktop's under the window, listening for clicks.
    let glasses = randr_layout(&server).outputs["DUMMY1"].clone();
    let [w, h, x, y] = glasses
        .split(['x', '+'])
        .map(|n| n.parse::<i16>().unwrap())
        .collect::<Vec<_>>()[..]
    else {
        panic!("DUMMY1 at {glasses}")
    };
    let below = ClickCatcher::cover(server.display(), (x, y, w as u16, h as u16));
    let child = spawn_run(
        &server,
        &["--present-on", "DUMMY1", "--imu", "none"],
        runtime.path(),
    );
    wait_running(&server, runtime.path());
    std::thread::sleep(Duration::from_millis(500));
    // What the window shows, read back from the screen where DUMMY1 is.
    let png = runtime.path().join("window.png");
    cli(
        &server,
        &[
            "snapshot",
            "--output",
            "DUMMY1",
            "--method",
            "shm",
            "-o",
            png.to_str().unwrap(),
        ],
        runtime.path(),
    )
    .ok();
    // The window takes no input: a click on it reaches the window below.
    below.click_at(x + w / 2, y + h / 2);
    let clicked_through = below.caught_a_click(Duration::from_secs(2));
    stop(child);
    let (w, h, rgb) = read_png_rgb(&png);
    assert_eq!((w, h), (800, 600));
    assert_is_pattern(w, h, &rgb);
    assert!(
        clicked_through,
        "a click on the presenting window did not go through"
    );
}

#[test]
fn the_loop_ends_cleanly_when_the_output_or_the_server_goes_away() {
    let mut server = XServer::dummy();
    let runtime = tempfile::tempdir().unwrap();
    cli(
        &server,
        &["enable", "--output", "DUMMY3", "--size", "640x480"],
        runtime.path(),
    )
    .ok();
    let args = ["--output", "DUMMY3", "--present", "none", "--imu", "none"];

    // The output is turned off behind the loop's back (not by `disable`).
    let child = spawn_run(&server, &args, runtime.path());
    wait_running_on(&server, runtime.path(), "DUMMY3");
    server.xrandr(&["--output", "DUMMY3", "--off"]);
    let output = wait_exit(child);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("DUMMY3 is gone"), "{stderr}");

    cli(
        &server,
        &["enable", "--output", "DUMMY3", "--size", "640x480"],
        runtime.path(),
    )
    .ok();
    let child = spawn_run(&server, &args, runtime.path());
    wait_running_on(&server, runtime.path(), "DUMMY3");
    server.kill();
    let output = wait_exit(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(3), "{stderr}");
}

/// Waits (at most 20 s) for the loop to exit by itself.
fn wait_exit(mut child: Child) -> std::process::Output {
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the loop did not end: {:?}", child.wait_with_output());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_lease_is_refused_clearly_where_it_cannot_work() {
    let server = XServer::dummy();
    let runtime = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| cli(&server, args, runtime.path());
    cli(&["enable", "--size", "800x600"]).ok();
    // DUMMY2 gets a mode, then is turned off: free to lease, as far as RandR goes.
    cli(&["enable", "--output", "DUMMY2", "--size", "640x480"]).ok();
    server.xrandr(&["--output", "DUMMY2", "--off"]);
    let lease = [
        "run",
        "--present",
        "lease",
        "--imu",
        "none",
        "--frames",
        "1",
    ];
    // The dummy driver has no DRM device to lease from.
    let refused = cli(&[&lease[..], &["--present-on", "DUMMY2"]].concat());
    assert!(
        refused.fails(4).contains("cannot lease"),
        "{}",
        refused.stderr
    );
    // An output the desktop uses is not taken from it.
    let in_use = cli(&[&lease[..], &["--present-on", "DUMMY0"]].concat());
    assert!(
        in_use.fails(2).contains("part of the desktop"),
        "{}",
        in_use.stderr
    );
    // Glasses marked non-desktop get a lease by default, and no window.
    server.xrandr(&["--output", "DUMMY2", "--set", "non-desktop", "1"]);
    let run = [
        "run",
        "--present-on",
        "DUMMY2",
        "--imu",
        "none",
        "--frames",
        "1",
    ];
    let auto = cli(&run);
    assert!(auto.fails(4).contains("cannot lease"), "{}", auto.stderr);
    let window = cli(&[&run[..], &["--present", "window"]].concat());
    assert!(window.fails(2).contains("non-desktop"), "{}", window.stderr);
}

/// The one control socket in `runtime`'s xrdisplay directory.
fn socket_in(runtime: &std::path::Path) -> std::path::PathBuf {
    let dir = runtime.join("xrdisplay");
    let mut sockets = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sock"));
    let socket = sockets.next().expect("a control socket");
    assert!(sockets.next().is_none(), "more than one socket in {dir:?}");
    socket
}

/// Connects to `socket` and sends one byte every 0.7 s, never a whole line, for at
/// most `limit`; returns how long the loop kept the connection open.
fn trickle(socket: &std::path::Path, limit: Duration) -> Duration {
    use std::io::Write;
    let mut stream = std::os::unix::net::UnixStream::connect(socket).unwrap();
    let start = Instant::now();
    while start.elapsed() < limit {
        if stream.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(700));
    }
    start.elapsed()
}

#[test]
fn the_control_socket_serves_each_client_in_time_and_only_its_own_user() {
    let server = XServer::dummy();
    let runtime = tempfile::tempdir().unwrap();
    cli(&server, &["enable", "--size", "800x600"], runtime.path()).ok();
    let args = ["--present", "none", "--imu", "none"];
    let child = spawn_run(&server, &args, runtime.path());
    wait_running(&server, runtime.path());
    let socket = socket_in(runtime.path());

    // A client trickling bytes holds neither another client nor the loop.
    std::thread::scope(|scope| {
        let trickler = scope.spawn(|| trickle(&socket, Duration::from_secs(10)));
        std::thread::sleep(Duration::from_secs(1));
        for _ in 0..2 {
            let asked = Instant::now();
            let status = cli(&server, &["status", "--json"], runtime.path());
            let took = asked.elapsed();
            let json: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
            assert!(
                !json["capture_loop"]["status"].is_null(),
                "no answer beside a trickling client: {json}"
            );
            assert!(took < Duration::from_secs(3), "status took {took:?}");
        }
        let held = trickler.join().unwrap();
        assert!(
            held < Duration::from_secs(5),
            "the trickling client was kept for {held:?}"
        );
    });

    // Another user reaching the socket (its permissions opened up) is refused.
    use std::os::unix::fs::PermissionsExt;
    for (path, mode) in [
        (runtime.path(), 0o755),
        (&runtime.path().join("xrdisplay"), 0o755),
        (&socket, 0o777),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut other = Command::new(BIN);
    other
        .arg("recenter")
        .env("DISPLAY", server.display())
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env("XDG_CONFIG_HOME", runtime.path())
        .env_remove("XRDISPLAY_CONFIG");
    std::os::unix::process::CommandExt::uid(&mut other, 65534);
    std::os::unix::process::CommandExt::gid(&mut other, 65534);
    let refused = xrdisplay_harness::run_command(other);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("this loop serves uid 0 only, not uid 65534"),
        "{refused:?}"
    );

    // A second loop for the same output is refused, naming the first; the first
    // keeps its socket.
    let second = cli(
        &server,
        &["run", "--present", "none", "--imu", "none"],
        runtime.path(),
    );
    assert!(
        second
            .fails(2)
            .contains(&format!("already running (pid {}", child.id())),
        "{}",
        second.stderr
    );
    let status = cli(&server, &["status", "--json"], runtime.path());
    let json: serde_json::Value = serde_json::from_str(status.ok()).unwrap();
    assert_eq!(json["capture_loop"]["status"]["pid"], child.id(), "{json}");

    // SIGTERM ends the loop within 5 s even with a trickling client connected.
    std::thread::scope(|scope| {
        scope.spawn(|| trickle(&socket, Duration::from_secs(8)));
        std::thread::sleep(Duration::from_millis(500));
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let stopped = Instant::now();
        let output = wait_exit(child);
        assert!(output.status.success(), "{output:?}");
        assert!(
            stopped.elapsed() < Duration::from_secs(5),
            "SIGTERM took {:?}",
            stopped.elapsed()
        );
    });
    assert!(!socket.exists(), "the socket outlived its loop");
}
