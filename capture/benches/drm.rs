//! `cargo bench -p xrdisplay-capture --bench drm`: the DRM read paths against a plain
//! memcpy of the same bytes, measured in the same run, on a framebuffer this benchmark
//! makes itself (a dumb XRGB8888 buffer on the first card that allows it). Needs a
//! /dev/dri/card* and the privilege to read framebuffers (root); says so and exits 0
//! otherwise, so that it can run anywhere.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use drm::buffer::DrmFourcc;
use drm::control::Device as _;
use xrdisplay_capture::drm::device::Card;
use xrdisplay_capture::drm::{DrmCapture, DrmMethod, FbSource};
use xrdisplay_model::Rect;

const FRAMES: usize = 60;
const SIZES: [(u32, u32); 2] = [(1920, 1080), (3840, 2160)];

fn main() {
    let cards: Vec<PathBuf> = std::fs::read_dir("/dev/dri")
        .map(|dir| {
            let mut cards: Vec<PathBuf> = dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().contains("/card"))
                .collect();
            cards.sort();
            cards
        })
        .unwrap_or_default();
    if cards.is_empty() {
        println!("drm bench: skipped, no /dev/dri/card* here");
        return;
    }
    for path in cards {
        match bench_card(&path) {
            Ok(()) => return,
            Err(why) => println!("drm bench: {}: {why}", path.display()),
        }
    }
}

fn bench_card(path: &std::path::Path) -> Result<(), String> {
    let maker = Card::open(path).map_err(|e| format!("open: {e}"))?;
    println!(
        "drm bench on {} (copy with streaming loads: {})",
        path.display(),
        xrdisplay_capture::copy::uses_streaming_loads()
    );
    for (width, height) in SIZES {
        let mut buffer = maker
            .create_dumb_buffer((width, height), DrmFourcc::Xrgb8888, 32)
            .map_err(|e| format!("dumb buffer {width}x{height}: {e}"))?;
        let fb = maker
            .add_framebuffer(&buffer, 24, 32)
            .map_err(|e| format!("framebuffer: {e}"))?;
        if let Ok(mut map) = maker.map_dumb_buffer(&mut buffer) {
            for (i, b) in map.as_mut().iter_mut().enumerate() {
                *b = (i % 251) as u8;
            }
        }
        let reader = Card::open(path).map_err(|e| format!("open: {e}"))?;
        let mut capture = DrmCapture::on_card(reader);
        let source = FbSource::Framebuffer(fb.into());
        let rect = Rect {
            x: 0,
            y: 0,
            width,
            height,
        };
        let bytes = width as usize * height as usize * 4;
        let src = vec![1u8; bytes];
        let mut dst = vec![0u8; bytes];
        let memcpy = time(|| {
            dst.copy_from_slice(std::hint::black_box(&src));
            std::hint::black_box(&mut dst);
        });
        let mut row = format!("  {width}x{height}: memcpy {:.0} µs", us(memcpy));
        for (name, method) in [
            ("mmap", DrmMethod::Mmap),
            ("dmabuf+mmap", DrmMethod::Dmabuf),
        ] {
            match capture.snapshot(source, rect, method) {
                Ok(_) => {
                    let t = time(|| {
                        let _ = capture.snapshot(source, rect, method);
                    });
                    row += &format!(
                        ", {name} {:.0} µs ({:.2}x memcpy)",
                        us(t),
                        t.as_secs_f64() / memcpy.as_secs_f64()
                    );
                }
                Err(e) => row += &format!(", {name} failed: {e}"),
            }
        }
        // The zero-copy path's per-frame CPU: find the scanned-out id, check the cache.
        match capture.export(source) {
            Ok(_) => {
                let t = time(|| {
                    let _ = capture.export(source);
                });
                row += &format!(", dmabuf export (cached) {:.1} µs", us(t));
            }
            Err(e) => row += &format!(", dmabuf export failed: {e}"),
        }
        println!("{row}");
        let _ = maker.destroy_framebuffer(fb);
        let _ = maker.destroy_dumb_buffer(buffer);
    }
    Ok(())
}

/// Median wall time of `work` over FRAMES runs, after one warm-up.
fn time(mut work: impl FnMut()) -> Duration {
    work();
    let mut times: Vec<Duration> = (0..FRAMES)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[FRAMES / 2]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
