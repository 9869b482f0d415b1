//! The udev rules giving the user at the seat the supported glasses' USB and hidraw
//! nodes (`udev/70-xrdisplay-glasses.rules` in the source, which the Debian package
//! installs under /usr/lib/udev/rules.d). `install udev-rules` writes the same rules,
//! marked as xrdisplay's, to /etc/udev/rules.d, where the same name takes precedence.

use std::path::Path;

use super::file::Managed;

pub const DEFAULT_DIR: &str = "/etc/udev/rules.d";
/// Before systemd-logind's 73-seat-late.rules, which turns the tag into an ACL.
pub const FILE_NAME: &str = "70-xrdisplay-glasses.rules";
pub const MARKER: &str = "# xrdisplay-managed: udev-rules";
pub const RULES: &str = include_str!("../../../udev/70-xrdisplay-glasses.rules");

/// The rules as installed: the marker, then the source's file.
pub fn content() -> String {
    format!("{MARKER}\n{RULES}")
}

pub fn managed<'a>(dir: &Path, content: &'a str) -> Managed<'a> {
    Managed {
        path: dir.join(FILE_NAME),
        content,
        marker: MARKER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xrdisplay_capture::imu::glasses::MODELS;

    #[test]
    fn every_supported_model_gets_uaccess_on_usb_and_hidraw() {
        let rules: Vec<&str> = RULES
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        for model in MODELS {
            let (vendor, product) = (
                format!("{:04x}", model.vendor),
                format!("{:04x}", model.product),
            );
            for subsystem in ["usb", "hidraw"] {
                let covered = rules.iter().any(|rule| {
                    rule.contains(&format!("SUBSYSTEM==\"{subsystem}\""))
                        && rule.contains(&format!("idVendor}}==\"{vendor}\""))
                        && rule.contains(&product)
                        && rule.ends_with("TAG+=\"uaccess\"")
                });
                assert!(covered, "{} on {subsystem}", model.name);
            }
        }
        assert_eq!(content().lines().next(), Some(MARKER));
    }
}
