//! A captured frame: tightly packed rows in a DRM format, and its PNG encoding.

use std::path::Path;

use xrdisplay_model::Rect;

use crate::format::Format;
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// `height` rows of `width * bytes_per_pixel` bytes.
    pub data: Vec<u8>,
}

impl Frame {
    /// Copies `rect` out of the pixels of a `layout` buffer held in `src`.
    pub fn crop(src: &[u8], layout: BufferLayout, rect: Rect) -> Result<Frame> {
        if rect.is_empty() {
            return Err(Error::geometry(format!("rectangle {rect} is empty")));
        }
        let mut frame = Frame::blank(rect.width, rect.height, layout.format);
        frame.copy_rects(src, layout, (rect.x, rect.y), &[rect.at(0, 0)])?;
        Ok(frame)
    }

    /// A black frame of `width` x `height`, to read pixels into.
    pub fn blank(width: u32, height: u32, format: Format) -> Frame {
        crate::counters::frame_allocated();
        let bpp = format.bytes_per_pixel as usize;
        Frame {
            width,
            height,
            format,
            data: vec![0; width as usize * height as usize * bpp],
        }
    }

    /// Copies `rects` (in this frame's pixels) from a `layout` buffer held in `src`, in
    /// which this frame's top-left pixel is at `origin`: each rectangle straight to its
    /// place, with no frame in between. Every rectangle is checked before any is
    /// copied, so a refused batch leaves the frame as it was. Empty rectangles are
    /// nothing to copy.
    pub fn copy_rects(
        &mut self,
        src: &[u8],
        layout: BufferLayout,
        origin: (i32, i32),
        rects: &[Rect],
    ) -> Result<()> {
        if layout.format != self.format {
            return Err(Error::unsupported(format!(
                "the buffer's pixel format {} is not the frame's {}",
                layout.format.name, self.format.name
            )));
        }
        let bpp = self.format.bytes_per_pixel as usize;
        let stride = self.width as usize * bpp;
        let buffer_holds_layout = layout.held_by(src.len());
        let frame_holds_size = self.data.len() == stride * self.height as usize;
        let placed = |r: &Rect| -> Option<((usize, usize), (usize, usize))> {
            let at = r.origin().filter(|_| r.fits((self.width, self.height)))?;
            let from = Rect {
                x: r.x.checked_add(origin.0)?,
                y: r.y.checked_add(origin.1)?,
                ..*r
            };
            let from = from
                .origin()
                .filter(|_| from.fits((layout.width, layout.height)))?;
            Some((
                (at.0 as usize, at.1 as usize),
                (from.0 as usize, from.1 as usize),
            ))
        };
        let fits = |r: &Rect| buffer_holds_layout && frame_holds_size && placed(r).is_some();
        if let Some(r) = rects.iter().find(|r| !r.is_empty() && !fits(r)) {
            return Err(Error::geometry(format!(
                "rectangle {r} of the {}x{} frame does not fit the {}x{} buffer it is read \
                 from",
                self.width, self.height, layout.width, layout.height
            )));
        }
        for r in rects {
            let Some(((x, y), (from_x, from_y))) = placed(r) else {
                continue; // empty
            };
            let row_bytes = r.width as usize * bpp;
            for row in 0..r.height as usize {
                let dst = (y + row) * stride + x * bpp;
                let src_start = (from_y + row) * layout.stride + from_x * bpp;
                crate::copy::copy_row(
                    &mut self.data[dst..dst + row_bytes],
                    &src[src_start..src_start + row_bytes],
                );
            }
            crate::counters::copied(row_bytes * r.height as usize);
        }
        Ok(())
    }

    /// How the frame's own rows are laid out (tightly packed).
    pub fn layout(&self) -> BufferLayout {
        BufferLayout {
            width: self.width,
            height: self.height,
            stride: self.width as usize * self.format.bytes_per_pixel as usize,
            format: self.format,
        }
    }

    /// The frame as 8-bit RGBA.
    pub fn to_rgba(&self) -> Vec<u8> {
        let row_bytes = (self.width * self.format.bytes_per_pixel) as usize;
        let mut out = Vec::with_capacity((self.width * self.height * 4) as usize);
        for row in self.data.chunks_exact(row_bytes) {
            self.format.row_to_rgba(row, &mut out);
        }
        out
    }

    /// Writes the frame as an RGB PNG (alpha is dropped: a screen is opaque).
    pub fn write_png(&self, path: &Path) -> Result<()> {
        let io = |e: std::io::Error| {
            Error::io(format!("cannot write {}: {e}", path.display())).because(e)
        };
        let file = std::fs::File::create(path).map_err(io)?;
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let rgb: Vec<u8> = self
            .to_rgba()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let png_error = |e: png::EncodingError| {
            Error::io(format!("cannot encode {}: {e}", path.display())).because(e)
        };
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&rgb).map_err(png_error)?;
        writer.finish().map_err(png_error)
    }
}

/// How the pixels of a mapped buffer are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferLayout {
    pub width: u32,
    pub height: u32,
    /// Bytes from one row to the next.
    pub stride: usize,
    pub format: Format,
}

impl BufferLayout {
    /// Whether `len` bytes hold every row of the layout, and a row fits its stride.
    pub fn held_by(&self, len: usize) -> bool {
        let row = self.width as usize * self.format.bytes_per_pixel as usize;
        let needed = (self.height as usize)
            .checked_sub(1)
            .map_or(0, |rows| rows * self.stride + row);
        row <= self.stride && needed <= len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::XRGB8888;

    #[test]
    fn crop_takes_the_rectangle_and_refuses_to_read_past_the_buffer() {
        // 4x3 pixels, stride 20 bytes (4 bytes of padding per row); pixel value = index.
        let stride = 20;
        let mut buf = vec![0u8; stride * 3];
        for y in 0..3 {
            for x in 0..4 {
                buf[y * stride + x * 4] = (y * 4 + x) as u8;
            }
        }
        let rect = Rect {
            x: 1,
            y: 1,
            width: 2,
            height: 2,
        };
        let layout = BufferLayout {
            width: 4,
            height: 3,
            stride,
            format: XRGB8888,
        };
        let frame = Frame::crop(&buf, layout, rect).unwrap();
        let firsts: Vec<u8> = frame.data.chunks(4).map(|p| p[0]).collect();
        assert_eq!(firsts, [5, 6, 9, 10]);
        let outside = Rect {
            x: 3,
            y: 0,
            width: 2,
            height: 1,
        };
        assert!(Frame::crop(&buf, layout, outside).is_err());
        let below = Rect {
            x: 0,
            y: 2,
            width: 1,
            height: 2,
        };
        assert!(Frame::crop(&buf, layout, below).is_err());
        let short = BufferLayout {
            height: 4,
            ..layout
        };
        assert!(
            Frame::crop(&buf, short, rect).is_err(),
            "read past the end of the mapping"
        );
    }

    /// An 8x6 XRGB8888 buffer with 8 bytes of row padding; pixel value = index + 1.
    fn numbered_buffer() -> (Vec<u8>, BufferLayout) {
        let layout = BufferLayout {
            width: 8,
            height: 6,
            stride: 8 * 4 + 8,
            format: XRGB8888,
        };
        let mut buf = vec![0u8; layout.stride * 6];
        for y in 0..6 {
            for x in 0..8 {
                buf[y * layout.stride + x * 4] = (y * 8 + x + 1) as u8;
            }
        }
        (buf, layout)
    }

    #[test]
    fn copied_rectangles_land_at_their_place_and_nowhere_else() {
        let (buf, layout) = numbered_buffer();
        // A 4x3 frame showing the buffer from (2, 1).
        let mut frame = Frame::blank(4, 3, XRGB8888);
        let rects = [
            Rect::new(0, 0, 1, 1),
            Rect::new(2, 1, 2, 2),
            Rect::new(1, 0, 0, 3),
        ];
        frame.copy_rects(&buf, layout, (2, 1), &rects).unwrap();
        let firsts: Vec<u8> = frame.data.chunks(4).map(|p| p[0]).collect();
        #[rustfmt::skip]
        assert_eq!(firsts, [
            11, 0, 0, 0,
            0, 0, 21, 22,
            0, 0, 29, 30,
        ]);
    }

    #[test]
    fn a_rectangle_outside_refuses_the_batch_before_anything_is_written() {
        let (buf, layout) = numbered_buffer();
        let mut frame = Frame::blank(4, 3, XRGB8888);
        let outside_frame = [Rect::new(0, 0, 1, 1), Rect::new(3, 2, 2, 1)];
        let outside_buffer = [Rect::new(0, 0, 1, 1), Rect::new(0, 0, 4, 3)];
        let negative = [Rect::new(-1, 0, 1, 1)];
        for (rects, origin) in [
            (&outside_frame[..], (0, 0)),
            (&outside_buffer[..], (5, 0)),
            (&negative[..], (2, 1)),
        ] {
            let err = frame.copy_rects(&buf, layout, origin, rects).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Geometry, "{err}");
            assert!(frame.data.iter().all(|&b| b == 0), "{rects:?} wrote pixels");
        }
        let other_format = BufferLayout {
            format: crate::format::Format::from_fourcc(u32::from_le_bytes(*b"RG16")).unwrap(),
            ..layout
        };
        let err = frame
            .copy_rects(&buf, other_format, (0, 0), &[Rect::new(0, 0, 1, 1)])
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Unsupported);
    }

    #[test]
    fn png_round_trips_the_colours() {
        let data: Vec<u8> = [0x00ff0000u32, 0x0000ff00, 0x000000ff, 0x00123456]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let frame = Frame {
            width: 2,
            height: 2,
            format: XRGB8888,
            data,
        };
        let dir = std::env::temp_dir().join(format!("xrdisplay-png-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.png");
        frame.write_png(&path).unwrap();
        let decoder = png::Decoder::new(std::fs::File::open(&path).unwrap());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut buf).unwrap();
        assert_eq!(
            &buf[..12],
            [255, 0, 0, 0, 255, 0, 0, 0, 255, 0x12, 0x34, 0x56]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
