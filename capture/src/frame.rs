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
        let bpp = layout.format.bytes_per_pixel as usize;
        let row_bytes = rect.width as usize * bpp;
        let origin = rect
            .origin()
            .filter(|_| rect.fits((layout.width, layout.height)));
        let buffer_holds_layout = layout.width as usize * bpp <= layout.stride
            && (layout.height as usize).saturating_sub(1) * layout.stride
                + layout.width as usize * bpp
                <= src.len();
        let Some((x, y)) = origin.filter(|_| buffer_holds_layout) else {
            return Err(Error::geometry(format!(
                "rectangle {rect} does not fit the {}x{} buffer",
                layout.width, layout.height
            )));
        };
        let mut data = vec![0u8; row_bytes * rect.height as usize];
        for (row, out) in data.chunks_exact_mut(row_bytes).enumerate() {
            let start = (y as usize + row) * layout.stride + x as usize * bpp;
            crate::copy::copy_row(out, &src[start..start + row_bytes]);
        }
        Ok(Frame {
            width: rect.width,
            height: rect.height,
            format: layout.format,
            data,
        })
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
