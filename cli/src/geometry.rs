//! Sizes, positions and rectangles as users write them (`1920x1080`, `100,0`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Smallest XR output accepted: below this no desktop is usable.
pub const MIN_SIZE: Size = Size {
    width: 320,
    height: 200,
};
/// Largest mode RandR can describe (16-bit fields; CVT needs room for blanking).
pub const MAX_SIZE: Size = Size {
    width: 16384,
    height: 16384,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl FromStr for Size {
    type Err = String;

    fn from_str(text: &str) -> Result<Size, String> {
        let bad = || format!("invalid size {text:?}: expected WIDTHxHEIGHT, e.g. 1920x1080");
        let (w, h) = text.trim().split_once(['x', 'X']).ok_or_else(bad)?;
        let size = Size {
            width: w.parse().map_err(|_| bad())?,
            height: h.parse().map_err(|_| bad())?,
        };
        if size.width < MIN_SIZE.width || size.height < MIN_SIZE.height {
            return Err(format!(
                "size {size} is too small: the minimum is {MIN_SIZE}"
            ));
        }
        if size.width > MAX_SIZE.width || size.height > MAX_SIZE.height {
            return Err(format!(
                "size {size} is too large: the maximum is {MAX_SIZE}"
            ));
        }
        Ok(size)
    }
}

impl TryFrom<String> for Size {
    type Error = String;
    fn try_from(text: String) -> Result<Size, String> {
        text.parse()
    }
}

impl From<Size> for String {
    fn from(size: Size) -> String {
        size.to_string()
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// A screen position; RandR screens start at 0,0, so both are non-negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Position {
    pub x: u32,
    pub y: u32,
}

impl FromStr for Position {
    type Err = String;

    fn from_str(text: &str) -> Result<Position, String> {
        let bad = || format!("invalid position {text:?}: expected X,Y, e.g. 1920,0");
        let (x, y) = text.trim().split_once(',').ok_or_else(bad)?;
        let (x, y): (i64, i64) = (
            x.trim().parse().map_err(|_| bad())?,
            y.trim().parse().map_err(|_| bad())?,
        );
        if x < 0 || y < 0 {
            return Err(format!(
                "invalid position {text:?}: negative coordinates are not allowed \
                 (the X screen starts at 0,0; use --left-of or --above to place it before another output)"
            ));
        }
        let limit = i64::from(i16::MAX);
        if x > limit || y > limit {
            return Err(format!(
                "invalid position {text:?}: X and Y must be at most {limit}"
            ));
        }
        Ok(Position {
            x: x as u32,
            y: y as u32,
        })
    }
}

impl TryFrom<String> for Position {
    type Error = String;
    fn try_from(text: String) -> Result<Position, String> {
        text.parse()
    }
}

impl From<Position> for String {
    fn from(p: Position) -> String {
        p.to_string()
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.x, self.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_reject_nonsense() {
        assert_eq!(
            "1920x1080".parse::<Size>(),
            Ok(Size {
                width: 1920,
                height: 1080
            })
        );
        for bad in [
            "",
            "1920",
            "axb",
            "1920x",
            "-1x5",
            "0x0",
            "1x1",
            "100000x100000",
            "1920x1080x3",
        ] {
            assert!(bad.parse::<Size>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn positions_parse_and_reject_negatives() {
        assert_eq!("10,20".parse::<Position>(), Ok(Position { x: 10, y: 20 }));
        let err = "-5,0".parse::<Position>().unwrap_err();
        assert!(err.contains("negative"), "{err}");
        assert!("1,2,3".parse::<Position>().is_err());
        assert!("40000,0".parse::<Position>().is_err());
    }
}
