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
    use std::num::NonZeroUsize;
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use drm::control::Device as _;
    use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};
    use xrdisplay_capture::helper::Helper;
    use xrdisplay_capture::ErrorKind;
    use xrdisplay_harness::{
        assert_is_pattern, in_guest, read_png_rgb, run_command, virtual_2_with_pattern, xrdisplay,
        Run,
    };

    const HELPER: &str = env!("CARGO_BIN_EXE_xrdisplay-kms");
    /// A tmpfs in the guest (not mounted nosuid, so file capabilities apply).
    const DIR: &str = "/run/xrdisplay-kms-test";
    const NOBODY: &str = "65534";
    const SEAT0: &str = "/run/systemd/seats/seat0";

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

        // The helper serves only the user of the session active on the card's seat (no
        // udev here: seat0). No seat information, then another user's session: refused,
        // and xrdisplay says why; `auto` falls back to the X server saying the same.
        let dmabuf_png = format!("{out_dir}/refused.png");
        let dmabuf = [
            "snapshot",
            "--output",
            "Virtual-2",
            "--method",
            "dmabuf",
            "-o",
            &dmabuf_png,
        ];
        let _ = std::fs::remove_file(SEAT0);
        let no_seat = as_nobody(&dmabuf, Some(&helper));
        assert!(
            no_seat
                .fails(4)
                .contains("refused: no seat information (/run/systemd/seats/seat0: No such file"),
            "{no_seat:?}"
        );
        println!("no seat file: {}", no_seat.stderr.trim());
        let fallback = as_nobody(&auto, Some(&helper));
        assert!(fallback.ok().contains("through the X server by shm,"));
        assert!(
            fallback.stderr.contains("no seat information"),
            "{fallback:?}"
        );
        set_active_uid("0");
        let other = as_nobody(&dmabuf, Some(&helper));
        assert!(
            other
                .fails(4)
                .contains("the session active on seat0 belongs to uid 0, not to uid 65534"),
            "{other:?}"
        );
        println!("root's session active: {}", other.stderr.trim());
        set_active_uid(NOBODY);
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
        // The running helper as uid 65534, as xrdisplay would start it for that user.
        let wrapper = format!("{DIR}/as-nobody");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec /usr/bin/setpriv --reuid {NOBODY} --regid {NOBODY} \
                 --clear-groups {helper}\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(
            &wrapper,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let mut running = Helper::spawn(Path::new(&wrapper)).unwrap();
        match running.export(0, fb_id) {
            Err(e) if e.kind() == ErrorKind::Permission => {
                let m = e.message();
                assert!(m.contains("not scanned out"), "{m}");
                println!("off-screen framebuffer {fb_id}: {m}");
            }
            other => panic!("framebuffer {fb_id} not refused: {:?}", other.map(|e| e.0)),
        }
        card.destroy_framebuffer(fb).unwrap();
        assert!(matches!(
            running.export(0, fb_id).map_err(|e| e.kind()),
            Err(ErrorKind::Vanished | ErrorKind::Permission)
        ));
        // Still answering after the refusals: the front buffer is exported.
        let res = card.resource_handles().unwrap();
        let front = res
            .crtcs()
            .iter()
            .find_map(|&c| card.get_crtc(c).unwrap().framebuffer())
            .expect("a lit CRTC");
        let front = u32::from(front);
        let (exported, fds) = running.export(0, front).unwrap();
        assert_eq!((exported.width, exported.height), (1920, 800));
        assert_eq!(fds.len(), 1);
        println!("front buffer {front}: {exported:?}");
        read_only_export(&card, &fds[0], exported.pitches[0] as usize * 800);

        // Each request checks the seat and opens the card afresh: a session switch, or
        // the device ACL revoked, ends what the running helper gives.
        set_active_uid("0");
        match running.export(0, front) {
            Err(e) if e.kind() == ErrorKind::Permission => {
                assert!(e.message().contains("belongs to uid 0"), "{e}")
            }
            other => panic!("served after a session switch: {:?}", other.map(|e| e.0)),
        }
        set_active_uid(NOBODY);
        std::fs::set_permissions(
            "/dev/dri/card0",
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
        match running.export(0, front) {
            Err(e) if e.kind() == ErrorKind::Unsupported => {
                let m = e.message();
                assert!(m.contains("Permission denied"), "{m}");
                println!("card0 0600: {m}");
            }
            other => panic!(
                "served after the card was revoked: {:?}",
                other.map(|e| e.0)
            ),
        }
        std::fs::set_permissions(
            "/dev/dri/card0",
            std::os::unix::fs::PermissionsExt::from_mode(0o666),
        )
        .unwrap();
        assert!(running.export(0, front).is_ok());
    }

    /// Writes logind's seat file with `uid`'s session active.
    fn set_active_uid(uid: &str) {
        std::fs::create_dir_all("/run/systemd/seats").unwrap();
        std::fs::write(
            SEAT0,
            format!("IS_SEAT0=1\nACTIVE=c1\nACTIVE_UID={uid}\nSESSIONS=c1\nUIDS={uid}\n"),
        )
        .unwrap();
    }

    /// The exported DMA-BUF cannot be mapped writable; what a re-import on the same
    /// card allows is printed (a fact for the README, not a guarantee).
    fn read_only_export(card: &Card, fd: &OwnedFd, len: usize) {
        let len = NonZeroUsize::new(len).unwrap();
        // SAFETY: a fresh shared mapping of a DMA-BUF, unmapped below if made.
        let writable = unsafe {
            mmap(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
                fd,
                0,
            )
        };
        assert_eq!(writable.err(), Some(nix::errno::Errno::EACCES));
        // SAFETY: as above, read-only.
        let readable =
            unsafe { mmap(None, len, ProtFlags::PROT_READ, MapFlags::MAP_SHARED, fd, 0) }
                .expect("read-only map of the export");
        // SAFETY: the mapping just made, of that length.
        unsafe { munmap(readable, len.get()) }.unwrap();
        println!("the export maps read-only; PROT_WRITE: EACCES");
        let handle = card.prime_fd_to_buffer(fd.as_fd()).expect("PRIME import");
        let map = drm_ffi::mode::dumbbuffer::map(card.as_fd(), handle.into(), 0, 0);
        let rewritable = map.ok().and_then(|m| {
            // SAFETY: the card's fake offset for that buffer; unmapped right away.
            let ptr = unsafe {
                mmap(
                    None,
                    len,
                    ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                    MapFlags::MAP_SHARED,
                    card.as_fd(),
                    m.offset as i64,
                )
            }
            .ok()?;
            // SAFETY: the mapping just made, of that length.
            unsafe { munmap(ptr, len.get()) }.ok()
        });
        println!(
            "re-imported on card0 (PRIME_FD_TO_HANDLE + MAP_DUMB): {}",
            if rewritable.is_some() {
                "maps writable"
            } else {
                "does not map writable"
            }
        );
        let _ = drm_ffi::gem::close(card.as_fd(), handle.into());
    }
}
