//! The GPU renderer on real Mesa (llvmpipe on the host): offscreen through EGL's
//! surfaceless platform, and in a window on Xvfb read back through the X server.

use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
use xrdisplay_capture::format::{Format, Layout, FORMATS, XRGB8888};
use xrdisplay_capture::frame::{BufferLayout, Frame};
use xrdisplay_capture::gpu::{Cursor, Quad, Renderer, Target};
use xrdisplay_capture::present::WindowTarget;
use xrdisplay_capture::view::Placement;
use xrdisplay_capture::ErrorKind;
use xrdisplay_harness::{pattern_rgb, XServer};
use xrdisplay_model::Rect;

const W: u32 = 321; // odd: rows of RGB565 are not 4-byte aligned
const H: u32 = 200;

fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect::new(x.try_into().unwrap(), y.try_into().unwrap(), width, height)
}

/// `rgb(x, y)` encoded in `format`, rows `stride` bytes apart, with junk in padding
/// bits and alpha so that a renderer reading them shows.
fn encode(
    format: Format,
    (w, h): (u32, u32),
    stride: usize,
    rgb: impl Fn(u32, u32) -> [u8; 3],
) -> Vec<u8> {
    let bpp = format.bytes_per_pixel as usize;
    let mut out = vec![0xa5u8; stride * h as usize];
    for y in 0..h {
        for x in 0..w {
            let [r, g, b] = rgb(x, y).map(u32::from);
            let word = match format.layout {
                Layout::Rgb888 {
                    r: rs,
                    g: gs,
                    b: bs,
                    a,
                } => {
                    // The byte that is neither red, green nor blue: alpha or padding.
                    let spare = a.unwrap_or(48 - rs - gs - bs);
                    let junk = if a.is_some() { 0x40 } else { 0x5a };
                    (r << rs) | (g << gs) | (b << bs) | (junk << spare)
                }
                Layout::Rgb565 => ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3),
                // 8 bits widened to 10 by repeating the top bits: exact both ways.
                Layout::Xrgb2101010 => {
                    let w10 = |v: u32| (v << 2) | (v >> 6);
                    (0b10 << 30) | (w10(r) << 20) | (w10(g) << 10) | w10(b)
                }
            };
            let at = y as usize * stride + x as usize * bpp;
            out[at..at + bpp].copy_from_slice(&word.to_le_bytes()[..bpp]);
        }
    }
    out
}

fn pattern_layout(format: Format) -> (Vec<u8>, BufferLayout) {
    // Padding at the end of each row: the stride must be honoured.
    let stride = (W * format.bytes_per_pixel) as usize + 12;
    let layout = BufferLayout {
        width: W,
        height: H,
        stride,
        format,
    };
    (encode(format, (W, H), stride, pattern_rgb), layout)
}

fn headless(size: (u32, u32)) -> Renderer {
    Renderer::new(Target::Offscreen(size), None).expect("a headless renderer on Mesa")
}

fn full(w: u32, h: u32) -> Rect {
    rect(0, 0, w, h)
}

fn rgb_of(frame: &Frame) -> Vec<[u8; 3]> {
    frame
        .to_rgba()
        .chunks_exact(4)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// Asserts every pixel within `tolerance` per channel; names the first that is not.
fn assert_close(got: &[[u8; 3]], want: &[[u8; 3]], width: u32, tolerance: u8, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: size");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let close = g.iter().zip(w).all(|(a, b)| a.abs_diff(*b) <= tolerance);
        assert!(
            close,
            "{what}: pixel ({}, {}) is {g:?}, want {w:?}",
            i as u32 % width,
            i as u32 / width
        );
    }
}

fn pattern_pixels(w: u32, h: u32) -> Vec<[u8; 3]> {
    (0..h)
        .flat_map(|y| (0..w).map(move |x| pattern_rgb(x, y)))
        .collect()
}

#[test]
fn identity_placement_shows_every_capture_format_pixel_for_pixel() {
    let mut r = headless((W, H));
    println!("{}", r.describe());
    assert!(r.describe().contains("GL:"), "{}", r.describe());
    for &format in FORMATS {
        let (pixels, layout) = pattern_layout(format);
        r.upload(0, &pixels, layout, &[]).unwrap();
        r.draw(&[(Placement::flat((W, H), (W, H)), full(W, H))])
            .unwrap();
        r.present().unwrap();
        let frame = r.read_back().unwrap();
        assert_eq!((frame.width, frame.height), (W, H));
        // What the format can hold of the pattern, converted by the capture table;
        // GL rounds 5- and 6-bit channels where the table repeats bits (at most 1 apart).
        let want = rgb_of(&Frame::crop(&pixels, layout, full(W, H)).unwrap());
        let tolerance = u8::from(format.layout == Layout::Rgb565);
        assert_close(&rgb_of(&frame), &want, W, tolerance, format.name);
        if format.layout != Layout::Rgb565 {
            assert_eq!(
                want,
                pattern_pixels(W, H),
                "{format}: the test encodes exactly"
            );
        }
    }
}

#[test]
fn side_by_side_views_each_show_the_whole_screen() {
    let mut r = headless((2 * W, H));
    let (pixels, layout) = pattern_layout(XRGB8888);
    r.upload(0, &pixels, layout, &[]).unwrap();
    let view = Placement::flat((W, H), (W, H));
    r.draw(&[(view, rect(0, 0, W, H)), (view, rect(W, 0, W, H))])
        .unwrap();
    let got = rgb_of(&r.read_back().unwrap());
    let want = pattern_pixels(W, H);
    for eye in 0..2 {
        let half: Vec<[u8; 3]> = got
            .chunks_exact(2 * W as usize)
            .flat_map(|row| row[(eye * W) as usize..((eye + 1) * W) as usize].to_vec())
            .collect();
        assert_close(&half, &want, W, 0, &format!("eye {eye}"));
    }
    // A view whose size is not its viewport's is refused, not stretched.
    let err = r.draw(&[(view, rect(0, 0, W - 1, H))]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Geometry, "{err}");
}

/// The CPU reference of a frame: `view_to_screen` and a bilinear sample of the
/// pattern (clamped at the screen's edges), or `None` where the view shows black.
fn reference(p: &Placement) -> Vec<Option<[f32; 3]>> {
    let (sw, sh) = p.screen_size;
    let texel = |x: f32, y: f32| {
        let c = pattern_rgb(
            (x.max(0.0) as u32).min(sw - 1),
            (y.max(0.0) as u32).min(sh - 1),
        );
        c.map(f32::from)
    };
    (0..p.view_size.1)
        .flat_map(|y| (0..p.view_size.0).map(move |x| (x, y)))
        .map(|(x, y)| {
            let (sx, sy) = p.view_to_screen(x, y)?;
            let (px, py) = (sx - 0.5, sy - 0.5);
            let (bx, by) = (px.floor(), py.floor());
            let (fx, fy) = (px - bx, py - by);
            let lerp =
                |a: [f32; 3], b: [f32; 3], t: f32| [0, 1, 2].map(|i| a[i] + (b[i] - a[i]) * t);
            let top = lerp(texel(bx, by), texel(bx + 1.0, by), fx);
            let bottom = lerp(texel(bx, by + 1.0), texel(bx + 1.0, by + 1.0), fx);
            Some(lerp(top, bottom, fy))
        })
        .collect()
}

fn rotation(yaw: f32, pitch: f32, roll: f32) -> [[f32; 3]; 3] {
    let (sy, cy) = yaw.sin_cos();
    let (sp, cp) = pitch.sin_cos();
    let (sr, cr) = roll.sin_cos();
    let mul = |a: [[f32; 3]; 3], b: [[f32; 3]; 3]| {
        let mut m = [[0.0; 3]; 3];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = (0..3).map(|k| a[i][k] * b[k][j]).sum();
            }
        }
        m
    };
    let yaw = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
    let pitch = [[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]];
    let roll = [[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]];
    mul(yaw, mul(pitch, roll))
}

#[test]
fn turned_and_curved_placements_match_the_cpu_reference() {
    let (vw, vh) = (240, 160);
    let mut r = headless((vw, vh));
    let (pixels, layout) = pattern_layout(XRGB8888);
    r.upload(0, &pixels, layout, &[]).unwrap();
    let mut flat = Placement::flat((vw, vh), (W, H));
    flat.rotation = rotation(0.12, -0.08, 0.05);
    flat.offset_px = (30.0, -12.0);
    flat.eye_offset_px = 6.5;
    let curved = Placement {
        curved: true,
        rotation: rotation(-0.3, 0.05, -0.1),
        distance_px: flat.distance_px * 0.8,
        ..flat
    };
    for (name, p) in [("flat", flat), ("curved", curved)] {
        r.draw(&[(p, full(vw, vh))]).unwrap();
        let got = rgb_of(&r.read_back().unwrap());
        let want = reference(&p);
        let inside = |x: i64, y: i64| {
            let (x, y) = (x.clamp(0, vw as i64 - 1), y.clamp(0, vh as i64 - 1));
            want[(y * vw as i64 + x) as usize].is_some()
        };
        let (mut shown, mut edge) = (0, 0);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let (x, y) = ((i as u32 % vw) as i64, (i as u32 / vw) as i64);
            let ring = [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ];
            // Within a pixel of the screen's outline, rounding may tip either way.
            if ring
                .iter()
                .any(|(dx, dy)| inside(x + dx, y + dy) != w.is_some())
            {
                edge += 1;
                continue;
            }
            match w {
                Some(w) => {
                    shown += 1;
                    let close = g
                        .iter()
                        .zip(w)
                        .all(|(a, b)| (f32::from(*a) - b).abs() <= 3.0);
                    assert!(close, "{name}: view pixel ({x}, {y}) is {g:?}, want {w:?}");
                }
                None => assert_eq!(
                    *g,
                    [0, 0, 0],
                    "{name}: view pixel ({x}, {y}) is off the screen"
                ),
            }
        }
        // The placement must show a good part of the screen and leave some black.
        let total = (vw * vh) as usize;
        assert!(
            shown > total / 3 && shown + edge < total,
            "{name}: {shown} shown, {edge} at the edge of {total}"
        );
    }
}

#[test]
fn a_damaged_rectangle_is_the_only_part_uploaded() {
    let mut r = headless((W, H));
    let (pixels, layout) = pattern_layout(XRGB8888);
    r.upload(0, &pixels, layout, &[]).unwrap();
    // Every pixel changes in memory, but only the damage is reported.
    let inverted = |x, y| pattern_rgb(x, y).map(|c| !c);
    let changed = encode(XRGB8888, (W, H), layout.stride, inverted);
    let damage = rect(50, 40, 30, 20);
    r.upload(0, &changed, layout, &[damage, rect(W - 3, H - 2, 10, 10)])
        .unwrap();
    r.draw(&[(Placement::flat((W, H), (W, H)), full(W, H))])
        .unwrap();
    let got = rgb_of(&r.read_back().unwrap());
    for y in 0..H {
        for x in 0..W {
            let in_damage =
                (50..80).contains(&x) && (40..60).contains(&y) || x >= W - 3 && y >= H - 2;
            let want = if in_damage {
                inverted(x, y)
            } else {
                pattern_rgb(x, y)
            };
            assert_eq!(got[(y * W + x) as usize], want, "pixel ({x}, {y})");
        }
    }
    // A buffer too short for its layout is refused.
    let err = r.upload(0, &changed[..100], layout, &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Geometry, "{err}");
}

#[test]
fn two_screens_side_by_side_each_show_their_own_picture_and_the_pointer_where_it_is() {
    const S: u32 = 100;
    let mut r = headless((2 * S, S));
    let layout = BufferLayout {
        width: S,
        height: S,
        stride: S as usize * 4,
        format: XRGB8888,
    };
    let inverted = |x, y| pattern_rgb(x, y).map(|c| 255 - c);
    r.upload(
        0,
        &encode(XRGB8888, (S, S), layout.stride, pattern_rgb),
        layout,
        &[],
    )
    .unwrap();
    r.upload(
        1,
        &encode(XRGB8888, (S, S), layout.stride, inverted),
        layout,
        &[],
    )
    .unwrap();
    // Two S x S screens in a 2S x S view: the first left of centre, the second right.
    let quad = |screen: usize, offset: f32, origin| {
        let mut placement = Placement::flat((2 * S, S), (S, S));
        placement.offset_px = (offset, 0.0);
        Quad {
            screen,
            placement,
            viewport: full(2 * S, S),
            origin,
        }
    };
    let image = vec![0xffff_0000u32; 256];
    r.set_cursor(Some(Cursor {
        serial: 1,
        width: 16,
        height: 16,
        hotspot: (2, 3),
        // Over the second screen, which starts at x = S on the X screen.
        position: (S as i32 + 30, 40),
        pixels: &image,
    }))
    .unwrap();
    // Screen 2 has no picture: its quad draws nothing.
    r.draw(&[
        quad(0, -(S as f32) / 2.0, (0, 0)),
        quad(1, S as f32 / 2.0, (S as i32, 0)),
        quad(2, 0.0, (0, 0)),
    ])
    .unwrap();
    let got = rgb_of(&r.read_back().unwrap());
    let want: Vec<[u8; 3]> = (0..S)
        .flat_map(|y| (0..2 * S).map(move |x| (x, y)))
        .map(|(x, y)| {
            let pointer = (S + 28..S + 44).contains(&x) && (37..53).contains(&y);
            match (pointer, x < S) {
                (true, _) => [255, 0, 0],
                (false, true) => pattern_rgb(x, y),
                (false, false) => inverted(x - S, y),
            }
        })
        .collect();
    assert_close(&got, &want, 2 * S, 0, "two screens");
}

#[test]
fn the_cursor_is_drawn_at_its_position_and_hidden_elsewhere() {
    let mut r = headless((W, H));
    let (pixels, layout) = pattern_layout(XRGB8888);
    r.upload(0, &pixels, layout, &[]).unwrap();
    // 16x16: the left half opaque red, the right half half-transparent green
    // (premultiplied ARGB, as XFixes gives it).
    let image: Vec<u32> = (0..256)
        .map(|i| if i % 16 < 8 { 0xffff_0000 } else { 0x8000_8000 })
        .collect();
    let cursor = |position| Cursor {
        serial: 7,
        width: 16,
        height: 16,
        hotspot: (2, 3),
        position,
        pixels: &image,
    };
    let view = [(Placement::flat((W, H), (W, H)), full(W, H))];
    r.set_cursor(Some(cursor((100, 50)))).unwrap();
    r.draw(&view).unwrap();
    let got = rgb_of(&r.read_back().unwrap());
    for y in 0..H {
        for x in 0..W {
            let under = pattern_rgb(x, y);
            let want = match (x.checked_sub(98), y.checked_sub(47)) {
                (Some(cx), Some(cy)) if cx < 16 && cy < 16 => {
                    if cx < 8 {
                        [255, 0, 0]
                    } else {
                        let keep = |c: u8| (f32::from(c) * (1.0 - 128.0 / 255.0)).round() as u8;
                        [keep(under[0]), 0x80 + keep(under[1]), keep(under[2])]
                    }
                }
                _ => under,
            };
            assert_close(
                &[got[(y * W + x) as usize]],
                &[want],
                1,
                1,
                &format!("cursor at ({x}, {y})"),
            );
        }
    }
    let want = pattern_pixels(W, H);
    for hidden in [
        Some(cursor((-40, -40))),
        Some(cursor((W as i32 + 20, 5))),
        None,
    ] {
        r.set_cursor(hidden).unwrap();
        r.draw(&view).unwrap();
        assert_close(
            &rgb_of(&r.read_back().unwrap()),
            &want,
            W,
            0,
            "cursor off the screen",
        );
    }
    let short = Cursor {
        pixels: &image[..255],
        ..cursor((100, 50))
    };
    let err = r.set_cursor(Some(short)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Geometry, "{err}");
}

#[test]
fn renderers_sharing_a_display_outlive_each_other() {
    // EGL gives both the same display: dropping one must not terminate it under the other.
    let mut a = headless((W, H));
    let b = headless((8, 8));
    drop(b);
    let (pixels, layout) = pattern_layout(XRGB8888);
    a.upload(0, &pixels, layout, &[]).unwrap();
    a.draw(&[(Placement::flat((W, H), (W, H)), full(W, H))])
        .unwrap();
    a.present().unwrap();
    assert_close(
        &rgb_of(&a.read_back().unwrap()),
        &pattern_pixels(W, H),
        W,
        0,
        "after the other went",
    );
    drop(a);
    // And a display terminated with its last renderer opens again.
    let mut c = headless((4, 4));
    c.draw::<Quad>(&[]).unwrap();
    assert_eq!(rgb_of(&c.read_back().unwrap()), vec![[0, 0, 0]; 16]);
}

/// The root window's pixels in `area`, as RGB.
fn root_pixels(display: &str, (x, y, w, h): (i16, i16, u16, u16)) -> Vec<[u8; 3]> {
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root, x, y, w, h, !0)
        .unwrap()
        .reply()
        .unwrap();
    // Depth 24 ZPixmap: little-endian XRGB words.
    image
        .data
        .chunks_exact(4)
        .map(|p| [p[2], p[1], p[0]])
        .collect()
}

fn root_children(display: &str) -> usize {
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    conn.query_tree(root)
        .unwrap()
        .reply()
        .unwrap()
        .children
        .len()
}

#[test]
fn an_x11_window_on_the_output_shows_the_frame() {
    let server = XServer::xvfb(2 * W, H + 40);
    let before = root_children(server.display());
    // The glasses' output: the right half, below a 40-pixel strip.
    let output = Rect::new(W as i32, 40, W, H);
    let target = Target::Window(WindowTarget {
        display: Some(server.display().to_string()),
        rect: output,
    });
    let mut r = Renderer::new(target, None).expect("a renderer in an Xvfb window");
    assert!(r.describe().contains("X11"), "{}", r.describe());
    let (pixels, layout) = pattern_layout(XRGB8888);
    r.upload(0, &pixels, layout, &[]).unwrap();
    r.draw(&[(Placement::flat((W, H), (W, H)), full(W, H))])
        .unwrap();
    let want = pattern_pixels(W, H);
    assert_close(&rgb_of(&r.read_back().unwrap()), &want, W, 0, "back buffer");
    r.present().unwrap();
    // The swap reaches the server asynchronously: poll it.
    let area = (W as i16, 40, W as u16, H as u16);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = root_pixels(server.display(), area);
    while got != want && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        got = root_pixels(server.display(), area);
    }
    assert_close(&got, &want, W, 0, "window read through X");
    // The window covers the output only: the pixel left of it is not the frame.
    let left = root_pixels(server.display(), (W as i16 - 1, 40, 1, 1));
    assert_eq!(left, [[0, 0, 0]], "outside the output");
    drop(r);
    assert_eq!(
        root_children(server.display()),
        before,
        "the window is destroyed"
    );
}

#[test]
fn an_unreachable_x_display_is_an_x_error() {
    let target = Target::Window(WindowTarget {
        display: Some(":4093".into()),
        rect: Rect::sized(64, 64),
    });
    match Renderer::new(target, None) {
        Err(e) if e.kind() == ErrorKind::X => assert!(e.message().contains(":4093"), "{e}"),
        Err(e) => panic!("wrong error: {e:?}"),
        Ok(_) => panic!("a renderer on a display that does not exist"),
    }
}

#[test]
fn an_x_server_that_goes_away_is_an_error_not_a_crash() {
    let mut server = XServer::xvfb(W, H);
    let target = Target::Window(WindowTarget {
        display: Some(server.display().to_string()),
        rect: Rect::sized(W, H),
    });
    let mut r = Renderer::new(target, None).unwrap();
    let view = [(Placement::flat((W, H), (W, H)), full(W, H))];
    r.draw(&view).unwrap();
    r.present().unwrap();
    server.kill();
    // Noticed at once, not after Mesa's slow presentation to nobody.
    let start = Instant::now();
    let err = r.draw(&view).and_then(|()| r.present()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Vanished, "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    drop(r);
}
