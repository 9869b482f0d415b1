//! The view settings a loop starts with: pose source, zoom, follow, curvature,
//! steadiness.

use serde::Serialize;

use crate::{Follow, ImuChoice};

/// Side-by-side eye offsets a loop accepts, in view pixels.
pub const EYE_OFFSET_RANGE: std::ops::RangeInclusive<f32> = -500.0..=500.0;
/// The diagonal fields of view `--fov` accepts, degrees.
pub const FOV_RANGE: std::ops::RangeInclusive<f32> = 10.0..=170.0;

/// The view settings a loop starts with (configuration file, then flags).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewConfig {
    pub imu: ImuChoice,
    pub zoom: f32,
    pub curved: bool,
    pub follow: Follow,
    /// Side-by-side: how far each eye's image moves toward the middle, in view pixels
    /// (0: the screen at infinity).
    pub eye_offset: f32,
    /// Hold the screen on whole pixels while the head is still.
    pub steady: bool,
    /// When the head counts as still: below this speed, in degrees per second ...
    pub steady_speed: f32,
    /// ... within this range, in degrees ...
    pub steady_range: f32,
    /// ... for this many seconds.
    pub steady_quiet: f32,
    /// The glasses' diagonal field of view for in-process poses (default: the
    /// model's, 46° for a replay).
    pub fov: Option<f32>,
}

impl Default for ViewConfig {
    /// Flat, unzoomed, not following, steady. The stillness thresholds are the
    /// capture library's `Stillness::default()` (a test there keeps them equal): a
    /// resting head's heartbeat wobble is still, a slow turn is not.
    fn default() -> ViewConfig {
        ViewConfig {
            imu: ImuChoice::default(),
            fov: None,
            zoom: 1.0,
            curved: false,
            follow: Follow::Switch(false),
            eye_offset: 0.0,
            steady: true,
            steady_speed: 1.5,
            steady_range: 0.5,
            steady_quiet: 1.0,
        }
    }
}
