//! Textures holding the screen and the cursor: how each capture format is uploaded
//! (one table entry per layout), and the PBO upload of damaged rectangles.

use glow::{HasContext, PixelUnpackData};

use crate::format::{Format, Layout};
use crate::frame::BufferLayout;
use crate::{Error, Result};
use xrdisplay_model::Rect;

/// How pixels of one capture format are stored in a GL texture. The bytes go in as
/// they are; the swizzle puts each channel where the shader expects red, green, blue
/// and alpha, so no format needs a conversion pass or its own shader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlFormat {
    pub internal: u32,
    pub format: u32,
    pub ty: u32,
    /// Sources of red, green, blue, alpha (`GL_TEXTURE_SWIZZLE_RGBA`).
    pub swizzle: [u32; 4],
}

/// The texture format for a capture format.
pub fn gl_format(format: Format) -> GlFormat {
    match format.layout {
        // Little-endian words: the byte at shift s is texture component s / 8.
        Layout::Rgb888 { r, g, b, a } => {
            let component = |shift: u32| {
                [glow::RED, glow::GREEN, glow::BLUE, glow::ALPHA][(shift / 8) as usize & 3]
            };
            GlFormat {
                internal: glow::RGBA8,
                format: glow::RGBA,
                ty: glow::UNSIGNED_BYTE,
                swizzle: [
                    component(r),
                    component(g),
                    component(b),
                    a.map_or(glow::ONE, component),
                ],
            }
        }
        // GL's 5_6_5 packs red in the top bits of a native-endian u16, as DRM does.
        Layout::Rgb565 => GlFormat {
            internal: glow::RGB565,
            format: glow::RGB,
            ty: glow::UNSIGNED_SHORT_5_6_5,
            swizzle: [glow::RED, glow::GREEN, glow::BLUE, glow::ONE],
        },
        // GL's 2_10_10_10_REV has red in the low bits: DRM's XBGR2101010, so swap.
        Layout::Xrgb2101010 => GlFormat {
            internal: glow::RGB10_A2,
            format: glow::RGBA,
            ty: glow::UNSIGNED_INT_2_10_10_10_REV,
            swizzle: [glow::BLUE, glow::GREEN, glow::RED, glow::ONE],
        },
    }
}

/// Makes a texture with nearest sampling (the shader filters itself) and `swizzle`.
pub fn new_texture(gl: &glow::Context, swizzle: [u32; 4]) -> Result<glow::Texture> {
    // SAFETY: plain GL calls on the current context.
    unsafe {
        let texture = gl
            .create_texture()
            .map_err(|e| Error::unsupported(format!("cannot create a texture: {e}")))?;
        gl.bind_texture(glow::TEXTURE_2D, Some(texture));
        // texelFetch still needs a complete texture: no mipmaps, so no mipmap filter.
        gl.tex_parameter_i32(
            glow::TEXTURE_2D,
            glow::TEXTURE_MIN_FILTER,
            glow::NEAREST as i32,
        );
        gl.tex_parameter_i32(
            glow::TEXTURE_2D,
            glow::TEXTURE_MAG_FILTER,
            glow::NEAREST as i32,
        );
        let swizzle = swizzle.map(|s| s as i32);
        gl.tex_parameter_i32_slice(glow::TEXTURE_2D, glow::TEXTURE_SWIZZLE_RGBA, &swizzle);
        Ok(texture)
    }
}

/// A screen uploaded from memory: the texture, its size and format, and the pixel
/// buffer object the uploads go through.
pub struct Uploaded {
    pub texture: glow::Texture,
    pub size: (u32, u32),
    pub format: Format,
    pbo: glow::Buffer,
}

impl Uploaded {
    pub fn new(gl: &glow::Context, size: (u32, u32), format: Format) -> Result<Uploaded> {
        let f = gl_format(format);
        let texture = new_texture(gl, f.swizzle)?;
        // SAFETY: plain GL calls on the current context; `texture` is bound.
        unsafe {
            gl.tex_storage_2d(
                glow::TEXTURE_2D,
                1,
                f.internal,
                size.0 as i32,
                size.1 as i32,
            );
            let pbo = gl.create_buffer().map_err(|e| {
                gl.delete_texture(texture);
                Error::unsupported(format!("cannot create a pixel buffer: {e}"))
            })?;
            Ok(Uploaded {
                texture,
                size,
                format,
                pbo,
            })
        }
    }

    /// Copies the `rects` of `pixels` into the texture: packed into the pixel buffer,
    /// then one TexSubImage each, which the driver copies without stalling this thread.
    pub fn upload(
        &self,
        gl: &glow::Context,
        pixels: &[u8],
        layout: BufferLayout,
        rects: &[Rect],
    ) -> Result<()> {
        if let Some(r) = rects
            .iter()
            .find(|r| !r.fits((layout.width, layout.height)))
        {
            return Err(Error::geometry(format!(
                "damage {r} lies outside the {}x{} buffer",
                layout.width, layout.height
            )));
        }
        let bpp = layout.format.bytes_per_pixel as usize;
        let total: usize = rects
            .iter()
            .map(|r| r.width as usize * r.height as usize * bpp)
            .sum();
        if total == 0 {
            return Ok(());
        }
        let f = gl_format(layout.format);
        // SAFETY: the mapping is `total` bytes long and every row written lies inside it
        // (the rectangles are clipped to the layout, which `check_layout` fitted to
        // `pixels`); it is unmapped before the texture reads it.
        unsafe {
            gl.bind_buffer(glow::PIXEL_UNPACK_BUFFER, Some(self.pbo));
            // A new store each time: the driver may still be reading the last one.
            gl.buffer_data_size(glow::PIXEL_UNPACK_BUFFER, total as i32, glow::STREAM_DRAW);
            let map = gl.map_buffer_range(
                glow::PIXEL_UNPACK_BUFFER,
                0,
                total as i32,
                glow::MAP_WRITE_BIT | glow::MAP_INVALIDATE_BUFFER_BIT,
            );
            if map.is_null() {
                gl.bind_buffer(glow::PIXEL_UNPACK_BUFFER, None);
                return Err(Error::unsupported(
                    "cannot map the pixel buffer for an upload",
                ));
            }
            let out = std::slice::from_raw_parts_mut(map, total);
            let mut at = 0;
            for r in rects {
                let row = r.width as usize * bpp;
                let (x, y0) = r.origin().unwrap_or_default();
                for y in y0..y0 + r.height {
                    let start = y as usize * layout.stride + x as usize * bpp;
                    crate::copy::copy_row(&mut out[at..at + row], &pixels[start..start + row]);
                    at += row;
                }
            }
            gl.unmap_buffer(glow::PIXEL_UNPACK_BUFFER);
            gl.bind_texture(glow::TEXTURE_2D, Some(self.texture));
            let mut offset = 0;
            for r in rects {
                gl.tex_sub_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    r.x,
                    r.y,
                    r.width as i32,
                    r.height as i32,
                    f.format,
                    f.ty,
                    PixelUnpackData::BufferOffset(offset as u32),
                );
                offset += r.width as usize * r.height as usize * bpp;
            }
            gl.bind_buffer(glow::PIXEL_UNPACK_BUFFER, None);
        }
        Ok(())
    }

    pub fn delete(self, gl: &glow::Context) {
        // SAFETY: deleting objects this struct created.
        unsafe {
            gl.delete_texture(self.texture);
            gl.delete_buffer(self.pbo);
        }
    }
}

/// Checks that `pixels` holds every row of `layout`.
pub fn check_layout(pixels: &[u8], layout: BufferLayout) -> Result<()> {
    if layout.width == 0 || layout.height == 0 || !layout.held_by(pixels.len()) {
        return Err(Error::geometry(format!(
            "a {}x{} {} buffer with {}-byte rows does not fit in {} bytes",
            layout.width,
            layout.height,
            layout.format,
            layout.stride,
            pixels.len()
        )));
    }
    Ok(())
}

/// The damaged rectangles clipped to the buffer; the whole buffer when none are given
/// or when they add up to more than it (overlaps).
pub fn clip_damage(damage: &[Rect], size: (u32, u32)) -> Vec<Rect> {
    let whole = Rect::sized(size.0, size.1);
    let clipped: Vec<Rect> = damage.iter().filter_map(|r| r.intersect(&whole)).collect();
    let area: u64 = clipped.iter().map(Rect::area).sum();
    if damage.is_empty() || area > whole.area() {
        vec![whole]
    } else {
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FORMATS;

    #[test]
    fn every_capture_format_has_a_texture_format_with_opaque_or_real_alpha() {
        for format in FORMATS {
            let f = gl_format(*format);
            let has_alpha = matches!(format.layout, Layout::Rgb888 { a: Some(_), .. });
            assert_eq!(f.swizzle[3] == glow::ONE, !has_alpha, "{format}");
        }
        // XRGB8888's bytes are B, G, R, X in memory.
        assert_eq!(
            gl_format(crate::format::XRGB8888).swizzle,
            [glow::BLUE, glow::GREEN, glow::RED, glow::ONE]
        );
    }

    #[test]
    fn damage_is_clipped_and_falls_back_to_the_whole_buffer() {
        let r = |x, y, width, height| Rect {
            x,
            y,
            width,
            height,
        };
        assert_eq!(clip_damage(&[], (10, 10)), [r(0, 0, 10, 10)]);
        assert_eq!(clip_damage(&[r(8, 8, 5, 5)], (10, 10)), [r(8, 8, 2, 2)]);
        assert_eq!(clip_damage(&[r(10, 0, 5, 5)], (10, 10)), []);
        assert_eq!(
            clip_damage(&[r(0, 0, 10, 10), r(0, 0, 1, 1)], (10, 10)),
            [r(0, 0, 10, 10)]
        );
    }
}
