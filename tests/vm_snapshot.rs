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
    use xrdisplay_harness::{assert_is_pattern, draw_pattern, read_png_rgb, xrdisplay};

    const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

    #[test]
    #[ignore = "runs inside the QEMU guest; started by snapshots_by_dmabuf_mmap_and_shm_match_the_picture"]
    fn every_method() {
        assert!(in_guest(), "run through scripts/vm/run");
        let share = std::env::var("XRDISPLAY_VM_SHARE").expect("share directory");
        let cli = |args: &[&str]| xrdisplay(BIN, Some(":0"), args, &[]);
        cli(&[
            "enable",
            "--output",
            "Virtual-2",
            "--size",
            "640x480",
            "--right-of",
            "Virtual-1",
        ])
        .ok();
        let _picture = draw_pattern(":0", (1280, 0, 640, 480));
        for method in ["dmabuf", "mmap", "shm", "auto"] {
            let png = format!("{share}/{method}.png");
            let out = cli(&[
                "snapshot",
                "--output",
                "Virtual-2",
                "--method",
                method,
                "-o",
                &png,
            ]);
            let expected = if method == "auto" { "dmabuf" } else { method };
            let said = out.ok();
            assert!(
                said.contains("640x480+1280+0") && said.contains(&format!("by {expected},")),
                "{out:?}"
            );
            let (w, h, rgb) = read_png_rgb(std::path::Path::new(&png));
            assert_eq!((w, h), (640, 480), "{method}");
            assert_is_pattern(w, h, &rgb);
        }
        // The render loop imports the scanout buffer itself through GBM on the guest's
        // card, or uploads mmap copies, and shows exactly the picture. Softpipe: Mesa
        // 22.3's llvmpipe draws imported buffers wrongly (the renderer refuses imports
        // there, see tests/gpu_dmabuf_vm.rs) and its JIT code crashes under TCG.
        for (method, how) in [("dmabuf", "zero-copy import"), ("mmap", "copy and upload")] {
            let glasses = format!("{share}/glasses-{method}.png");
            let run = xrdisplay(
                BIN,
                Some(":0"),
                &[
                    "run",
                    "--output",
                    "Virtual-2",
                    "--present",
                    "none",
                    "--imu",
                    "none",
                    "--method",
                    method,
                    "--frames",
                    "3",
                    "--save-frame",
                    &glasses,
                ],
                &[("GALLIUM_DRIVER", "softpipe")],
            );
            run.ok();
            assert!(run.stderr.contains(how), "{method}: {run:?}");
            let (w, h, rgb) = read_png_rgb(std::path::Path::new(&glasses));
            assert_eq!((w, h), (640, 480));
            assert_is_pattern(w, h, &rgb);
        }

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
