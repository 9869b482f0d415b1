//! Checks the guest tests (`tests/vm_*.rs`) share: every capture method, and the
//! render loop, show exactly the test pattern drawn over the XR output on :0.

use std::path::Path;

use crate::{assert_is_pattern, draw_pattern, read_png_rgb, xrdisplay, Picture};

/// Softpipe: Mesa 22.3's llvmpipe draws imported buffers wrongly (the renderer refuses
/// imports there) and its JIT code crashes under TCG.
const SOFTPIPE: [(&str, &str); 1] = [("GALLIUM_DRIVER", "softpipe")];

/// Enables the modesetting guest's XR output, Virtual-2, at 640x480 right of
/// Virtual-1 (so at 1280,0), with `bin`.
pub fn enable_virtual_2(bin: &str) {
    let args = ["enable", "--output", "Virtual-2", "--size", "640x480"];
    xrdisplay(
        bin,
        Some(":0"),
        &[&args[..], &["--right-of", "Virtual-1"]].concat(),
        &[],
    )
    .ok();
}

/// [`enable_virtual_2`], with the test pattern drawn over it (kept while the
/// returned picture lives).
pub fn virtual_2_with_pattern(bin: &str) -> Picture {
    enable_virtual_2(bin);
    draw_pattern(":0", (1280, 0, 640, 480))
}

/// `xrdisplay snapshot OUTPUT_ARGS` by dmabuf, mmap, shm and auto (which must pick
/// dmabuf) into `share`: each says `rect` and its method and is exactly the pattern.
pub fn assert_snapshots_are_the_pattern(bin: &str, output_args: &[&str], share: &str, rect: &str) {
    for method in ["dmabuf", "mmap", "shm", "auto"] {
        let png = format!("{share}/{method}.png");
        let mut args = vec!["snapshot", "--method", method, "-o", &png];
        args.extend_from_slice(output_args);
        let out = xrdisplay(bin, Some(":0"), &args, &[]);
        let expected = if method == "auto" { "dmabuf" } else { method };
        let said = out.ok();
        assert!(
            said.contains(rect) && said.contains(&format!("by {expected},")),
            "{out:?}"
        );
        assert_png_is_pattern(&png, method);
    }
}

/// `xrdisplay run OUTPUT_ARGS` offscreen for 3 frames, importing (dmabuf) and then
/// uploading (mmap): each says so and saves exactly the pattern. Returns each run's
/// stderr.
pub fn assert_loop_shows_the_pattern(bin: &str, output_args: &[&str], share: &str) -> Vec<String> {
    let mut said = Vec::new();
    for (method, how) in [("dmabuf", "zero-copy import"), ("mmap", "copy and upload")] {
        let png = format!("{share}/glasses-{method}.png");
        let mut args = vec!["run", "--present", "none", "--imu", "none", "--frames", "3"];
        args.extend_from_slice(&["--method", method, "--save-frame", &png]);
        args.extend_from_slice(output_args);
        let run = xrdisplay(bin, Some(":0"), &args, &SOFTPIPE);
        run.ok();
        assert!(run.stderr.contains(how), "{method}: {run:?}");
        assert_png_is_pattern(&png, method);
        said.push(run.stderr);
    }
    said
}

fn assert_png_is_pattern(png: &str, what: &str) {
    let (w, h, rgb) = read_png_rgb(Path::new(png));
    assert_eq!((w, h), (640, 480), "{what}");
    assert_is_pattern(w, h, &rgb);
}
