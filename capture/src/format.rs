//! Pixel formats as data: each DRM fourcc xrdisplay can read, its size and how its
//! pixels become 8-bit RGBA. Everything else about formats looks them up here.

use std::fmt;

/// How one pixel is laid out in a little-endian word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// 32 bits, 8 per channel; the shifts of red, green, blue and alpha (`None`: padding).
    Rgb888 {
        r: u32,
        g: u32,
        b: u32,
        a: Option<u32>,
    },
    /// 16 bits: 5 red, 6 green, 5 blue.
    Rgb565,
    /// 32 bits: 2 padding, 10 red, 10 green, 10 blue.
    Xrgb2101010,
}

/// A DRM pixel format xrdisplay understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub fourcc: u32,
    pub name: &'static str,
    pub bytes_per_pixel: u32,
    pub layout: Layout,
}

const fn fourcc(code: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*code)
}

/// Every format xrdisplay can read, keyed by fourcc.
pub const FORMATS: &[Format] = &[
    Format {
        fourcc: fourcc(b"XR24"),
        name: "XRGB8888",
        bytes_per_pixel: 4,
        layout: Layout::Rgb888 {
            r: 16,
            g: 8,
            b: 0,
            a: None,
        },
    },
    Format {
        fourcc: fourcc(b"AR24"),
        name: "ARGB8888",
        bytes_per_pixel: 4,
        layout: Layout::Rgb888 {
            r: 16,
            g: 8,
            b: 0,
            a: Some(24),
        },
    },
    Format {
        fourcc: fourcc(b"XB24"),
        name: "XBGR8888",
        bytes_per_pixel: 4,
        layout: Layout::Rgb888 {
            r: 0,
            g: 8,
            b: 16,
            a: None,
        },
    },
    Format {
        fourcc: fourcc(b"AB24"),
        name: "ABGR8888",
        bytes_per_pixel: 4,
        layout: Layout::Rgb888 {
            r: 0,
            g: 8,
            b: 16,
            a: Some(24),
        },
    },
    Format {
        fourcc: fourcc(b"RG16"),
        name: "RGB565",
        bytes_per_pixel: 2,
        layout: Layout::Rgb565,
    },
    Format {
        fourcc: fourcc(b"XR30"),
        name: "XRGB2101010",
        bytes_per_pixel: 4,
        layout: Layout::Xrgb2101010,
    },
];

/// XRGB8888: what X servers at depth 24 scan out and what MIT-SHM hands back.
pub const XRGB8888: Format = FORMATS[0];

impl Format {
    pub fn from_fourcc(fourcc: u32) -> Option<Format> {
        FORMATS.iter().copied().find(|f| f.fourcc == fourcc)
    }

    /// Converts one row of pixels in this format to RGBA, 4 bytes per pixel.
    pub fn row_to_rgba(&self, row: &[u8], out: &mut Vec<u8>) {
        let bpp = self.bytes_per_pixel as usize;
        for px in row.chunks_exact(bpp) {
            let word = match bpp {
                2 => u32::from(u16::from_le_bytes([px[0], px[1]])),
                _ => u32::from_le_bytes([px[0], px[1], px[2], px[3]]),
            };
            out.extend_from_slice(&self.pixel_to_rgba(word));
        }
    }

    fn pixel_to_rgba(self, w: u32) -> [u8; 4] {
        // Widens an n-bit channel to 8 bits by repeating its top bits, so full is 255.
        let widen = |v: u32, bits: u32| -> u8 { ((v << (8 - bits)) | (v >> (2 * bits - 8))) as u8 };
        match self.layout {
            Layout::Rgb888 { r, g, b, a } => [
                (w >> r) as u8,
                (w >> g) as u8,
                (w >> b) as u8,
                a.map_or(255, |a| (w >> a) as u8),
            ],
            Layout::Rgb565 => [
                widen((w >> 11) & 0x1f, 5),
                widen((w >> 5) & 0x3f, 6),
                widen(w & 0x1f, 5),
                255,
            ],
            Layout::Xrgb2101010 => [(w >> 22) as u8, (w >> 12) as u8, (w >> 2) as u8, 255],
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A fourcc as its four characters, for messages about formats not in the table.
pub fn fourcc_name(fourcc: u32) -> String {
    fourcc
        .to_le_bytes()
        .iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgba(format: &str, bytes: &[u8]) -> Vec<u8> {
        let f = FORMATS.iter().find(|f| f.name == format).unwrap();
        let mut out = Vec::new();
        f.row_to_rgba(bytes, &mut out);
        out
    }

    #[test]
    fn each_format_converts_a_known_pixel() {
        // Little-endian words: 0xAARRGGBB and friends.
        assert_eq!(
            rgba("XRGB8888", &0x00112233u32.to_le_bytes()),
            [0x11, 0x22, 0x33, 255]
        );
        assert_eq!(
            rgba("ARGB8888", &0x80112233u32.to_le_bytes()),
            [0x11, 0x22, 0x33, 0x80]
        );
        assert_eq!(
            rgba("XBGR8888", &0x00332211u32.to_le_bytes()),
            [0x11, 0x22, 0x33, 255]
        );
        assert_eq!(
            rgba("ABGR8888", &0x40332211u32.to_le_bytes()),
            [0x11, 0x22, 0x33, 0x40]
        );
        assert_eq!(rgba("RGB565", &0xf800u16.to_le_bytes()), [255, 0, 0, 255]);
        assert_eq!(rgba("RGB565", &0x07e0u16.to_le_bytes()), [0, 255, 0, 255]);
        assert_eq!(rgba("RGB565", &0x001fu16.to_le_bytes()), [0, 0, 255, 255]);
        let white10 = (0x3ffu32 << 20) | (0x3ff << 10) | 0x3ff;
        assert_eq!(
            rgba("XRGB2101010", &white10.to_le_bytes()),
            [255, 255, 255, 255]
        );
        assert_eq!(
            rgba("XRGB2101010", &(0x200u32 << 20).to_le_bytes()),
            [0x80, 0, 0, 255]
        );
    }

    #[test]
    fn fourccs_match_the_kernel_codes() {
        assert_eq!(XRGB8888.fourcc, 0x3432_5258); // DRM_FORMAT_XRGB8888
        assert_eq!(
            Format::from_fourcc(0x3631_4752).map(|f| f.name),
            Some("RGB565")
        );
        assert_eq!(Format::from_fourcc(0), None);
        assert_eq!(fourcc_name(XRGB8888.fourcc), "XR24");
    }
}
