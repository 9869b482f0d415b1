//! Zero-copy import of the X server's real scanout buffer: Debian's Xorg with the
//! modesetting driver on virtio-gpu in a QEMU guest, Mesa's EGL on that DRM device.
//!
//! The host-side test boots the guest and runs the `guest::` test inside it.

use xrdisplay_harness::assert_passes_in_guest;

#[test]
fn the_scanout_buffer_imports_and_draws_on_virtio_gpu() {
    assert_passes_in_guest("modesetting", "guest::dmabuf_import");
}

mod guest {
    use std::time::{Duration, Instant};

    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt as _, CreateWindowAux, WindowClass};
    use xrdisplay_capture::drm::{DrmCapture, DrmMethod, FbSource};
    use xrdisplay_capture::gpu::{Renderer, Target};
    use xrdisplay_capture::view::Placement;
    use xrdisplay_harness::{draw_pattern, in_guest, pattern_rgb};
    use xrdisplay_model::Rect;

    fn rgb(rgba: Vec<u8>) -> Vec<[u8; 3]> {
        rgba.chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect()
    }

    /// Waits until the front buffer shows `want` in `rect` (the server copies its
    /// shadow to the front buffer before it next sleeps).
    fn wait_for_front(capture: &mut DrmCapture, rect: Rect, want: &[[u8; 3]]) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let frame = capture
                .snapshot(FbSource::Front, rect, DrmMethod::Mmap)
                .unwrap();
            if rgb(frame.to_rgba()) == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the front buffer never showed the picture"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Where the picture is drawn, and the part of the scanout buffer imported.
    const RECT: Rect = Rect {
        x: 96,
        y: 40,
        width: 320,
        height: 200,
    };

    #[test]
    #[ignore = "runs inside the QEMU guest; started by the_scanout_buffer_imports_and_draws_on_virtio_gpu"]
    fn dmabuf_import() {
        assert!(in_guest(), "run through scripts/vm/run");
        let rect = RECT;
        let (conn, screen_num) = x11rb::connect(Some(":0")).unwrap();
        let screen = &conn.setup().roots[screen_num];
        let _picture = draw_pattern(":0", (96, 40, 320, 200));
        let mut capture = DrmCapture::open(
            (
                screen.width_in_pixels.into(),
                screen.height_in_pixels.into(),
            ),
            None,
        )
        .unwrap();
        let pattern: Vec<[u8; 3]> = (0..rect.height)
            .flat_map(|y| (0..rect.width).map(move |x| pattern_rgb(x, y)))
            .collect();
        wait_for_front(&mut capture, rect, &pattern);

        let device = capture.device_path().to_path_buf();
        let target = Target::Offscreen(rect.size());
        // Mesa's default, llvmpipe, draws imported buffers wrongly: refused, saying why.
        let renderer = Renderer::new(target.clone(), Some(&device)).unwrap();
        println!("{}", renderer.describe());
        let refused = renderer.can_import_dmabuf(u32::from_le_bytes(*b"XR24"), None);
        assert!(
            refused.as_ref().is_err_and(|why| why.contains("llvmpipe")),
            "{refused:?}"
        );
        drop(renderer);
        // softpipe imports correctly. The guest runs this one test: no other thread
        // reads the environment.
        std::env::set_var("GALLIUM_DRIVER", "softpipe");
        let mut renderer = Renderer::new(target, Some(&device)).unwrap();
        println!("{}", renderer.describe());
        assert!(
            renderer.describe().contains("GBM on /dev/dri/card"),
            "not on the DRM device: {}",
            renderer.describe()
        );
        let view = [(
            Placement::flat((rect.width, rect.height), (rect.width, rect.height)),
            rect.at(0, 0),
        )];
        let buf = capture.export(FbSource::Front).unwrap();
        renderer
            .can_import_dmabuf(buf.fourcc, buf.modifier)
            .unwrap();
        renderer.set_source_dmabuf(0, buf, rect).unwrap();
        renderer.draw(&view).unwrap();
        renderer.present().unwrap();
        assert!(
            rgb(renderer.read_back().unwrap().to_rgba()) == pattern,
            "the imported scanout buffer does not show the pattern"
        );
        println!("imported framebuffer {} drew the pattern", buf.fb_id);

        // The desktop changes: the same EGLImage shows the new contents.
        let window = conn.generate_id().unwrap();
        conn.create_window(
            screen.root_depth,
            window,
            screen.root,
            96,
            40,
            320,
            200,
            0,
            WindowClass::INPUT_OUTPUT,
            screen.root_visual,
            &CreateWindowAux::new()
                .override_redirect(1)
                .background_pixel(0x00ff_8020),
        )
        .unwrap();
        conn.map_window(window).unwrap();
        conn.get_input_focus().unwrap().reply().unwrap();
        let orange = vec![[0xff, 0x80, 0x20]; pattern.len()];
        wait_for_front(&mut capture, rect, &orange);
        let buf = capture.export(FbSource::Front).unwrap();
        renderer.set_source_dmabuf(0, buf, rect).unwrap();
        renderer.draw(&view).unwrap();
        assert!(
            rgb(renderer.read_back().unwrap().to_rgba()) == orange,
            "the next frame does not show the changed desktop"
        );
        println!("the next frame showed the change");
    }
}
