//! Drawing a known picture on the X screen, so captures can be compared pixel for pixel.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass,
};
use x11rb::rust_connection::RustConnection;

/// The colour of pixel (x, y) of the test picture: every pixel of a 256-wide band
/// differs from its neighbours, so an offset or a swapped channel shows.
pub fn pattern_rgb(x: u32, y: u32) -> [u8; 3] {
    [(x * 7 + y * 13) as u8, x as u8, (y * 3 + x / 256) as u8]
}

/// A window showing the test picture; closing the connection removes it.
pub struct Picture {
    _conn: RustConnection,
}

/// Covers the screen rectangle `(x, y, width, height)` with an override-redirect window
/// showing [`pattern_rgb`] (relative to the rectangle) and waits until the server drew it.
pub fn draw_pattern(display: &str, rect: (i16, i16, u16, u16)) -> Picture {
    draw_picture(display, rect, pattern_rgb)
}

/// Like [`draw_pattern`], with the colour of each pixel (relative to the rectangle)
/// from `rgb`.
pub fn draw_picture(
    display: &str,
    (x, y, width, height): (i16, i16, u16, u16),
    rgb: impl Fn(u32, u32) -> [u8; 3],
) -> Picture {
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect");
    let screen = &conn.setup().roots[screen];
    assert_eq!(screen.root_depth, 24, "the picture is drawn at depth 24");
    let window = conn.generate_id().unwrap();
    conn.create_window(
        screen.root_depth,
        window,
        screen.root,
        x,
        y,
        width,
        height,
        0,
        WindowClass::INPUT_OUTPUT,
        screen.root_visual,
        &CreateWindowAux::new()
            .override_redirect(1)
            .background_pixel(0),
    )
    .unwrap();
    conn.map_window(window).unwrap();
    let gc = conn.generate_id().unwrap();
    conn.create_gc(gc, window, &CreateGCAux::new()).unwrap();
    // Strips of rows keep each PutImage well under the request size limit.
    const STRIP: u16 = 32;
    for top in (0..height).step_by(usize::from(STRIP)) {
        let rows = STRIP.min(height - top);
        let mut data = Vec::with_capacity(usize::from(width) * usize::from(rows) * 4);
        for row in top..top + rows {
            for col in 0..width {
                let [r, g, b] = rgb(u32::from(col), u32::from(row));
                data.extend_from_slice(&[b, g, r, 0]);
            }
        }
        conn.put_image(
            ImageFormat::Z_PIXMAP,
            window,
            gc,
            width,
            rows,
            0,
            top as i16,
            0,
            24,
            &data,
        )
        .unwrap();
    }
    conn.get_input_focus().unwrap().reply().unwrap();
    Picture { _conn: conn }
}

/// Decodes a PNG into (width, height, RGB bytes).
pub fn read_png_rgb(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("open PNG"));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Asserts that `rgb` (width x height) is the test picture; names the first wrong pixel.
pub fn assert_is_pattern(width: u32, height: u32, rgb: &[u8]) {
    assert_eq!(rgb.len(), (width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let i = ((y * width + x) * 3) as usize;
            let want = pattern_rgb(x, y);
            assert_eq!(
                &rgb[i..i + 3],
                &want,
                "pixel ({x}, {y}) of {width}x{height}"
            );
        }
    }
}
