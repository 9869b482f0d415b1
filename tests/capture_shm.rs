//! `xrdisplay snapshot` and `bench` through MIT-SHM on a real Xorg (dummy driver) and
//! Xvfb: what was drawn on the XR output comes back pixel for pixel.

use xrdisplay_harness::{assert_is_pattern, draw_pattern, read_png_rgb, xrdisplay, Run, XServer};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

fn cli(server: &XServer, args: &[&str]) -> Run {
    xrdisplay(BIN, Some(server.display()), args, &[])
}

#[test]
fn a_snapshot_of_the_xr_output_is_exactly_what_was_drawn_there() {
    let server = XServer::dummy();
    cli(&server, &["enable", "--size", "800x600"]).ok();
    let _picture = draw_pattern(server.display(), (1920, 0, 800, 600));
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("xr.png");
    let out = cli(
        &server,
        &["snapshot", "--method", "shm", "-o", png.to_str().unwrap()],
    );
    assert!(out.ok().contains("800x600+1920+0"), "{}", out.stdout);
    let (w, h, rgb) = read_png_rgb(&png);
    assert_eq!((w, h), (800, 600));
    assert_is_pattern(w, h, &rgb);

    // auto falls back to MIT-SHM where there is no DRM device.
    let auto = dir.path().join("auto.png");
    cli(&server, &["snapshot", "-o", auto.to_str().unwrap()]).ok();
    assert_eq!(read_png_rgb(&auto).2, rgb);
}

#[test]
fn the_monitor_backend_is_captured_on_xvfb_too() {
    let server = XServer::xvfb_with_room(1024, 768);
    cli(
        &server,
        &[
            "enable",
            "--size",
            "1024x768",
            "--pos",
            "1024,0",
            "--backend",
            "monitor",
        ],
    )
    .ok();
    let _picture = draw_pattern(server.display(), (1024, 0, 1024, 768));
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("xr.png");
    cli(&server, &["snapshot", "-o", png.to_str().unwrap()]).ok();
    let (w, h, rgb) = read_png_rgb(&png);
    assert_is_pattern(w, h, &rgb);
}

#[test]
fn snapshot_errors_are_one_clear_line() {
    let server = XServer::dummy();
    let missing = cli(&server, &["snapshot", "-o", "/tmp/never.png"]);
    assert!(
        missing.fails(2).contains("XR-0 is not on the screen"),
        "{missing:?}"
    );
    cli(&server, &["enable"]).ok();
    let unwritable = cli(
        &server,
        &[
            "snapshot",
            "--method",
            "shm",
            "-o",
            "/nonexistent-dir/x.png",
        ],
    );
    assert!(
        unwritable
            .fails(1)
            .contains("cannot write /nonexistent-dir/x.png"),
        "{unwritable:?}"
    );
}

#[test]
fn bench_reports_the_copy_next_to_memcpy_and_an_idle_desktop_costs_nothing() {
    let server = XServer::dummy();
    cli(&server, &["enable", "--size", "640x480"]).ok();
    let out = cli(
        &server,
        &["bench", "--method", "shm", "--frames", "5", "--json"],
    );
    let report: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    assert_eq!(report["method"], "shm");
    assert_eq!(report["frames"], 5);
    assert_eq!(report["bytes_per_frame"], 640 * 480 * 4);
    for key in [
        "copy_median_us",
        "memcpy_median_us",
        "copy_vs_memcpy",
        "client_cpu_us_per_frame",
    ] {
        assert!(
            report[key].as_f64().is_some_and(|v| v > 0.0),
            "{key}: {report}"
        );
    }
    // The X server is local, so its CPU time is counted too.
    assert!(report["server_cpu_us_per_frame"].is_number(), "{report}");
    assert_eq!(report["idle_copies"], 0, "{report}");
    // What DAMAGE saves: a change of 1 % of the output is read alone.
    let small = &report["small_change"];
    assert_eq!(
        (small["width"].as_u64(), small["height"].as_u64()),
        (Some(64), Some(48)),
        "{report}"
    );
    assert!(
        small["copy_median_us"].as_f64().is_some_and(|v| v > 0.0),
        "{report}"
    );
}

#[test]
fn damage_reports_what_was_drawn_inside_the_watched_rectangle_only() {
    use std::time::Duration;
    use xrdisplay_capture::damage::DamageWatch;
    use xrdisplay_model::Rect;

    let server = XServer::dummy();
    cli(&server, &["enable", "--size", "800x600"]).ok();
    let xr = Rect {
        x: 1920,
        y: 0,
        width: 800,
        height: 600,
    };
    let mut watch = DamageWatch::connect(Some(server.display())).unwrap();
    let wait = Duration::from_millis(300);
    assert_eq!(
        watch.take(xr).unwrap(),
        vec![xr.at(0, 0)],
        "the first take is everything"
    );
    assert_eq!(watch.wait(xr, wait).unwrap(), vec![], "nothing drawn");

    let _outside = draw_pattern(server.display(), (0, 0, 300, 200));
    assert_eq!(watch.wait(xr, wait).unwrap(), vec![], "drawn beside it");

    let _inside = draw_pattern(server.display(), (2000, 100, 64, 32));
    let damage = watch.wait(xr, wait).unwrap();
    let bounds = damage.iter().fold(Rect::default(), |b, r| b.union(r));
    assert_eq!(bounds, Rect::new(80, 100, 64, 32), "{damage:?}");
}

#[test]
fn read_into_puts_each_damaged_rectangle_at_its_place_in_the_frame() {
    use xrdisplay_capture::drm::FbSource;
    use xrdisplay_capture::frame::Frame;
    use xrdisplay_capture::reader::{Reader, Target};
    use xrdisplay_capture::ErrorKind;
    use xrdisplay_model::{CaptureMethod, Rect};

    let server = XServer::dummy();
    cli(&server, &["enable", "--size", "800x600"]).ok();
    let _picture = draw_pattern(server.display(), (1920, 0, 800, 600));
    let target = Target {
        source: FbSource::Front,
        rect: Rect::new(1920, 0, 800, 600),
        connector: None,
        framebuffer_id: None,
        output: None,
    };
    let (mut reader, method, _) =
        Reader::open(server.display(), (2720, 1080), &target, CaptureMethod::Shm).unwrap();
    assert_eq!(method, CaptureMethod::Shm);
    let whole = reader.grab(target.rect).unwrap();
    let pixel = |frame: &Frame, x: u32, y: u32| {
        let at = ((y * frame.width + x) * 4) as usize;
        frame.data[at..at + 4].to_vec()
    };
    // Scattered (a request each) and side by side (one request for the batch).
    let scattered = [Rect::new(0, 0, 10, 10), Rect::new(700, 500, 100, 100)];
    let in_a_row = [Rect::new(100, 300, 50, 20), Rect::new(150, 300, 50, 20)];
    for rects in [&scattered[..], &in_a_row[..]] {
        let mut frame = Frame::blank(800, 600, whole.format);
        reader.read_into(&mut frame, rects).unwrap();
        for y in 0..600 {
            for x in 0..800 {
                let damaged = rects.iter().any(|r| r.contains_point(x as i32, y as i32));
                let expected = if damaged {
                    pixel(&whole, x, y)
                } else {
                    vec![0; 4]
                };
                assert_eq!(pixel(&frame, x, y), expected, "({x}, {y}) of {rects:?}");
            }
        }
    }
    // A rectangle past the frame refuses the batch, and nothing is written.
    let mut frame = Frame::blank(800, 600, whole.format);
    let err = reader
        .read_into(
            &mut frame,
            &[Rect::new(0, 0, 5, 5), Rect::new(790, 0, 20, 5)],
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Geometry, "{err}");
    assert!(frame.data.iter().all(|&b| b == 0));
}
