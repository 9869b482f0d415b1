//! The xorg.conf snippet that selects the modesetting driver (`xorg-conf/` in the source).

use std::path::Path;

use super::file::Managed;

pub const DEFAULT_DIR: &str = "/etc/X11/xorg.conf.d";
/// Early in the directory's order: the X server reads `*.conf` files sorted by name.
pub const FILE_NAME: &str = "20-xrdisplay-modesetting.conf";
pub const MARKER: &str = "# xrdisplay-managed: xorg-conf";
pub const SNIPPET: &str = include_str!("../../../xorg-conf/xrdisplay-modesetting.conf");

pub fn managed(dir: &Path) -> Managed<'static> {
    Managed {
        path: dir.join(FILE_NAME),
        content: SNIPPET,
        marker: MARKER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_carries_its_marker_and_selects_modesetting() {
        assert_eq!(SNIPPET.lines().next(), Some(MARKER));
        let active: Vec<&str> = SNIPPET
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(
            active,
            [
                "Section \"Device\"",
                "Identifier \"xrdisplay-modesetting\"",
                "Driver \"modesetting\"",
                "EndSection"
            ]
        );
    }
}
