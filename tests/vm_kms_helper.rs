//! The capture helper on a real kernel DRM device (virtio-gpu, Debian's Xorg with the
//! modesetting driver, in the QEMU guest): installed with `xrdisplay install
//! capture-helper` on a tmpfs, it lets an unprivileged `xrdisplay snapshot` read the
//! scanout by DMA-BUF and mmap pixel for pixel, and it refuses a framebuffer that no
//! CRTC scans out.
//!
//! The test drives the `xrdisplay` binary built next to the helper (`cargo test
//! --workspace` builds both).

use xrdisplay_harness::assert_passes_in_guest;

#[test]
fn an_unprivileged_snapshot_reads_the_scanout_through_the_helper() {
    assert_passes_in_guest("modesetting", "guest::unprivileged_capture");
}

mod guest {
    use std::fs::File;
    use std::os::fd::{AsFd, BorrowedFd};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use drm::control::Device as _;
    use xrdisplay_capture::helper::Helper;
    use xrdisplay_capture::Error;
    use xrdisplay_harness::{
        assert_is_pattern, in_guest, read_png_rgb, run_command, virtual_2_with_pattern, xrdisplay,
        Run,
    };

    const HELPER: &str = env!("CARGO_BIN_EXE_xrdisplay-kms");
    /// A tmpfs in the guest (not mounted nosuid, so file capabilities apply).
    const DIR: &str = "/run/xrdisplay-kms-test";
    const NOBODY: &str = "65534";

    struct Card(File);
    impl AsFd for Card {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.0.as_fd()
        }
    }
    impl drm::Device for Card {}
    impl drm::control::Device for Card {}

    fn xrdisplay_bin() -> PathBuf {
        let bin = Path::new(HELPER).with_file_name("xrdisplay");
        assert!(bin.exists(), "{bin:?} missing: cargo build --workspace");
        bin
    }

    /// Runs xrdisplay as uid/gid 65534 with no groups and a bare environment.
    fn as_nobody(args: &[&str], kms: Option<&str>) -> Run {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups"])
            .args(["env", "-i", "DISPLAY=:0", "XDG_CONFIG_HOME=/nonexistent"])
            .args(kms.map(|k| format!("XRDISPLAY_KMS={k}")))
            .arg(xrdisplay_bin())
            .args(args);
        run_command(command)
    }

    #[test]
    #[ignore = "runs inside the QEMU guest; started by an_unprivileged_snapshot_reads_the_scanout_through_the_helper"]
    fn unprivileged_capture() {
        assert!(in_guest(), "run through scripts/vm/run");
        let bin = xrdisplay_bin();
        let bin = bin.to_str().unwrap();
        let cli = |args: &[&str]| xrdisplay(bin, Some(":0"), args, &[]);
        let _picture = virtual_2_with_pattern(bin);

        let helper_dir = format!("{DIR}/libexec");
        let installed = cli(&[
            "install",
            "capture-helper",
            "--from",
            HELPER,
            "--helper-dir",
            &helper_dir,
        ]);
        assert!(installed.ok().contains("cap_sys_admin+ep"), "{installed:?}");
        let helper = format!("{helper_dir}/xrdisplay-kms");
        let getcap = Command::new("getcap").arg(&helper).output().unwrap();
        let getcap = String::from_utf8_lossy(&getcap.stdout);
        assert!(getcap.contains("cap_sys_admin=ep"), "{getcap}");
        println!("{}", getcap.trim());

        // What a desktop session's ACL gives the seat user; output goes to a tmpfs
        // (the share and the host root are not writable by uid 65534).
        std::fs::set_permissions(
            "/dev/dri/card0",
            std::os::unix::fs::PermissionsExt::from_mode(0o666),
        )
        .unwrap();
        let out_dir = format!("{DIR}/out");
        std::fs::create_dir_all(&out_dir).unwrap();
        std::fs::set_permissions(
            &out_dir,
            std::os::unix::fs::PermissionsExt::from_mode(0o777),
        )
        .unwrap();

        // Without the helper an unprivileged process gets no buffer handles.
        let png = format!("{out_dir}/none.png");
        let snapshot = [
            "snapshot",
            "--output",
            "Virtual-2",
            "--method",
            "dmabuf",
            "-o",
            &png,
        ];
        let refused = as_nobody(&snapshot, None);
        assert!(
            refused
                .fails(4)
                .contains("sudo xrdisplay install capture-helper"),
            "{refused:?}"
        );

        // `auto` then falls back to the X server and says what would help.
        let png = format!("{out_dir}/auto-shm.png");
        let auto = ["snapshot", "--output", "Virtual-2", "-o", &png];
        let fallback = as_nobody(&auto, None);
        assert!(
            fallback
                .ok()
                .contains("XRGB8888 from the screen 640x480+1280+0 through the X server by shm,"),
            "{fallback:?}"
        );
        assert!(
            fallback.stderr.contains("install capture-helper"),
            "{fallback:?}"
        );

        let status = as_nobody(&["status"], Some(&helper));
        assert!(
            status
                .ok()
                .contains("DRM access through the capture helper"),
            "{status:?}"
        );
        for method in ["dmabuf", "mmap", "auto"] {
            let png = format!("{out_dir}/{method}.png");
            let out = as_nobody(
                &[
                    "snapshot",
                    "--output",
                    "Virtual-2",
                    "--method",
                    method,
                    "-o",
                    &png,
                ],
                Some(&helper),
            );
            let used = if method == "auto" { "dmabuf" } else { method };
            assert!(
                out.ok().contains(&format!(
                    "XRGB8888 from the front buffer 640x480+1280+0 by {used},"
                )),
                "{out:?}"
            );
            let (w, h, rgb) = read_png_rgb(Path::new(&png));
            assert_eq!((w, h), (640, 480), "{method}");
            assert_is_pattern(w, h, &rgb);
            println!("uid 65534, {method} through the helper: 640x480 matches the pattern");
        }

        // A framebuffer of another client that nothing scans out is refused, and one
        // that does not exist is reported gone.
        let card = Card(
            File::options()
                .read(true)
                .write(true)
                .open("/dev/dri/card0")
                .unwrap(),
        );
        let db = card
            .create_dumb_buffer((64, 32), drm::buffer::DrmFourcc::Xrgb8888, 32)
            .unwrap();
        let fb = card.add_framebuffer(&db, 24, 32).unwrap();
        let fb_id = u32::from(fb);
        let mut running = Helper::spawn(Path::new(&helper)).unwrap();
        match running.export(0, fb_id) {
            Err(Error::Permission(m)) => {
                assert!(m.contains("not scanned out"), "{m}");
                println!("off-screen framebuffer {fb_id}: {m}");
            }
            other => panic!("framebuffer {fb_id} not refused: {:?}", other.map(|e| e.0)),
        }
        card.destroy_framebuffer(fb).unwrap();
        assert!(matches!(
            running.export(0, fb_id),
            Err(Error::Vanished(_)) | Err(Error::Permission(_))
        ));
        // Still answering after the refusals: the front buffer is exported.
        let res = card.resource_handles().unwrap();
        let front = res
            .crtcs()
            .iter()
            .find_map(|&c| card.get_crtc(c).unwrap().framebuffer())
            .expect("a lit CRTC");
        let (exported, fds) = running.export(0, u32::from(front)).unwrap();
        assert_eq!((exported.width, exported.height), (1920, 800));
        assert_eq!(fds.len(), 1);
        println!("front buffer {}: {exported:?}", u32::from(front));
    }
}
