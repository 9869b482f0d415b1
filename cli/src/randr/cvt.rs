//! CVT reduced-blanking mode timings (VESA CVT 1.1, the `cvt -r` formula), computed here so
//! that no external tool is needed to create a mode for any size and refresh.

use std::fmt;

/// The vertical sync width the standard derives from the aspect ratio.
const VSYNC_BY_ASPECT: &[(u32, u32, u32)] =
    &[(4, 3, 4), (16, 9, 5), (16, 10, 6), (5, 4, 7), (15, 9, 7)];
/// Sync width for any other aspect ratio.
const VSYNC_OTHER: u32 = 10;
/// Reduced blanking constants (horizontal in pixels, vertical in lines, time in µs).
const H_BLANK: u32 = 160;
const H_SYNC: u32 = 32;
const H_FRONT_PORCH: u32 = H_BLANK / 2 - H_SYNC;
const MIN_V_BLANK_US: f64 = 460.0;
const V_FRONT_PORCH: u32 = 3;
const MIN_V_BACK_PORCH: u32 = 6;
/// The pixel clock is a multiple of this, in kHz.
const CLOCK_STEP_KHZ: u32 = 250;

/// A mode's timings, as an X modeline holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Timings {
    pub clock_khz: u32,
    pub hdisplay: u32,
    pub hsync_start: u32,
    pub hsync_end: u32,
    pub htotal: u32,
    pub vdisplay: u32,
    pub vsync_start: u32,
    pub vsync_end: u32,
    pub vtotal: u32,
}

impl Timings {
    /// The refresh rate these timings really give, in Hz.
    pub fn refresh(&self) -> f64 {
        f64::from(self.clock_khz) * 1000.0 / (f64::from(self.htotal) * f64::from(self.vtotal))
    }
}

impl fmt::Display for Timings {
    /// The modeline body, as `cvt -r` prints it (`+hsync -vsync` is implied by reduced blanking).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.2}  {} {} {} {}  {} {} {} {} +hsync -vsync",
            f64::from(self.clock_khz) / 1000.0,
            self.hdisplay,
            self.hsync_start,
            self.hsync_end,
            self.htotal,
            self.vdisplay,
            self.vsync_start,
            self.vsync_end,
            self.vtotal
        )
    }
}

/// Reduced-blanking timings for `width`x`height` at `refresh` Hz.
///
/// Widths keep their exact value (a virtual output need not be a multiple of 8 pixels);
/// for multiples of 8 at multiples of 60 Hz the result equals `cvt -r`. Other refresh
/// rates (90 Hz glasses) use the same formula, which `cvt -r` refuses to apply.
pub fn reduced_blanking(width: u32, height: u32, refresh: u32) -> Timings {
    let vsync = VSYNC_BY_ASPECT
        .iter()
        .find(|(w, h, _)| height * w / h == width && height % h == 0)
        .map_or(VSYNC_OTHER, |&(_, _, sync)| sync);
    let frame_us = 1_000_000.0 / f64::from(refresh);
    let h_period_est = (frame_us - MIN_V_BLANK_US) / f64::from(height);
    let vbi_lines = (MIN_V_BLANK_US / h_period_est).floor() as u32 + 1;
    let min_vbi = V_FRONT_PORCH + vsync + MIN_V_BACK_PORCH;
    let vtotal = height + vbi_lines.max(min_vbi);
    let htotal = width + H_BLANK;
    // As `cvt` computes it: total pixels per line over the estimated line period, which
    // makes the real refresh a little lower than asked.
    let clock_khz = (f64::from(htotal) * 1000.0 / h_period_est) as u32;
    Timings {
        clock_khz: clock_khz - clock_khz % CLOCK_STEP_KHZ,
        hdisplay: width,
        hsync_start: width + H_FRONT_PORCH,
        hsync_end: width + H_FRONT_PORCH + H_SYNC,
        htotal,
        vdisplay: height,
        vsync_start: height + V_FRONT_PORCH,
        vsync_end: height + V_FRONT_PORCH + vsync,
        vtotal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Modelines printed by `cvt -r W H R` (xcvt 0.1.2, Debian 12).
    const CVT_R: &[(u32, u32, u32, &str)] = &[
        (
            1920,
            1080,
            60,
            "138.50  1920 1968 2000 2080  1080 1083 1088 1111 +hsync -vsync",
        ),
        (
            2560,
            1440,
            60,
            "241.50  2560 2608 2640 2720  1440 1443 1448 1481 +hsync -vsync",
        ),
        (
            3840,
            2160,
            60,
            "533.00  3840 3888 3920 4000  2160 2163 2168 2222 +hsync -vsync",
        ),
        (
            1920,
            1080,
            120,
            "285.25  1920 1968 2000 2080  1080 1083 1088 1144 +hsync -vsync",
        ),
        (
            1280,
            800,
            60,
            "71.00  1280 1328 1360 1440  800 803 809 823 +hsync -vsync",
        ),
        (
            1024,
            768,
            60,
            "56.00  1024 1072 1104 1184  768 771 775 790 +hsync -vsync",
        ),
        (
            3840,
            1080,
            60,
            "266.50  3840 3888 3920 4000  1080 1083 1093 1111 +hsync -vsync",
        ),
    ];

    #[test]
    fn matches_cvt_r() {
        for &(w, h, r, line) in CVT_R {
            assert_eq!(reduced_blanking(w, h, r).to_string(), line, "{w}x{h}@{r}");
        }
    }

    /// `cvt -r` refuses 90 Hz; these values follow its steps by hand: line period
    /// (11111.1 - 460) / 1080 = 9.862 µs, 47 blanking lines, 2080 / 9.862 = 210.91 MHz → 210.75.
    #[test]
    fn ninety_hertz_follows_the_same_formula() {
        let t = reduced_blanking(1920, 1080, 90);
        assert_eq!(
            t.to_string(),
            "210.75  1920 1968 2000 2080  1080 1083 1088 1127 +hsync -vsync"
        );
        assert!((t.refresh() - 90.0).abs() < 0.1, "{}", t.refresh());
    }

    #[test]
    fn refresh_is_close_to_the_request() {
        for r in [30, 60, 72, 90, 120, 144] {
            let t = reduced_blanking(1920, 1080, r);
            assert!(
                (t.refresh() - f64::from(r)).abs() < 0.15,
                "{r}: {}",
                t.refresh()
            );
        }
    }
}
