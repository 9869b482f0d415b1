//! Follow mode: whether the screen eases back in front of a head that looked away.

use serde::{Deserialize, Serialize};

/// The threshold `follow on` uses when none was configured, in degrees.
pub const DEFAULT_FOLLOW_DEG: f32 = 15.0;

/// Follow mode as `--follow` and the `follow` key give it: on or off, or on with a
/// threshold in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged, expecting = "expected true, false or a threshold in degrees")]
pub enum Follow {
    Switch(bool),
    Beyond(f32),
}

impl Follow {
    /// On at start, and the threshold `follow on` uses.
    pub fn resolve(self) -> (bool, f32) {
        match self {
            Follow::Switch(on) => (on, DEFAULT_FOLLOW_DEG),
            Follow::Beyond(deg) => (true, deg),
        }
    }

    /// Refuses thresholds outside (0°, 180°].
    pub fn check(self) -> Result<Follow, String> {
        match self {
            Follow::Beyond(deg) if !(deg > 0.0 && deg <= 180.0) => Err(format!(
                "follow threshold {deg}° is out of range (more than 0, at most 180)"
            )),
            ok => Ok(ok),
        }
    }
}

impl std::str::FromStr for Follow {
    type Err = String;
    fn from_str(text: &str) -> Result<Follow, String> {
        match text {
            "on" | "true" => Ok(Follow::Switch(true)),
            "off" | "false" => Ok(Follow::Switch(false)),
            deg => deg
                .parse()
                .map(Follow::Beyond)
                .map_err(|_| "expected on, off or a threshold in degrees".to_string())
                .and_then(Follow::check),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_parses_switches_and_thresholds_in_range() {
        assert_eq!("off".parse(), Ok(Follow::Switch(false)));
        assert_eq!("12.5".parse(), Ok(Follow::Beyond(12.5)));
        assert!("0".parse::<Follow>().is_err());
        assert!("sideways".parse::<Follow>().is_err());
        assert_eq!(Follow::Switch(true).resolve(), (true, DEFAULT_FOLLOW_DEG));
    }
}
