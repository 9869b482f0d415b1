//! `xrdisplay` against a real Xorg with the dummy driver (16 outputs with real CRTCs):
//! the spare-output and monitor backends, placement, idempotence, bad input, and the
//! transaction's restore. Every check reads the layout back twice: through RandR with
//! x11rb and through the real `xrandr` tool.

use std::io::Write;
use std::process::{Command, Stdio};

use xrdisplay_harness::{
    gtk_monitors, layout, plug_glasses, run_command, xrdisplay, Layout, Run, XServer, Xfwm4,
};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

fn cli(server: &XServer, args: &[&str]) -> Run {
    xrdisplay(BIN, Some(server.display()), args, &[])
}

fn g(text: &str) -> String {
    text.to_string()
}

/// Turns on DUMMY2 at 1280x1024 right of DUMMY0, with the real xrandr, as a second monitor.
fn add_second_monitor(server: &XServer) {
    for args in [
        &[
            "--newmode",
            "second",
            "109.00",
            "1280",
            "1368",
            "1496",
            "1712",
            "1024",
            "1027",
            "1034",
            "1063",
            "-hsync",
            "+vsync",
        ][..],
        &["--addmode", "DUMMY2", "second"],
        &[
            "--output",
            "DUMMY2",
            "--mode",
            "second",
            "--right-of",
            "DUMMY0",
        ],
    ] {
        let out = server.run("xrandr", args);
        assert!(
            out.status.success(),
            "xrandr {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn xr_modes(server: &XServer) -> usize {
    server.xrandr(&["--verbose"]).matches("xr-").count()
}

#[test]
fn status_reports_the_server_outputs_and_backends() {
    let server = XServer::dummy();
    let status: serde_json::Value =
        serde_json::from_str(cli(&server, &["status", "--json"]).ok()).unwrap();
    assert_eq!(status["randr"], "1.6");
    assert_eq!(status["outputs"].as_array().unwrap().len(), 16);
    assert_eq!(status["outputs"][0]["name"], "DUMMY0");
    assert_eq!(status["outputs"][0]["primary"], true);
    assert_eq!(status["outputs"][0]["geometry"]["width"], 1920);
    let available: Vec<(String, bool)> = status["backends"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().unwrap().to_string(),
                b["available"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        available,
        [
            ("xr-manager".into(), false),
            ("anchored".into(), false),
            ("spare-output".into(), true),
            ("monitor".into(), true)
        ]
    );
    assert_eq!(status["xr"]["state"], "absent");
    assert_eq!(status["capture_loop"]["running"], false);
    let l = layout(&server);
    assert_eq!(
        (
            status["screen"]["width"].as_u64().unwrap() as u32,
            status["screen"]["height"].as_u64().unwrap() as u32
        ),
        l.screen
    );
    let text = cli(&server, &["status"]);
    assert!(
        text.ok().contains("XR output  XR-0: absent"),
        "{}",
        text.stdout
    );
}

#[test]
fn without_glasses_enable_uses_a_spare_output_and_says_gtk_does_not_see_it() {
    let server = XServer::dummy();
    let before = layout(&server);
    let out = cli(&server, &["enable"]);
    let probes = server.probes();
    assert!(
        out.ok().contains("XR-0 enabled: 1920x1080+1920+0"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("DUMMY1, a connector with nothing plugged in"),
        "{}",
        out.stdout
    );
    // A free connector stays disconnected, and GTK skips a monitor whose first output is.
    assert_eq!(gtk_monitors(&server, probes), [g("DUMMY0 1920x1080+0+0")]);

    let after = layout(&server);
    assert_eq!(after.screen, (3840, 1080));
    assert_eq!(after.outputs["DUMMY1"], g("1920x1080+1920+0"));
    assert_eq!(
        after.monitors["XR-0"],
        (g("1920x1080+1920+0"), vec![g("DUMMY1")])
    );
    assert!(
        server.xrandr(&[]).contains("xr-1920x1080@60"),
        "mode missing"
    );

    let status: serde_json::Value =
        serde_json::from_str(cli(&server, &["status", "--json"]).ok()).unwrap();
    assert_eq!(status["xr"]["state"], "enabled");
    assert_eq!(status["xr"]["backend"], "spare-output");
    assert_eq!(status["xr"]["randr_output"], "DUMMY1");
    assert!((status["xr"]["refresh"].as_f64().unwrap() - 60.0).abs() < 0.5);
    let text = cli(&server, &["status"]);
    assert!(text.ok().ends_with('\n'), "{:?}", text.stdout);

    assert!(cli(&server, &["disable"]).ok().contains("XR-0 disabled"));
    assert_eq!(layout(&server), before);
    assert_eq!(xr_modes(&server), 0, "modes left behind");
    assert!(cli(&server, &["disable"])
        .ok()
        .contains("not enabled; nothing to do"));
    assert_eq!(layout(&server), before);
}

#[test]
fn connected_glasses_anchor_an_xr_monitor_that_gtk_lists_and_xfwm4_fills() {
    let server = XServer::dummy();
    plug_glasses(&server, "DUMMY1");
    let before = layout(&server);
    before.assert_monitors_apart();
    let no_loop = [("XDG_RUNTIME_DIR", "")];
    let out = xrdisplay(
        BIN,
        Some(server.display()),
        &["enable", "--size", "1280x720", "--json"],
        &no_loop,
    );
    let probes = server.probes();
    let report: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(report["backend"], "anchored");
    assert_eq!(report["visible_to_gtk"], true);
    // GTK lists XR-0 at its own geometry, with no probe since the change; the glasses'
    // own area is no monitor of its own any more.
    assert_eq!(
        gtk_monitors(&server, probes),
        [g("DUMMY0 1920x1080+0+0"), g("DUMMY1 1280x720+3840+0")]
    );
    let (x, y) = (3840, 0);
    let wm = Xfwm4::start(&server);
    wm.move_to(x + 50, y + 50);
    wm.maximize();
    let [wx, wy, ww, wh] = wm.geometry_when("maximized", |g| g[2] > 400);
    drop(wm);
    assert_eq!((wx, ww), (x, 1280), "maximized at {wx},{wy} {ww}x{wh}");
    assert!(wy > y && wy < y + 60, "below a title bar: {wy}");
    assert_eq!(wy + wh, y + 720, "to XR-0's bottom edge: {wy}+{wh}");

    let l = layout(&server);
    assert_eq!(l.screen, (5120, 1080));
    assert_eq!(l.outputs["DUMMY1"], g("1920x1080+1920+0"));
    assert_eq!(
        l.monitors["XR-0"],
        (g("1280x720+3840+0"), vec![g("DUMMY1")])
    );
    assert!(!l.outputs.contains_key("XR-0"), "no CRTC is spent on XR-0");
    l.assert_monitors_apart();
    let status: serde_json::Value =
        serde_json::from_str(cli(&server, &["status", "--json"]).ok()).unwrap();
    assert_eq!(status["xr"]["backend"], "anchored");
    assert_eq!(status["xr"]["visible_to_gtk"], true);

    // A second XR screen: the glasses anchor one monitor only, so XR-1 goes on a spare
    // output, and xrdisplay says GTK does not see it.
    let xr1 = cli(
        &server,
        &["enable", "--output", "XR-1", "--size", "800x600"],
    );
    assert!(
        xr1.ok().contains("spare-output backend") && xr1.stdout.contains("nothing plugged in"),
        "{}",
        xr1.stdout
    );
    layout(&server).assert_monitors_apart();
    // An output put right of DUMMY0 moves everything beyond it aside, monitors too.
    put_dummy5_right_of_dummy0(&server);
    let moved = layout(&server);
    moved.assert_monitors_apart();
    assert_eq!(moved.outputs["DUMMY1"], g("1920x1080+2944+0"));
    assert_eq!(moved.monitors["XR-0"].0, g("1280x720+4864+0"));
    for name in ["DUMMY5", "XR-1"] {
        cli(&server, &["disable", "--output", name]).ok();
        let again = cli(&server, &["disable", "--output", name]);
        assert!(again.ok().contains("nothing to do"), "{}", again.stdout);
        layout(&server).assert_monitors_apart();
    }
    assert_eq!(layout(&server), l);

    let typo = cli(&server, &["enable", "--output", "HDMI-9"]);
    let message = typo.fails(2);
    assert!(
        message.contains("HDMI-9") && message.contains("DUMMY0, DUMMY1"),
        "{message}"
    );
    assert_eq!(layout(&server), l);

    cli(&server, &["disable"]).ok();
    assert!(cli(&server, &["disable"]).ok().contains("nothing to do"));
    assert_eq!(layout(&server), before);
}

/// Drives DUMMY5 at 1024x768 right of DUMMY0: whatever was beyond DUMMY0 moves aside.
fn put_dummy5_right_of_dummy0(server: &XServer) {
    cli(
        server,
        &[
            "enable",
            "--output",
            "DUMMY5",
            "--size",
            "1024x768",
            "--right-of",
            "DUMMY0",
        ],
    )
    .ok();
}

#[test]
fn monitors_follow_their_outputs_when_outputs_move_aside() {
    let server = XServer::dummy();
    cli(&server, &["enable", "--size", "800x600"]).ok();
    let before = layout(&server);
    assert_eq!(
        before.monitors["XR-0"],
        (g("800x600+1920+0"), vec![g("DUMMY1")])
    );
    put_dummy5_right_of_dummy0(&server);
    let l = layout(&server);
    l.assert_monitors_apart();
    assert_eq!(l.outputs["DUMMY1"], g("800x600+2944+0"));
    assert_eq!(l.monitors["XR-0"].0, g("800x600+2944+0"));
    cli(&server, &["disable", "--output", "DUMMY5"]).ok();
    assert_eq!(layout(&server), before);
    let again = cli(&server, &["disable", "--output", "DUMMY5"]);
    assert!(again.ok().contains("nothing to do"), "{}", again.stdout);
}

#[test]
fn enable_is_idempotent_and_resizes_in_place() {
    let server = XServer::dummy();
    cli(
        &server,
        &["enable", "--size", "1280x720", "--refresh", "90"],
    )
    .ok();
    let first = layout(&server);
    let again = cli(
        &server,
        &["enable", "--size", "1280x720", "--refresh", "90", "--json"],
    );
    let report: serde_json::Value = serde_json::from_str(again.ok()).unwrap();
    assert_eq!(report["changed"], false);
    assert_eq!(report["requests"].as_array().unwrap().len(), 0);
    assert_eq!(layout(&server), first);

    cli(&server, &["enable", "--size", "2560x1440"]).ok();
    let resized = layout(&server);
    assert_eq!(resized.outputs["DUMMY1"], g("2560x1440+1920+0"));
    assert_eq!(resized.screen, (4480, 1440));
    // CVT gives 640x480@60 a 59.46 Hz mode: still recognised as the one asked for.
    cli(&server, &["enable", "--size", "640x480"]).ok();
    let small = cli(&server, &["enable", "--size", "640x480"]);
    assert!(small.ok().contains("nothing changed"), "{}", small.stdout);
    cli(&server, &["enable", "--size", "2560x1440"]).ok();
    let verbose = server.xrandr(&["--verbose"]);
    assert!(
        verbose.contains("xr-2560x1440@60")
            && !verbose.contains("xr-1280x720@90")
            && !verbose.contains("xr-640x480@60"),
        "old mode kept"
    );
}

#[test]
fn placement_moves_other_outputs_aside_and_disable_closes_the_gap() {
    let server = XServer::dummy();
    add_second_monitor(&server);
    let before = layout(&server);
    assert_eq!(before.outputs["DUMMY2"], g("1280x1024+1920+0"));

    cli(
        &server,
        &["enable", "--right-of", "DUMMY0", "--size", "1600x900"],
    )
    .ok();
    let l = layout(&server);
    assert_eq!(l.outputs["DUMMY1"], g("1600x900+1920+0"));
    assert_eq!(l.outputs["DUMMY2"], g("1280x1024+3520+0"));
    assert_eq!(l.screen, (4800, 1080));
    cli(&server, &["disable"]).ok();
    assert_eq!(layout(&server), before);

    cli(&server, &["enable", "--left-of", "DUMMY0"]).ok();
    let l = layout(&server);
    assert_eq!(l.monitors["XR-0"].0, g("1920x1080+0+0"));
    assert_eq!(l.outputs["DUMMY0"], g("1920x1080+1920+0"));
    assert_eq!(l.outputs["DUMMY2"], g("1280x1024+3840+0"));
    cli(&server, &["disable"]).ok();
    assert_eq!(layout(&server), before);

    cli(&server, &["enable", "--below", "DUMMY0", "--primary"]).ok();
    let l = layout(&server);
    assert_eq!(l.monitors["XR-0"].0, g("1920x1080+0+1080"));
    let xr_output = &l.monitors["XR-0"].1[0];
    assert_eq!(l.primary.as_ref(), Some(xr_output));
    assert_eq!(l.screen, (3200, 2160));
    cli(&server, &["disable"]).ok();
    assert_eq!(
        layout(&server).primary.as_deref(),
        Some("DUMMY0"),
        "the primary role went back to DUMMY0"
    );

    cli(&server, &["enable", "--pos", "0,1080"]).ok();
    assert_eq!(layout(&server).monitors["XR-0"].0, g("1920x1080+0+1080"));
}

#[test]
fn an_existing_spare_output_can_be_named() {
    let server = XServer::dummy();
    let out = cli(
        &server,
        &["enable", "--output", "DUMMY5", "--size", "1024x768"],
    );
    assert!(
        out.ok().contains("DUMMY5 enabled: 1024x768+1920+0"),
        "{}",
        out.stdout
    );
    let l = layout(&server);
    assert_eq!(l.outputs["DUMMY5"], g("1024x768+1920+0"));
    assert!(!l.monitors.contains_key("XR-0"));
    cli(&server, &["disable", "--output", "DUMMY5"]).ok();
    assert!(!layout(&server).outputs.contains_key("DUMMY5"));

    // XR-0 on a spare output is a monitor of that name: it can anchor a placement.
    cli(&server, &["enable", "--size", "800x600"]).ok();
    cli(
        &server,
        &[
            "enable",
            "--output",
            "DUMMY5",
            "--size",
            "640x480",
            "--right-of",
            "XR-0",
        ],
    )
    .ok();
    assert_eq!(layout(&server).outputs["DUMMY5"], g("640x480+2720+0"));
}

#[test]
fn the_monitor_backend_grows_the_screen_and_gtk_does_not_see_it() {
    let server = XServer::dummy();
    let before = layout(&server);
    let out = cli(&server, &["enable", "--backend", "monitor"]);
    let probes = server.probes();
    assert!(
        out.ok().contains("GTK 3 and XFCE do not see it"),
        "{}",
        out.stdout
    );
    assert_eq!(gtk_monitors(&server, probes), [g("DUMMY0 1920x1080+0+0")]);
    let l = layout(&server);
    assert_eq!(l.screen, (3840, 1080));
    assert_eq!(l.monitors["XR-0"], (g("1920x1080+1920+0"), vec![]));
    let status: serde_json::Value =
        serde_json::from_str(cli(&server, &["status", "--json"]).ok()).unwrap();
    assert_eq!(status["xr"]["backend"], "monitor");
    assert_eq!(status["xr"]["visible_to_gtk"], false);
    cli(&server, &["disable"]).ok();
    assert_eq!(layout(&server), before);
}

#[test]
fn dry_run_prints_the_requests_and_changes_nothing() {
    let server = XServer::dummy();
    let before = layout(&server);
    let out = cli(&server, &["enable", "--dry-run"]);
    let text = out.ok();
    assert!(
        text.contains(
            "RRCreateMode \"xr-1920x1080@60\" 138.50  1920 1968 2000 2080  1080 1083 1088 1111"
        ),
        "{text}"
    );
    assert!(text.contains("RRSetScreenSize 3840x1080"), "{text}");
    assert!(
        text.contains("RRSetMonitor XR-0 1920x1080+1920+0"),
        "{text}"
    );
    assert_eq!(layout(&server), before);
    assert_eq!(xr_modes(&server), 0);
}

#[test]
fn bad_input_gets_one_clear_line_a_code_and_changes_nothing() {
    let server = XServer::dummy();
    add_second_monitor(&server);
    cli(
        &server,
        &["enable", "--output", "XR-1", "--backend", "monitor"],
    )
    .ok();
    let before = layout(&server);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["enable", "--right-of", "HDMI-9"], 2, "HDMI-9"),
        (&["enable", "--right-of", "XR-0"], 2, "itself"),
        (
            &["enable", "--output", "DUMMY0"],
            2,
            "connected output in use",
        ),
        (
            &["enable", "--backend", "monitor", "--output", "DUMMY3"],
            2,
            "already an output",
        ),
        (&["enable", "--backend", "xr-manager"], 4, "XR-Manager"),
        (
            &["enable", "--output", "XR-1", "--backend", "spare-output"],
            2,
            "monitor backend",
        ),
        (&["enable", "--size", "0x0"], 2, "too small"),
        (&["enable", "--size", "1x1"], 2, "too small"),
        (&["enable", "--size", "100000x100000"], 2, "too large"),
        (&["enable", "--size", "wide"], 2, "WIDTHxHEIGHT"),
        (&["enable", "--size", "1920x"], 2, "WIDTHxHEIGHT"),
        (&["enable", "--pos", "-10,0"], 2, "negative"),
        (&["enable", "--pos", "100,100"], 2, "overlap"),
        (&["enable", "--refresh", "0"], 2, "refresh"),
        (
            &["enable", "--size", "16384x16384", "--below", "DUMMY0"],
            2,
            "pixel clock",
        ),
        (
            &["enable", "--right-of", "DUMMY0", "--left-of", "DUMMY0"],
            2,
            "cannot be used with",
        ),
        (&["enable", "--output", "bad:name"], 2, "no output named"),
        (&["enable", "--output", "HDMI-9"], 2, "DUMMY0, DUMMY1"),
        (
            &["enable", "--backend", "spare-output", "--output", "NOPE_X"],
            2,
            "XR-<n>",
        ),
        (
            &["enable", "--backend", "anchored"],
            4,
            "no connected XR glasses",
        ),
        (&["disable", "--output", "DUMMY0"], 2, "refusing"),
        (&["frobnicate"], 2, "unrecognized subcommand"),
    ];
    for (args, code, needle) in cases {
        let run = cli(&server, args);
        let message = run.fails(*code);
        assert!(message.contains(needle), "{args:?}: {message}");
        assert_eq!(layout(&server), before, "{args:?} changed the layout");
    }
}

#[test]
fn an_unreachable_server_is_exit_code_3() {
    let none = xrdisplay(BIN, None, &["status"], &[]);
    assert!(none.fails(3).contains("DISPLAY is not set"), "{none:?}");
    let gone = xrdisplay(BIN, Some(":4242"), &["enable"], &[]);
    assert!(gone.fails(3).contains("cannot connect"), "{gone:?}");
}

#[test]
#[cfg_attr(
    not(feature = "test-hooks"),
    ignore = "needs the test-hooks feature (scripts/test builds with it)"
)]
fn a_failure_at_any_step_restores_the_previous_layout() {
    let server = XServer::dummy();
    add_second_monitor(&server);
    cli(
        &server,
        &[
            "enable",
            "--output",
            "XR-1",
            "--backend",
            "monitor",
            "--below",
            "DUMMY0",
        ],
    )
    .ok();
    let before = layout(&server);
    let plan: serde_json::Value = serde_json::from_str(
        cli(
            &server,
            &[
                "enable",
                "--left-of",
                "DUMMY0",
                "--size",
                "2560x1440",
                "--primary",
                "--dry-run",
                "--json",
            ],
        )
        .ok(),
    )
    .unwrap();
    let steps = plan["requests"].as_array().unwrap().len();
    assert!(steps >= 6, "{plan}");
    for fail_after in 0..=steps {
        let run = xrdisplay(
            BIN,
            Some(server.display()),
            &[
                "enable",
                "--left-of",
                "DUMMY0",
                "--size",
                "2560x1440",
                "--primary",
            ],
            &[("XRDISPLAY_TEST_FAIL_AFTER", &fail_after.to_string())],
        );
        if fail_after == steps {
            run.ok();
            cli(&server, &["disable"]).ok();
        } else {
            let message = run.fails(1);
            assert!(
                message.contains("injected failure") && message.contains("restored"),
                "{message}"
            );
        }
        assert_eq!(
            layout(&server),
            before,
            "failing after {fail_after} requests"
        );
        assert_eq!(
            xr_modes(&server),
            0,
            "modes left after failing at {fail_after}"
        );
    }
}

#[test]
#[cfg_attr(
    not(feature = "test-hooks"),
    ignore = "needs the test-hooks feature (scripts/test builds with it)"
)]
fn a_server_killed_mid_command_is_a_clean_exit_code_3() {
    let mut server = XServer::dummy();
    let mut command = Command::new(BIN);
    command
        .args(["enable", "--left-of", "DUMMY0"])
        .env("DISPLAY", server.display())
        .env("XRDISPLAY_TEST_PAUSE_AFTER", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The command pauses after two requests; the server dies there.
    let mut stderr = child.stderr.take().unwrap();
    let mut first = [0u8; 24];
    std::io::Read::read_exact(&mut stderr, &mut first).unwrap();
    assert!(String::from_utf8_lossy(&first).starts_with("xrdisplay: paused"));
    server.kill();
    stdin.write_all(b"\n").unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{rest}");
    assert!(
        rest.contains("lost the connection to the X server"),
        "{rest}"
    );
    assert!(!rest.contains("panicked"), "{rest}");
}

#[test]
fn config_file_supplies_defaults_and_bad_files_name_line_and_key() {
    let server = XServer::dummy();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "size = \"1280x800\"\nbelow = \"DUMMY0\"\n").unwrap();
    let with_file = |args: &[&str]| {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("DISPLAY", server.display())
            .env("XRDISPLAY_CONFIG", &file);
        run_command(command)
    };
    let config = with_file(&["config"]);
    assert!(
        config.ok().contains("size = \"1280x800\"") && config.stdout.contains("below = \"DUMMY0\""),
        "{config:?}"
    );
    with_file(&["enable"]).ok();
    assert_eq!(layout(&server).outputs["DUMMY1"], g("1280x800+0+1080"));
    let flagged = with_file(&["enable", "--size", "1024x768"]);
    flagged.ok();
    assert_eq!(layout(&server).outputs["DUMMY1"], g("1024x768+0+1080"));

    std::fs::write(&file, "size = \"1280x800\"\nrefresh = \"fast\"\n").unwrap();
    let before: Layout = layout(&server);
    let bad = with_file(&["enable"]);
    let message = bad.fails(2);
    assert!(
        message.contains(&format!("{}:2: key `refresh`", file.display())),
        "{message}"
    );
    assert_eq!(layout(&server), before);
}
