//! Where the head will be when the frame reaches the eyes: the newest orientation
//! extrapolated with the angular velocity and acceleration of the driver's three
//! snapshots.
//!
//! Look-ahead = the driver's default (config[0]) + the data's age at draw time +
//! half the top-to-bottom scanline extra (config[2]), capped by config[3] and by
//! [`MAX_LOOK_AHEAD_MS`]. A frame has a single rotation, so the middle scanline's
//! look-ahead is the one that keeps the error at the top and bottom rows smallest.

use super::pose::{LookAheadConfig, Pose};
use super::quat::{scale3, Quat};

/// No prediction reaches further than this, whatever the driver asks for: beyond it
/// an overshoot after a head stops costs more than the latency it hides.
pub const MAX_LOOK_AHEAD_MS: f32 = 45.0;
/// Snapshots closer together than this give no velocity or acceleration: a rate
/// over a tinier interval (1e-45 ms in a hostile file) overflows to infinity.
pub const MIN_SNAPSHOT_SPACING_MS: f32 = 0.5;

/// The orientation to draw with and how far ahead it was predicted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub orientation: Quat,
    pub look_ahead_ms: f32,
}

/// The predicted orientation for a frame drawn at `now_ms` (ms since the epoch).
pub fn predict(pose: &Pose, now_ms: u64) -> Prediction {
    let age_ms = pose.age_ms(now_ms).max(0) as f32;
    let look_ahead_ms = look_ahead_ms(&pose.look_ahead, age_ms);
    Prediction {
        orientation: extrapolate(pose.orientations, pose.snapshot_ms, look_ahead_ms),
        look_ahead_ms,
    }
}

/// How far ahead to predict for data `age_ms` old.
pub fn look_ahead_ms(config: &LookAheadConfig, age_ms: f32) -> f32 {
    // A cap of 0 (or less) means the driver sets none.
    let cap = if config.cap_ms > 0.0 {
        config.cap_ms.min(MAX_LOOK_AHEAD_MS)
    } else {
        MAX_LOOK_AHEAD_MS
    };
    (config.default_ms + age_ms + config.scanline_ms / 2.0).clamp(0.0, cap)
}

/// `q[0]` (at `t[0]`) turned on by `ahead_ms` at the rate the snapshots `q[2]` →
/// `q[1]` → `q[0]` show, with constant angular acceleration. Snapshot times out of
/// order or closer than [`MIN_SNAPSHOT_SPACING_MS`] drop the term they would feed
/// (acceleration, then velocity). The result is always finite: `q[0]` when the
/// extrapolation is not.
pub fn extrapolate(q: [Quat; 3], t: [f32; 3], ahead_ms: f32) -> Quat {
    let (dt_new, dt_old) = (t[0] - t[1], t[1] - t[2]);
    let spaced = |x: f32| x.is_finite() && x >= MIN_SNAPSHOT_SPACING_MS;
    let looks_ahead = ahead_ms.is_finite() && ahead_ms > 0.0;
    if !spaced(dt_new) || !looks_ahead {
        return q[0];
    }
    // Angular velocities in the room's frame (rad/ms), each the mean over its
    // interval, i.e. the velocity at the interval's middle.
    let velocity =
        |a: Quat, b: Quat, dt: f32| scale3((a * b.conjugate()).to_rotation_vector(), 1.0 / dt);
    let v_new = velocity(q[0], q[1], dt_new);
    let acceleration = if spaced(dt_old) {
        let v_old = velocity(q[1], q[2], dt_old);
        let span = (dt_new + dt_old) / 2.0;
        [0, 1, 2].map(|i| (v_new[i] - v_old[i]) / span)
    } else {
        [0.0; 3]
    };
    // Velocity at t0, then the angle covered in ahead_ms.
    let turn = [0, 1, 2].map(|i| {
        let v0 = v_new[i] + acceleration[i] * dt_new / 2.0;
        v0 * ahead_ms + acceleration[i] * ahead_ms * ahead_ms / 2.0
    });
    Some(Quat::from_rotation_vector(turn) * q[0])
        .filter(|p| p.is_finite())
        .and_then(Quat::normalized)
        .unwrap_or(q[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::pose::{parse, unix_ms};
    use xrdisplay_harness::PoseSpec;

    fn config(default_ms: f32, scanline_ms: f32, cap_ms: f32) -> LookAheadConfig {
        LookAheadConfig {
            default_ms,
            scanline_ms,
            cap_ms,
        }
    }

    fn about(axis: [f32; 3], angle: f32) -> Quat {
        Quat::from_axis_angle(axis, angle)
    }

    #[test]
    fn constant_angular_velocity_extrapolates_along_the_same_turn() {
        // 2 rad/s about a tilted axis from a non-trivial start, snapshots 5 ms apart.
        let axis = [0.3, -0.5, 0.8];
        let start = about([1.0, 0.0, 0.0], 0.4);
        let at = |ms: f32| about(axis, 0.002 * ms) * start;
        let t = [1010.0, 1005.0, 1000.0];
        let predicted = extrapolate([at(t[0]), at(t[1]), at(t[2])], t, 20.0);
        assert!(predicted.angle_to(at(1030.0)) < 1e-4);
        assert!(
            at(t[0]).angle_to(at(1030.0)) > 0.03,
            "the test must need prediction"
        );
    }

    #[test]
    fn constant_angular_acceleration_is_followed() {
        // angle(t) = a t² / 2 about z, t in ms from 0.
        let a = 2e-5;
        let at = |ms: f32| about([0.0, 0.0, 1.0], a * ms * ms / 2.0);
        let t = [40.0, 30.0, 20.0];
        let predicted = extrapolate([at(t[0]), at(t[1]), at(t[2])], t, 30.0);
        assert!(predicted.angle_to(at(70.0)) < 1e-4, "{predicted:?}");
        // Without the acceleration term the error would be a L² / 2 = 0.009 rad.
        let linear = extrapolate([at(t[0]), at(t[1]), at(t[1])], [40.0, 30.0, 30.0], 30.0);
        assert!(linear.angle_to(at(70.0)) > 0.005);
    }

    #[test]
    fn snapshots_out_of_order_or_no_look_ahead_keep_the_newest() {
        let q = [
            about([0.0, 0.0, 1.0], 0.3),
            about([0.0, 0.0, 1.0], 0.2),
            Quat::IDENTITY,
        ];
        assert_eq!(extrapolate(q, [5.0, 5.0, 0.0], 20.0), q[0]);
        assert_eq!(extrapolate(q, [5.0, 9.0, 0.0], 20.0), q[0]);
        assert_eq!(extrapolate(q, [10.0, 5.0, 0.0], 0.0), q[0]);
    }

    #[test]
    fn degenerate_snapshot_times_give_finite_predictions() {
        let turning = [
            about([0.0, 0.0, 1.0], 0.3),
            about([0.0, 0.0, 1.0], 0.2),
            Quat::IDENTITY,
        ];
        let still = [turning[0]; 3];
        // The smallest positive f32 (1.4e-45 ms) and other tiny, huge or
        // non-finite spacings.
        let tiny = f32::from_bits(1);
        let times = [
            [tiny, 0.0, -tiny],
            [2.0 * tiny, tiny, 0.0],
            [1e-30, 0.0, -1e-30],
            [0.4, 0.0, -0.4],
            [1e30, 0.0, -1e30],
            [f32::MAX, 0.0, -f32::MAX],
            [f32::MAX, f32::MIN, 0.0],
            [5.0, 0.0, 0.0],
        ];
        for q in [turning, still] {
            for t in times {
                for ahead in [0.001, 20.0, MAX_LOOK_AHEAD_MS] {
                    let p = extrapolate(q, t, ahead);
                    assert!(p.is_finite(), "{t:?}, {ahead}: {p:?}");
                    assert!((p.length() - 1.0).abs() < 1e-4, "{t:?}: {p:?}");
                }
            }
            // Closer than the minimum spacing: no velocity, the newest orientation.
            assert_eq!(extrapolate(q, [tiny, 0.0, -tiny], 20.0), q[0]);
            assert_eq!(extrapolate(q, [0.4, 0.0, -0.4], 20.0), q[0]);
        }
        // Spaced enough, but the older interval is too short: no acceleration.
        let p = extrapolate(turning, [10.0, 5.0, 4.9], 10.0);
        assert!(p.angle_to(extrapolate(turning, [10.0, 5.0, 5.0], 10.0)) < 1e-6);
    }

    #[test]
    fn a_poisoned_pose_file_predicts_its_newest_orientation() {
        let now = std::time::SystemTime::now();
        let mut bytes = PoseSpec::looking(10.0, 0.0, 0.0).bytes_at(now);
        for (i, t) in [f32::from_bits(1), 0.0, 0.0].iter().enumerate() {
            bytes[169 + 4 * i..173 + 4 * i].copy_from_slice(&t.to_le_bytes());
        }
        bytes[185] = bytes[113..185].iter().fold(0, |p, x| p ^ x);
        let pose = parse(&bytes, unix_ms(now)).unwrap();
        let p = predict(&pose, unix_ms(now));
        assert!(p.look_ahead_ms > 0.0);
        assert_eq!(p.orientation, pose.orientation());
    }

    #[test]
    fn look_ahead_adds_age_and_half_the_scanline_time_and_is_capped() {
        assert_eq!(look_ahead_ms(&config(10.0, 8.0, 30.0), 3.0), 17.0);
        assert_eq!(look_ahead_ms(&config(10.0, 0.0, 20.0), 15.0), 20.0);
        assert_eq!(
            look_ahead_ms(&config(10.0, 0.0, 100.0), 60.0),
            MAX_LOOK_AHEAD_MS
        );
        assert_eq!(
            look_ahead_ms(&config(10.0, 0.0, 0.0), 60.0),
            MAX_LOOK_AHEAD_MS
        );
        assert_eq!(look_ahead_ms(&config(-30.0, 0.0, 30.0), 1.0), 0.0);
        // Extreme (finite) configurations stay within the bounds.
        for (default, scanline) in [
            (f32::MAX, f32::MAX),
            (f32::MIN, f32::MIN),
            (f32::MAX, f32::MIN),
        ] {
            let ms = look_ahead_ms(&config(default, scanline, 0.0), 5000.0);
            assert!(
                (0.0..=MAX_LOOK_AHEAD_MS).contains(&ms),
                "{default}, {scanline}: {ms}"
            );
        }
    }

    #[test]
    fn a_turning_head_in_the_file_is_predicted_ahead_by_the_capped_look_ahead() {
        // Turning right at 200°/s, data 5 ms old, default 10 ms, cap 12 ms.
        let spec = PoseSpec {
            rate_deg_per_s: [200.0, 0.0, 0.0],
            age_ms: 5,
            look_ahead: [10.0, 0.0, 0.0, 12.0],
            ..PoseSpec::looking(10.0, 0.0, 0.0)
        };
        let now = std::time::SystemTime::now();
        let pose = parse(&spec.bytes_at(now), unix_ms(now)).unwrap();
        let p = predict(&pose, unix_ms(now));
        assert_eq!(p.look_ahead_ms, 12.0);
        // 12 ms at 200°/s = 2.4° further right: a rotation about -z.
        let expected = about([0.0, 0.0, -1.0], 12.4f32.to_radians());
        assert!(p.orientation.angle_to(expected) < 1e-4, "{p:?}");
    }
}
