//! Capture and the render loop on a second kernel driver: vkms, the kernel's virtual
//! KMS driver (Debian does not ship it; `scripts/vm/build` builds it from
//! linux-source), under Debian's Xorg and the modesetting driver in the QEMU guest.
//! virtio-gpu is loaded too (card0, unused), so xrdisplay must find the card that
//! really scans out the X screen. vkms has one output and no spare, so XR-0 is a
//! RandR 1.5 monitor over the extended screen.

use xrdisplay_harness::{assert_passes_in_guest, in_guest};

#[test]
fn snapshots_and_the_loop_on_vkms_show_the_picture() {
    assert_passes_in_guest("vkms", "guest::every_method");
}

mod guest {
    use super::*;
    use xrdisplay_harness::{
        assert_loop_shows_the_pattern, assert_snapshots_are_the_pattern, draw_pattern, xrdisplay,
    };

    const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

    #[test]
    #[ignore = "runs inside the QEMU guest; started by snapshots_and_the_loop_on_vkms_show_the_picture"]
    fn every_method() {
        assert!(in_guest(), "run through scripts/vm/run --server vkms");
        let share = std::env::var("XRDISPLAY_VM_SHARE").expect("share directory");
        let cli = |args: &[&str]| xrdisplay(BIN, Some(":0"), args, &[]);
        let enabled = cli(&["enable", "--size", "640x480"]);
        assert!(enabled.ok().contains("monitor backend"), "{enabled:?}");
        let status: serde_json::Value =
            serde_json::from_str(cli(&["status", "--json"]).ok()).unwrap();
        let xr = &status["xr"]["geometry"];
        let (x, y) = (xr["x"].as_i64().unwrap(), xr["y"].as_i64().unwrap());
        let _picture = draw_pattern(":0", (x as i16, y as i16, 640, 480));
        let rect = format!("640x480+{x}+{y}");
        assert_snapshots_are_the_pattern(BIN, &[], &share, &rect);
        // The loop imports vkms' scanout buffer through GBM on vkms' card, or uploads
        // mmap copies, and shows exactly the picture.
        for said in assert_loop_shows_the_pattern(BIN, &[], &share) {
            assert!(said.contains("/dev/dri/card1"), "{said}");
        }
    }
}
