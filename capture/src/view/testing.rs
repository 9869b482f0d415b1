//! What the view's tests share: scratch directories and a pair of glasses.

use std::path::PathBuf;

use super::projection::Glasses;
use xrdisplay_model::Rect;

/// 1920x1080 glasses with a 46° diagonal, not side by side.
pub const GLASSES: Glasses = Glasses {
    display_size: (1920, 1080),
    fov_diagonal_deg: 46.0,
    sbs: false,
};

/// An XR output the size of the glasses' view.
pub const XR0: Rect = Rect {
    x: 1920,
    y: 0,
    width: 1920,
    height: 1080,
};

/// A private directory for one test's files, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh, empty directory named after the process and `name`.
    pub fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("xrdisplay-view-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        Scratch(dir)
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
