//! `xrdisplay` against a real Xvfb: one output, one CRTC, a fixed maximum screen size.
//! No spare output exists, so `auto` falls back to a RandR 1.5 monitor.

use xrdisplay_harness::{layout, xrdisplay, Run, XServer};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

fn cli(server: &XServer, args: &[&str]) -> Run {
    xrdisplay(BIN, Some(server.display()), args, &[])
}

fn xvfb_with_room_for_one_more() -> XServer {
    XServer::xvfb_with_room(1920, 1080)
}

#[test]
fn auto_falls_back_to_a_monitor_and_disable_restores_the_screen() {
    let server = xvfb_with_room_for_one_more();
    let before = layout(&server);
    assert_eq!(before.screen, (1920, 1080));
    let out = cli(&server, &["enable"]);
    assert!(out.ok().contains("monitor backend"), "{}", out.stdout);
    let l = layout(&server);
    assert_eq!(l.screen, (3840, 1080));
    assert_eq!(l.monitors["XR-0"], ("1920x1080+1920+0".to_string(), vec![]));
    cli(&server, &["enable"]).ok();
    assert_eq!(layout(&server), l, "a second enable changed something");
    cli(&server, &["disable"]).ok();
    assert_eq!(layout(&server), before);
}

#[test]
fn a_screen_beyond_the_servers_maximum_is_refused_cleanly() {
    let server = xvfb_with_room_for_one_more();
    let before = layout(&server);
    let run = cli(&server, &["enable", "--size", "2560x1440"]);
    let message = run.fails(4);
    assert!(message.contains("maximum 3840x1080"), "{message}");
    assert_eq!(layout(&server), before);
    let spare = cli(&server, &["enable", "--backend", "spare-output"]);
    assert!(spare.fails(4).contains("no spare output"), "{spare:?}");
}
