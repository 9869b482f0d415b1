//! `xrdisplay snapshot` by every method on a real kernel DRM device: Debian's Xorg with
//! the modesetting driver on virtio-gpu in the QEMU guest, a spare output (Virtual-2)
//! enabled by xrdisplay, a known picture drawn over it.

use xrdisplay_harness::{assert_passes_in_guest, in_guest};

#[test]
fn snapshots_by_dmabuf_mmap_and_shm_match_the_picture() {
    assert_passes_in_guest("modesetting", "guest::every_method");
}

mod guest {
    use super::*;
    use xrdisplay_capture::drm::device::Card;
    use xrdisplay_capture::drm::{DrmCapture, DrmMethod, FbSource};
    use xrdisplay_harness::{
        assert_is_pattern, assert_loop_shows_the_pattern, assert_snapshots_are_the_pattern,
        draw_pattern, enable_virtual_2, read_png_rgb, virtual_2_with_pattern, xrdisplay,
    };
    use xrdisplay_model::Rect;

    const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

    /// A running loop reading the front buffer by DMA-BUF goes on to the new front
    /// buffer when the output is resized under it (the screen grows, so the X server
    /// allocates and scans out a new framebuffer).
    fn follows_a_resize_mid_capture(share: &str) {
        // The control socket cannot live on the 9p share; /run is the guest's tmpfs.
        let runtime = "/run/xrdisplay-test";
        std::fs::create_dir_all(runtime).unwrap();
        let env = [("XDG_RUNTIME_DIR", runtime), ("GALLIUM_DRIVER", "softpipe")];
        let cli = |args: &[&str]| xrdisplay(BIN, Some(":0"), args, &env);
        let glasses = format!("{share}/resized.png");
        let mut run = std::process::Command::new(BIN);
        run.args([
            "run",
            "--output",
            "Virtual-2",
            "--present",
            "none",
            "--imu",
            "none",
        ])
        .args([
            "--method",
            "dmabuf",
            "--view-size",
            "800x600",
            "--save-frame",
            &glasses,
        ])
        .env("DISPLAY", ":0")
        .envs(env)
        .stdin(std::process::Stdio::null());
        let child = run.spawn().unwrap();
        let source = || {
            let status: serde_json::Value =
                serde_json::from_str(cli(&["status", "--json", "--output", "Virtual-2"]).ok())
                    .unwrap();
            status["capture_loop"]["status"]["source"].to_string()
        };
        let wait_for = |what: &str| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while !source().contains(what) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "loop source: {}",
                    source()
                );
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
        };
        wait_for("640x480+1280+0");
        cli(&["enable", "--output", "Virtual-2", "--size", "800x600"]).ok();
        wait_for("800x600+1280+0");
        let _picture = draw_pattern(":0", (1280, 0, 800, 600));
        std::thread::sleep(std::time::Duration::from_secs(2));
        // `disable` stops the loop (which saves its last frame) before removing the mode.
        assert!(cli(&["disable", "--output", "Virtual-2"])
            .ok()
            .contains("Capture loop stopped"));
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let (w, h, rgb) = read_png_rgb(std::path::Path::new(&glasses));
        assert_eq!((w, h), (800, 600));
        assert_is_pattern(w, h, &rgb);
        enable_virtual_2(BIN);
    }

    /// `run --present lease` on Virtual-3, an output the desktop does not use: the
    /// loop leases it with a free CRTC, sets its mode and page-flips its own buffers,
    /// and the CRTC scans out exactly the picture on Virtual-2 (read back through the
    /// kernel, as root). When the loop stops, the lease ends and the CRTC goes dark.
    fn presents_through_a_lease() {
        let runtime = "/run/xrdisplay-test";
        std::fs::create_dir_all(runtime).unwrap();
        let env = [("XDG_RUNTIME_DIR", runtime), ("GALLIUM_DRIVER", "softpipe")];
        let xrandr = |args: &[&str]| {
            let out = std::process::Command::new("xrandr")
                .args(args)
                .env("DISPLAY", ":0")
                .output()
                .unwrap();
            assert!(out.status.success(), "xrandr {args:?}: {out:?}");
        };
        // CVT timings of 640x480 at 60 Hz, given to Virtual-3 but not turned on.
        xrandr(&[
            "--newmode",
            "lease-640x480",
            "23.75",
            "640",
            "664",
            "720",
            "800",
            "480",
            "483",
            "487",
            "500",
            "-hsync",
            "+vsync",
        ]);
        xrandr(&["--addmode", "Virtual-3", "lease-640x480"]);
        let mut child = std::process::Command::new(BIN)
            .args(["run", "--output", "Virtual-2", "--present", "lease"])
            .args([
                "--present-on",
                "Virtual-3",
                "--imu",
                "none",
                "--method",
                "mmap",
            ])
            .env("DISPLAY", ":0")
            .envs(env)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = || -> serde_json::Value {
            let said = xrdisplay(
                BIN,
                Some(":0"),
                &["status", "--json", "--output", "Virtual-2"],
                &env,
            );
            serde_json::from_str(said.ok()).unwrap()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let json = status();
            let running = &json["capture_loop"]["status"];
            if running["stats"]["render_fps"].as_f64().unwrap_or(0.0) > 0.0 {
                let present = running["present"].as_str().unwrap();
                assert!(present.starts_with("lease of Virtual-3 640x480"), "{json}");
                break;
            }
            if std::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
                let _ = child.kill();
                panic!(
                    "the loop never presented: {json} {:?}",
                    child.wait_with_output()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        let leased = || leased_framebuffer((640, 480));
        let fb = leased().expect("a CRTC scanning out a 640x480 buffer of the loop");
        let card = Card::open(std::path::Path::new("/dev/dri/card0")).unwrap();
        let frame = DrmCapture::on_card(card)
            .snapshot(
                FbSource::Framebuffer(fb),
                Rect {
                    x: 0,
                    y: 0,
                    width: 640,
                    height: 480,
                },
                DrmMethod::Mmap,
            )
            .unwrap();
        let rgb: Vec<u8> = frame
            .to_rgba()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        assert_is_pattern(640, 480, &rgb);
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        assert_eq!(
            leased(),
            None,
            "the lease ended, and with it the loop's scanout"
        );
    }

    /// The framebuffer of `size` a lit CRTC of the guest's card scans out (the X
    /// screen's own is larger).
    fn leased_framebuffer(size: (u32, u32)) -> Option<u32> {
        use drm::control::Device as _;
        let card = Card::open(std::path::Path::new("/dev/dri/card0")).unwrap();
        let handles = card.resource_handles().unwrap();
        handles.crtcs().iter().find_map(|&crtc| {
            let fb = card.get_crtc(crtc).ok()?.framebuffer()?;
            let info = card.get_framebuffer(fb).ok()?;
            (info.size() == size).then_some(u32::from(fb))
        })
    }

    #[test]
    #[ignore = "runs inside the QEMU guest; started by snapshots_by_dmabuf_mmap_and_shm_match_the_picture"]
    fn every_method() {
        assert!(in_guest(), "run through scripts/vm/run");
        let share = std::env::var("XRDISPLAY_VM_SHARE").expect("share directory");
        let cli = |args: &[&str]| xrdisplay(BIN, Some(":0"), args, &[]);
        let _picture = virtual_2_with_pattern(BIN);
        let output = ["--output", "Virtual-2"];
        assert_snapshots_are_the_pattern(BIN, &output, &share, "640x480+1280+0");
        // The render loop imports the scanout buffer itself through GBM on the guest's
        // card, or uploads mmap copies, and shows exactly the picture.
        assert_loop_shows_the_pattern(BIN, &output, &share);

        // bench puts the render thread's cost of an import next to copy and upload.
        let bench = xrdisplay(
            BIN,
            Some(":0"),
            &[
                "bench",
                "--output",
                "Virtual-2",
                "--method",
                "dmabuf",
                "--frames",
                "3",
                "--json",
            ],
            &[("GALLIUM_DRIVER", "softpipe")],
        );
        let report: serde_json::Value = serde_json::from_str(bench.ok()).unwrap();
        let render = &report["render"];
        assert!(
            render["import_cpu_us_per_frame"].as_f64().unwrap() > 0.0,
            "{report}"
        );
        assert!(
            render["copy_upload_cpu_us_per_frame"].as_f64().unwrap() > 0.0,
            "{report}"
        );
        // A damage batch is read with one framebuffer look-up and one copy of each
        // rectangle, straight into the output's frame.
        for batch in report["batches"].as_array().unwrap() {
            let count = |how: &str, what: &str| batch[how][what].as_f64().unwrap();
            assert_eq!(count("read_into", "copies_per_frame"), 1.0, "{batch}");
            assert_eq!(count("per_rect", "copies_per_frame"), 2.0, "{batch}");
            assert_eq!(
                count("read_into", "frames_allocated_per_frame"),
                0.0,
                "{batch}"
            );
            let (per_rect, read_into) = (
                count("per_rect", "ioctls_per_frame"),
                count("read_into", "ioctls_per_frame"),
            );
            let rects = batch["rects"].as_f64().unwrap();
            assert_eq!(per_rect, read_into * rects, "{batch}");
        }

        presents_through_a_lease();
        follows_a_resize_mid_capture(&share);

        // Only the patched driver's XR outputs have a buffer of their own.
        let own = cli(&[
            "snapshot",
            "--output",
            "Virtual-2",
            "--source",
            "framebuffer-id",
            "-o",
            &format!("{share}/own.png"),
        ]);
        assert!(own.fails(2).contains("no FRAMEBUFFER_ID"), "{own:?}");
    }
}
