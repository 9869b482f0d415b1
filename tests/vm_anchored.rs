//! What GTK (and so XFCE) sees of XR-0 on a real kernel driver with stock Xorg and
//! the modesetting driver: virtio-gpu in the QEMU guest, with `Virtual-2` forced
//! connected by the kernel (`video=Virtual-2:e`) as a plugged-in monitor would be. It
//! stands in for the glasses once its EDID names "XREAL Air". GTK is asked with no
//! probing request between the change and the question.

use xrdisplay_harness::{assert_passes_in_guest_with, in_guest};

#[test]
fn gtk_sees_the_anchored_xr_monitor_and_not_a_spare_output() {
    assert_passes_in_guest_with(
        &["--server", "modesetting", "--connect", "Virtual-2"],
        "guest::anchored_on_the_glasses",
    );
}

mod guest {
    use super::*;
    use xrdisplay_harness::{gtk_monitors, layout, set_edid, xrdisplay, XServer};

    const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

    #[test]
    #[ignore = "runs inside the QEMU guest; started by gtk_sees_the_anchored_xr_monitor_and_not_a_spare_output"]
    fn anchored_on_the_glasses() {
        assert!(in_guest(), "run through scripts/vm/run --connect Virtual-2");
        let server = XServer::attach(":0");
        // No render loop: this is about the layout.
        let cli = |args: &[&str]| xrdisplay(BIN, Some(":0"), args, &[("XDG_RUNTIME_DIR", "")]);
        // The desktop puts the plugged-in monitor beside the first.
        let lit = server.run(
            "xrandr",
            &[
                "--output",
                "Virtual-2",
                "--mode",
                "1024x768",
                "--right-of",
                "Virtual-1",
            ],
        );
        assert!(lit.status.success(), "{lit:?}");
        let before = layout(&server);
        let first = before.outputs["Virtual-1"].clone();
        let first_width: i32 = first.split('x').next().unwrap().parse().unwrap();
        let xr_x = first_width + 1024;

        // Without glasses the XR screen goes on the free connector Virtual-3, which is
        // disconnected: xrdisplay says GTK will not see it, and GTK does not.
        let spare: serde_json::Value =
            serde_json::from_str(cli(&["enable", "--size", "800x600", "--json"]).ok()).unwrap();
        let probes = server.probes();
        assert_eq!(spare["backend"], "spare-output", "{spare}");
        assert_eq!(spare["randr_output"], "Virtual-3", "{spare}");
        assert_eq!(spare["visible_to_gtk"], false, "{spare}");
        assert!(
            spare["gtk_note"]
                .as_str()
                .unwrap()
                .contains("nothing plugged in"),
            "{spare}"
        );
        let gtk = gtk_monitors(&server, probes);
        assert!(
            !gtk.iter()
                .any(|m| m.ends_with(&format!("800x600+{xr_x}+0"))),
            "GTK lists the spare output: {gtk:?}"
        );
        let status: serde_json::Value =
            serde_json::from_str(cli(&["status", "--json"]).ok()).unwrap();
        assert_eq!(status["xr"]["visible_to_gtk"], false, "{status}");
        cli(&["disable"]).ok();
        assert_eq!(layout(&server), before);

        // With glasses on Virtual-2, plain enable anchors XR-0 on them and GTK lists it
        // at its own geometry, with no CRTC spent on it.
        set_edid(":0", "Virtual-2", "XREAL Air");
        let anchored: serde_json::Value =
            serde_json::from_str(cli(&["enable", "--size", "1024x768", "--json"]).ok()).unwrap();
        let probes = server.probes();
        assert_eq!(anchored["backend"], "anchored", "{anchored}");
        assert_eq!(anchored["visible_to_gtk"], true, "{anchored}");
        let gtk = gtk_monitors(&server, probes);
        assert!(
            gtk.contains(&format!("Virtual-2 1024x768+{xr_x}+0")),
            "GTK does not list XR-0: {gtk:?}"
        );
        assert!(
            gtk.contains(&format!("Virtual-1 {first}")),
            "GTK lost Virtual-1: {gtk:?}"
        );
        let l = layout(&server);
        l.assert_monitors_apart();
        assert_eq!(
            l.monitors["XR-0"],
            (format!("1024x768+{xr_x}+0"), vec!["Virtual-2".to_string()])
        );
        assert_eq!(l.outputs.len(), before.outputs.len(), "a CRTC was spent");
        cli(&["disable"]).ok();
        assert_eq!(layout(&server), before);
        eprintln!("guest: GTK listed {gtk:?}");
    }
}
