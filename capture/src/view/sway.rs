//! A synthetic head for demos and tests without glasses: a slow figure-eight sway,
//! delivered as the same [`Pose`] the driver's file gives, so everything after the
//! pose source (prediction, projection, status) runs unchanged.

use std::f32::consts::TAU;
use std::time::{Duration, SystemTime};

use super::pose::{unix_ms, Pose};
use super::quat::Quat;

/// How far apart the three snapshots of a pose are, like a 250 Hz IMU.
const SNAPSHOT_INTERVAL_MS: f32 = 4.0;

/// A head swaying left and right, and up and down twice as fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sway {
    pub yaw_amplitude_deg: f32,
    pub pitch_amplitude_deg: f32,
    /// One full left-right cycle.
    pub period: Duration,
    /// The glasses it pretends to be (whole panel).
    pub display_size: (u32, u32),
    pub fov_diagonal_deg: f32,
}

impl Default for Sway {
    /// A gentle sway on 1920x1080 glasses with a 46° diagonal (XREAL Air-like).
    fn default() -> Sway {
        Sway {
            yaw_amplitude_deg: 10.0,
            pitch_amplitude_deg: 4.0,
            period: Duration::from_secs(8),
            display_size: (1920, 1080),
            fov_diagonal_deg: 46.0,
        }
    }
}

impl Sway {
    /// Yaw (right) and pitch (up) in degrees, `elapsed` after the start.
    pub fn angles_at(&self, elapsed: Duration) -> (f32, f32) {
        let phase = TAU * elapsed.as_secs_f32() / self.period.as_secs_f32().max(1e-3);
        (
            self.yaw_amplitude_deg * phase.sin(),
            self.pitch_amplitude_deg * (2.0 * phase).sin(),
        )
    }

    /// The head's orientation in NWU `elapsed` after the start.
    pub fn orientation_at(&self, elapsed: Duration) -> Quat {
        let (yaw, pitch) = self.angles_at(elapsed);
        // Yaw right turns about -z (up), then pitch up about the turned -y (left).
        Quat::from_axis_angle([0.0, 0.0, -1.0], yaw.to_radians())
            * Quat::from_axis_angle([0.0, -1.0, 0.0], pitch.to_radians())
    }

    /// The pose `elapsed` after the start, measured at `now`.
    pub fn pose_at(&self, elapsed: Duration, now: SystemTime) -> Pose {
        let back = |n: u32| {
            elapsed.saturating_sub(Duration::from_secs_f32(
                n as f32 * SNAPSHOT_INTERVAL_MS / 1000.0,
            ))
        };
        // The sway is exact: nothing to hide but the frame's own latency.
        Pose::in_process(
            self.display_size,
            self.fov_diagonal_deg,
            0.0,
            unix_ms(now),
            [0, 1, 2].map(|n| self.orientation_at(back(n))),
            // Only differences count; times relative to the newest snapshot.
            [0, 1, 2].map(|n| {
                let dt = elapsed.saturating_sub(back(n));
                -(dt.as_secs_f32() * 1000.0)
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::pose::parse;
    use crate::view::predict::extrapolate;
    use xrdisplay_harness::PoseSpec;

    #[test]
    fn the_sway_gives_what_the_driver_file_gives_for_the_same_angles() {
        let sway = Sway::default();
        let now = SystemTime::now();
        for ms in [300, 700, 1900, 5300] {
            let elapsed = Duration::from_millis(ms);
            let (yaw, pitch) = sway.angles_at(elapsed);
            let spec = PoseSpec::looking(yaw.into(), pitch.into(), 0.0);
            let from_file = parse(&spec.bytes_at(now), unix_ms(now)).unwrap();
            let synthetic = sway.pose_at(elapsed, now);
            assert!(
                synthetic.orientation().angle_to(from_file.orientation()) < 1e-4,
                "at {ms} ms"
            );
            assert_eq!(synthetic.display_size, from_file.display_size);
            assert_eq!(synthetic.fov_diagonal_deg, from_file.fov_diagonal_deg);
        }
        assert!(sway.angles_at(Duration::from_secs(2)).0 > 9.9);
    }

    #[test]
    fn its_snapshots_predict_where_the_sway_goes() {
        let sway = Sway::default();
        let elapsed = Duration::from_millis(4000);
        let pose = sway.pose_at(elapsed, SystemTime::now());
        assert_eq!(pose.snapshot_ms, [0.0, -4.0, -8.0]);
        let ahead = extrapolate(pose.orientations, pose.snapshot_ms, 20.0);
        let truth = sway.orientation_at(elapsed + Duration::from_millis(20));
        assert!(ahead.angle_to(truth) < 2e-4, "{}", ahead.angle_to(truth));
        assert!(pose.orientation().angle_to(truth) > 2e-3);
    }
}
