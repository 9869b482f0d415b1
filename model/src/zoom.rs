//! How large the screen looks: a factor, changed in steps or set.

use serde::{Deserialize, Serialize};

/// The zoom factors a view may take.
pub const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.1..=10.0;
/// A zoom step of `zoom +` / `zoom -`.
const ZOOM_STEP: f32 = 1.1;

/// A zoom step or an absolute zoom factor, as `xrdisplay zoom` asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zoom {
    In,
    Out,
    Set(f32),
}

impl Zoom {
    /// The factor after this change to `current`, within [`ZOOM_RANGE`]; a factor that
    /// is not a number (only a hand-made request sends one) changes nothing.
    pub fn applied_to(self, current: f32) -> f32 {
        match self {
            Zoom::In => current * ZOOM_STEP,
            Zoom::Out => current / ZOOM_STEP,
            Zoom::Set(z) if z.is_finite() => z,
            Zoom::Set(_) => current,
        }
        .clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end())
    }
}

/// The command line's form: `+` (or `in`), `-` (or `out`), or a factor in range.
impl std::str::FromStr for Zoom {
    type Err = String;
    fn from_str(text: &str) -> Result<Zoom, String> {
        match text {
            "+" | "in" => Ok(Zoom::In),
            "-" | "out" => Ok(Zoom::Out),
            factor => match factor.parse::<f32>() {
                Ok(z) if ZOOM_RANGE.contains(&z) => Ok(Zoom::Set(z)),
                _ => Err("expected +, -, or a factor from 0.1 to 10".into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_factors_stay_in_range() {
        assert!((Zoom::In.applied_to(4.0) - 4.4).abs() < 1e-4);
        assert_eq!(Zoom::Set(1e9).applied_to(1.0), 10.0);
        assert_eq!(Zoom::Set(f32::NAN).applied_to(2.0), 2.0);
        assert_eq!("-".parse(), Ok(Zoom::Out));
        assert_eq!("1.5".parse(), Ok(Zoom::Set(1.5)));
        assert!("0".parse::<Zoom>().is_err());
    }
}
