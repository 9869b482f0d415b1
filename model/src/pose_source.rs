//! Where head poses come from, as the user names the source.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Where head poses come from, as `--imu` and the `imu` key name it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ImuChoice {
    /// The glasses if found and readable, else the XR driver's file.
    #[default]
    Auto,
    /// The glasses' IMU, read in-process (waiting for them if they are not there).
    Glasses,
    None,
    Sway,
    /// A layout-5 pose file (`file:PATH`, or a bare path).
    File(PathBuf),
    /// Recorded samples played at their timestamps (`replay:FILE`).
    Replay(PathBuf),
}

impl std::str::FromStr for ImuChoice {
    type Err = String;
    fn from_str(text: &str) -> Result<ImuChoice, String> {
        let path = |p: &str, what: &str| {
            (!p.is_empty())
                .then(|| PathBuf::from(p))
                .ok_or_else(|| format!("`{what}:` needs a path after it"))
        };
        Ok(match text {
            "auto" => ImuChoice::Auto,
            "glasses" => ImuChoice::Glasses,
            "none" => ImuChoice::None,
            "sway" => ImuChoice::Sway,
            "" => {
                return Err("expected auto, glasses, file:PATH, replay:FILE, sway or none".into())
            }
            _ => match text.split_once(':') {
                Some(("file", p)) => ImuChoice::File(path(p, "file")?),
                Some(("replay", p)) => ImuChoice::Replay(path(p, "replay")?),
                // A bare path, as earlier versions took it.
                _ => ImuChoice::File(PathBuf::from(text)),
            },
        })
    }
}

impl TryFrom<String> for ImuChoice {
    type Error = String;
    fn try_from(text: String) -> Result<ImuChoice, String> {
        text.parse()
    }
}

impl From<ImuChoice> for String {
    fn from(imu: ImuChoice) -> String {
        match imu {
            ImuChoice::Auto => "auto".into(),
            ImuChoice::Glasses => "glasses".into(),
            ImuChoice::None => "none".into(),
            ImuChoice::Sway => "sway".into(),
            ImuChoice::File(path) => format!("file:{}", path.display()),
            ImuChoice::Replay(path) => format!("replay:{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_and_print_as_flags_and_files_name_them() {
        for (text, choice, shown) in [
            ("sway", ImuChoice::Sway, "sway"),
            ("none", ImuChoice::None, "none"),
            ("auto", ImuChoice::Auto, "auto"),
            ("glasses", ImuChoice::Glasses, "glasses"),
            (
                "file:/tmp/p",
                ImuChoice::File("/tmp/p".into()),
                "file:/tmp/p",
            ),
            (
                "/dev/shm/x",
                ImuChoice::File("/dev/shm/x".into()),
                "file:/dev/shm/x",
            ),
            (
                "replay:t.csv",
                ImuChoice::Replay("t.csv".into()),
                "replay:t.csv",
            ),
        ] {
            assert_eq!(text.parse(), Ok(choice.clone()), "{text}");
            assert_eq!(String::from(choice.clone()), shown);
            assert_eq!(shown.parse(), Ok(choice), "{shown} round trips");
        }
        assert_eq!(ImuChoice::default(), ImuChoice::Auto);
        assert!("replay:".parse::<ImuChoice>().is_err());
        assert!("".parse::<ImuChoice>().is_err());
    }
}
