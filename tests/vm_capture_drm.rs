//! DRM capture on a real kernel device: Debian's Xorg with the modesetting driver
//! (AccelMethod none: the front buffer is a dumb buffer) on virtio-gpu in a QEMU guest.
//!
//! The host-side test boots the guest and runs the `guest::` test inside it.

use xrdisplay_harness::assert_passes_in_guest;

#[test]
fn drm_capture_on_virtio_gpu_with_modesetting() {
    assert_passes_in_guest("modesetting", "guest::drm_capture");
}

mod guest {
    use std::fs::File;
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

    use drm::buffer::Buffer;
    use drm::control::Device as _;
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{
        ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass,
    };
    use x11rb::wrapper::ConnectionExt as _;
    use xrdisplay_capture::drm::{DrmCapture, DrmMethod, FbSource};
    use xrdisplay_capture::ErrorKind;
    use xrdisplay_harness::in_guest;
    use xrdisplay_model::Rect;

    /// A second DRM client, standing in for a compositor that makes framebuffers.
    struct Card(File);
    impl AsFd for Card {
        fn as_fd(&self) -> BorrowedFd<'_> {
            self.0.as_fd()
        }
    }
    impl drm::Device for Card {}
    impl drm::control::Device for Card {}

    /// The test pattern: every pixel of the window differs from its neighbours.
    fn pattern(x: u32, y: u32) -> u32 {
        ((x & 0xff) << 16) | (((y * 2) & 0xff) << 8) | (((x ^ y) * 3) & 0xff)
    }

    fn expected(rect: Rect) -> Vec<u8> {
        (0..rect.height)
            .flat_map(|y| (0..rect.width).map(move |x| pattern(x, y)))
            .flat_map(|p| p.to_le_bytes())
            .collect()
    }

    /// Draws the pattern in an override-redirect window at `rect`.
    fn draw_window(conn: &impl Connection, root: u32, rect: Rect) {
        let win = conn.generate_id().unwrap();
        conn.create_window(
            24,
            win,
            root,
            rect.x as i16,
            rect.y as i16,
            rect.width as u16,
            rect.height as u16,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &CreateWindowAux::new()
                .override_redirect(1)
                .background_pixel(0),
        )
        .unwrap();
        conn.map_window(win).unwrap();
        let gc = conn.generate_id().unwrap();
        conn.create_gc(gc, win, &CreateGCAux::new()).unwrap();
        // Depth 24 ZPixmap is 32 bits per pixel, little-endian like XRGB8888.
        conn.put_image(
            ImageFormat::Z_PIXMAP,
            win,
            gc,
            rect.width as u16,
            rect.height as u16,
            0,
            0,
            0,
            24,
            &expected(rect),
        )
        .unwrap();
        conn.sync().unwrap();
    }

    /// A framebuffer of our own: a dumb buffer filled with `pattern`.
    fn dumb_framebuffer(card: &Card, fourcc: &[u8; 4], width: u32, height: u32) -> u32 {
        let mut db = card
            .create_dumb_buffer((width, height), drm::buffer::DrmFourcc::Xrgb8888, 32)
            .unwrap();
        let pitch = db.pitch();
        {
            let mut map = card.map_dumb_buffer(&mut db).unwrap();
            for y in 0..height {
                for x in 0..width {
                    let at = (y * pitch + x * 4) as usize;
                    map[at..at + 4].copy_from_slice(&pattern(x, y).to_le_bytes());
                }
            }
        }
        let handle = u32::from(db.handle());
        let fb = drm_ffi::mode::add_fb2(
            card.as_fd(),
            width,
            height,
            u32::from_le_bytes(*fourcc),
            &[handle, 0, 0, 0],
            &[pitch, 0, 0, 0],
            &[0; 4],
            &[0; 4],
            0,
        )
        .unwrap();
        // The framebuffer holds the buffer; our handle is not needed any more.
        drm_ffi::gem::close(card.as_fd(), handle).unwrap();
        fb.fb_id
    }

    /// The GEM handle the kernel gives our DRM file next: handles are allocated
    /// lowest-free, so it grows when handles leak.
    fn next_gem_handle(capture: &DrmCapture, fb: u32) -> u32 {
        let info = drm_ffi::mode::get_framebuffer2(capture.as_fd(), fb).unwrap();
        drm_ffi::gem::close(capture.as_fd(), info.handles[0]).unwrap();
        info.handles[0]
    }

    #[test]
    #[ignore = "runs inside the QEMU guest; started by drm_capture_on_virtio_gpu_with_modesetting"]
    fn drm_capture() {
        assert!(in_guest(), "run through scripts/vm/run");
        let (conn, screen_num) = x11rb::connect(Some(":0")).unwrap();
        let screen = &conn.setup().roots[screen_num];
        let size = (
            u32::from(screen.width_in_pixels),
            u32::from(screen.height_in_pixels),
        );
        let rect = Rect {
            x: 100,
            y: 60,
            width: 256,
            height: 128,
        };
        draw_window(&conn, screen.root, rect);
        let want = expected(rect);

        let mut capture = DrmCapture::open(size, None).unwrap();
        println!("device {}", capture.device_path().display());
        // The server copies its shadow to the front buffer before it next sleeps:
        // wait for that (a bounded number of tries, no time limit asserted).
        let mut tries = 0;
        let frame = loop {
            let frame = capture
                .snapshot(FbSource::Front, rect, DrmMethod::Mmap)
                .unwrap();
            tries += 1;
            if frame.data == want || tries == 200 {
                break frame;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!((frame.width, frame.height), (rect.width, rect.height));
        assert!(
            frame.data == want,
            "mmap snapshot differs from the drawn pattern"
        );
        println!("front buffer matched after {tries} snapshot(s)");
        let frame = capture
            .snapshot(FbSource::Front, rect, DrmMethod::Dmabuf)
            .unwrap();
        assert!(
            frame.data == want,
            "dmabuf snapshot differs from the drawn pattern"
        );

        let front = capture.framebuffer_id(FbSource::Front).unwrap();
        for method in [DrmMethod::Mmap, DrmMethod::Dmabuf] {
            let frame = capture
                .snapshot(FbSource::Framebuffer(front), rect, method)
                .unwrap();
            assert!(
                frame.data == want,
                "{method:?} of framebuffer {front} differs"
            );
        }
        let outside = rect.at(i32::try_from(size.0).unwrap() - 10, rect.y);
        assert!(matches!(
            capture
                .snapshot(FbSource::Front, outside, DrmMethod::Mmap)
                .map_err(|e| e.kind()),
            Err(ErrorKind::Geometry)
        ));

        // The export is cached: the same descriptors are handed out again.
        let first = capture.export(FbSource::Front).unwrap();
        assert_eq!(
            (first.fb_id, first.width, first.height),
            (front, size.0, size.1)
        );
        assert_eq!(first.fourcc, u32::from_le_bytes(*b"XR24"));
        assert_eq!(
            first.modifier, None,
            "X's dumb front buffer has no modifier"
        );
        assert_eq!(first.planes.len(), 1);
        assert!(first.planes[0].pitch >= size.0 * 4);
        let fd = first.planes[0].fd.as_raw_fd();
        let again = capture.export(FbSource::Front).unwrap();
        assert_eq!(again.planes[0].fd.as_raw_fd(), fd);
        println!(
            "export: fb {front}, pitch {}, fd {fd}",
            again.planes[0].pitch
        );

        // No GEM handle is left behind, also when every call maps and exports afresh.
        let handle = next_gem_handle(&capture, front);
        for i in 0..100 {
            capture.invalidate();
            let method = [DrmMethod::Mmap, DrmMethod::Dmabuf][i % 2];
            capture.snapshot(FbSource::Front, rect, method).unwrap();
            capture.export(FbSource::Front).unwrap();
        }
        assert_eq!(next_gem_handle(&capture, front), handle, "GEM handles leak");
        println!("GEM handle {handle} before and after 100 uncached snapshots + exports");

        // Framebuffers of another client, read by id.
        let card = Card(
            File::options()
                .read(true)
                .write(true)
                .open(capture.device_path())
                .unwrap(),
        );
        let ours = dumb_framebuffer(&card, b"XR24", 64, 32);
        let whole = Rect {
            x: 0,
            y: 0,
            width: 64,
            height: 32,
        };
        for method in [DrmMethod::Mmap, DrmMethod::Dmabuf] {
            let frame = capture
                .snapshot(FbSource::Framebuffer(ours), whole, method)
                .unwrap();
            assert!(
                frame.data == expected(whole),
                "{method:?} of framebuffer {ours}"
            );
        }
        // virtio-gpu takes only XRGB8888 and ARGB8888 framebuffers (ENOENT for others),
        // so a format xrdisplay does not convert cannot be made here.
        let argb = dumb_framebuffer(&card, b"AR24", 64, 32);
        let frame = capture
            .snapshot(FbSource::Framebuffer(argb), whole, DrmMethod::Dmabuf)
            .unwrap();
        assert_eq!(frame.format.name, "ARGB8888");
        assert!(
            frame.data == expected(whole),
            "framebuffer {argb} (ARGB8888)"
        );
        card.destroy_framebuffer(drm::control::from_u32(ours).unwrap())
            .unwrap();
        for method in [DrmMethod::Mmap, DrmMethod::Dmabuf] {
            match capture.snapshot(FbSource::Framebuffer(ours), whole, method) {
                Err(e) if e.kind() == ErrorKind::Vanished => {
                    assert!(e.message().contains(&ours.to_string()), "{e}")
                }
                other => panic!("removed framebuffer read: {:?}", other.map(|f| f.width)),
            }
        }
        assert!(matches!(
            capture
                .export(FbSource::Framebuffer(ours))
                .map(|_| ())
                .map_err(|e| e.kind()),
            Err(ErrorKind::Vanished)
        ));
    }
}
