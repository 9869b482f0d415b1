//! The fusion filter: gyro integration, with the accelerometer pulling the tilt back
//! to gravity, the gyro's bias re-estimated whenever the head is still, an optional
//! magnetometer holding the heading, and a start-up calibration that takes the
//! reference pose.
//!
//! Why this design (measured on the traces in the tests): yaw is what a head-tracked
//! screen needs most and no accelerometer sees it, so without a magnetometer yaw
//! drift is set by the gyro's bias alone. Madgwick/Mahony filters (the `ahrs` crate)
//! correct bias only through the gravity error, which leaves the yaw bias untouched:
//! on the 60 s still trace with a 0.5°/s bias they drift by 30°. Here the bias
//! follows the gyro's mean while the head is still, with a time constant τ; the yaw
//! that leaks meanwhile is τ times the bias change, so it stays bounded instead of
//! growing with time.

use super::{body_to_nwu, ImuSample, GRAVITY};
use crate::view::quat::{norm3, scale3, Quat};

/// Stillness needed before the first pose: the gyro's mean over it is the bias and
/// the accelerometer's mean gives the tilt.
pub const CALIBRATION_S: f32 = 1.0;
/// Angular speed (after removing the bias), low-passed, under which the head may be
/// still, rad/s (about 2.3°/s).
const STILL_RATE: f32 = 0.04;
/// How far the accelerometer's magnitude may be from gravity for the head to be still
/// (or for its direction to be trusted as "up"), m/s².
const STILL_ACCEL: f32 = 0.5;
/// Time constant of the motion measure's low-pass, s.
const MOTION_TAU: f32 = 0.05;
/// How long the head must have been still before the bias follows the gyro, s.
const STILL_HOLD: f32 = 0.3;
/// Time constant of the bias estimate while still, s.
const BIAS_TAU: f32 = 2.0;
/// Stillness is gathered in windows this long, s. A window feeds the bias only once
/// the next one is complete as well: a motion's first milliseconds, before the motion
/// measure rises, never reach the bias.
const BIAS_WINDOW: f32 = 0.1;
/// Gain pulling the tilt toward the accelerometer's "up", 1/s.
const TILT_GAIN: f32 = 0.5;
/// Gain pulling the heading toward the magnetometer's, 1/s.
const HEADING_GAIN: f32 = 0.5;
/// Gain feeding the heading error into the gyro's bias about the vertical, 1/s²: the
/// magnetometer also corrects a bias that changes while the head moves.
const HEADING_BIAS_GAIN: f32 = 0.05;
/// The Earth's field is 25–65 µT; anything far outside is a magnet nearby.
const MAG_FIELD_UT: std::ops::RangeInclusive<f32> = 15.0..=100.0;
/// A gap between samples longer than this is not integrated over, s.
const MAX_STEP: f32 = 0.1;

/// Where the filter stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FusionState {
    /// Waiting for the head to be still long enough; the fraction done.
    Calibrating {
        done: f32,
    },
    Live,
}

/// Accumulates the start-up calibration.
#[derive(Debug, Clone, Copy, Default)]
struct Calibration {
    seconds: f32,
    gyro: [f32; 3],
    accel: [f32; 3],
    samples: u32,
    /// The magnetometer's sum and count: one noisy reading is no reference heading.
    mag: [f32; 3],
    mag_samples: u32,
}

/// A stretch of stillness: the gyro's integral over it, and its length.
#[derive(Debug, Clone, Copy, Default)]
struct Window {
    gyro: [f32; 3],
    seconds: f32,
}

/// Fuses samples into the head's orientation relative to the reference pose.
#[derive(Debug, Clone)]
pub struct Fusion {
    /// Body (NWU axes) to room (NWU, gravity along z, heading arbitrary).
    attitude: Quat,
    /// The attitude at the end of calibration: poses are relative to it.
    reference: Quat,
    /// Gyro bias in NWU body axes, rad/s.
    bias: [f32; 3],
    /// Bias-corrected angular velocity of the last sample, NWU body axes, rad/s.
    rate: [f32; 3],
    calibration: Option<Calibration>,
    /// Low-passed angular speed with the bias removed, rad/s.
    motion: f32,
    still_for: f32,
    /// The stillness being gathered, and the complete window waiting for it.
    window: Window,
    ready: Option<Window>,
    /// The room heading of the magnetic field at the reference, rad.
    heading: Option<f32>,
    last_t_ns: Option<u64>,
}

impl Default for Fusion {
    fn default() -> Fusion {
        Fusion::new()
    }
}

impl Fusion {
    pub fn new() -> Fusion {
        Fusion {
            attitude: Quat::IDENTITY,
            reference: Quat::IDENTITY,
            bias: [0.0; 3],
            rate: [0.0; 3],
            calibration: Some(Calibration::default()),
            motion: 0.0,
            still_for: 0.0,
            window: Window::default(),
            ready: None,
            heading: None,
            last_t_ns: None,
        }
    }

    pub fn state(&self) -> FusionState {
        match &self.calibration {
            Some(c) => FusionState::Calibrating {
                done: (c.seconds / CALIBRATION_S).clamp(0.0, 1.0),
            },
            None => FusionState::Live,
        }
    }

    /// The head's orientation relative to the reference pose (NWU), once calibrated.
    pub fn orientation(&self) -> Option<Quat> {
        self.calibration
            .is_none()
            .then(|| self.reference.conjugate() * self.attitude)
    }

    /// The head's angular velocity in the reference frame (NWU), rad/s: a rotation
    /// vector per second that premultiplies [`Fusion::orientation`].
    pub fn angular_velocity(&self) -> [f32; 3] {
        (self.reference.conjugate() * self.attitude).rotate(self.rate)
    }

    /// The gyro bias in the sample's body frame (x right, y up, z back), rad/s.
    pub fn bias(&self) -> [f32; 3] {
        let b = self.bias;
        [-b[1], b[2], -b[0]]
    }

    /// Whether the head counts as still now.
    pub fn is_still(&self) -> bool {
        self.still_for >= STILL_HOLD
    }

    /// Takes one sample. Samples out of order or repeated are ignored; non-finite
    /// values are the caller's to drop.
    pub fn update(&mut self, sample: &ImuSample) {
        let dt = match self.last_t_ns {
            Some(last) if sample.t_ns <= last => return,
            Some(last) => ((sample.t_ns - last) as f64 * 1e-9) as f32,
            None => 0.0,
        };
        self.last_t_ns = Some(sample.t_ns);
        let gyro = body_to_nwu(sample.gyro);
        let accel = body_to_nwu(sample.accel);
        let dt = if dt > MAX_STEP { 0.0 } else { dt };
        let gravity_like = (norm3(accel) - GRAVITY).abs() < STILL_ACCEL;

        if let Some(mut calibration) = self.calibration.take() {
            self.calibrate(&mut calibration, sample, dt, gravity_like);
            if calibration.seconds < CALIBRATION_S {
                self.calibration = Some(calibration);
            } else {
                self.finish_calibration(&calibration);
            }
            return;
        }

        let rate = sub3(gyro, self.bias);
        let blend = if dt > 0.0 {
            1.0 - (-dt / MOTION_TAU).exp()
        } else {
            0.0
        };
        self.motion += (norm3(rate) - self.motion) * blend;
        if self.motion < STILL_RATE && gravity_like {
            self.still_for += dt;
        } else {
            self.still_for = 0.0;
        }
        if self.is_still() {
            self.window.seconds += dt;
            self.window.gyro = [0, 1, 2].map(|i| self.window.gyro[i] + gyro[i] * dt);
            if self.window.seconds >= BIAS_WINDOW {
                if let Some(ready) = self.ready.take() {
                    self.follow_bias(ready);
                }
                self.ready = Some(std::mem::take(&mut self.window));
            }
        } else {
            self.window = Window::default();
            self.ready = None;
        }
        self.rate = sub3(gyro, self.bias);

        let mut turn = self.rate;
        if gravity_like {
            // The measured "up" and the estimated one, in the body: their cross
            // product is the axis (and sine of the angle) that brings the estimate
            // to the measurement.
            let measured = scale3(accel, 1.0 / norm3(accel));
            let estimated = self.attitude.conjugate().rotate([0.0, 0.0, 1.0]);
            let error = cross3(measured, estimated);
            turn = [0, 1, 2].map(|i| turn[i] + TILT_GAIN * error[i]);
        }
        self.attitude = (self.attitude * Quat::from_rotation_vector(scale3(turn, dt)))
            .normalized()
            .unwrap_or(self.attitude);
        if let (Some(reference), Some(now)) =
            (self.heading, sample.mag.and_then(|m| self.heading_of(m)))
        {
            let error = wrap_angle(now - reference);
            // A heading running ahead (left) means the gyro reads too far left.
            let up = self.attitude.conjugate().rotate([0.0, 0.0, 1.0]);
            let k = HEADING_BIAS_GAIN * error * dt;
            self.bias = [0, 1, 2].map(|i| self.bias[i] + k * up[i]);
            let correction = Quat::from_rotation_vector([0.0, 0.0, -HEADING_GAIN * error * dt]);
            self.attitude = (correction * self.attitude)
                .normalized()
                .unwrap_or(self.attitude);
        }
    }

    /// Moves the bias toward a still window's mean gyro. The mean of a still gyro is
    /// its bias; motion that leaks in moves the heading by at most BIAS_TAU times the
    /// change (see the module comment).
    fn follow_bias(&mut self, window: Window) {
        let k = (window.seconds / BIAS_TAU).min(1.0);
        let mean = scale3(window.gyro, 1.0 / window.seconds);
        self.bias = [0, 1, 2].map(|i| self.bias[i] + (mean[i] - self.bias[i]) * k);
    }

    fn calibrate(&mut self, c: &mut Calibration, sample: &ImuSample, dt: f32, gravity_like: bool) {
        let (gyro, accel) = (body_to_nwu(sample.gyro), body_to_nwu(sample.accel));
        // Motion (away from the mean so far, which holds the bias) starts over.
        let mean = scale3(c.gyro, 1.0 / c.samples.max(1) as f32);
        let moving = c.samples > 0 && norm3(sub3(gyro, mean)) > 4.0 * STILL_RATE;
        if moving || !gravity_like {
            *c = Calibration::default();
            return;
        }
        c.seconds += dt;
        c.samples += 1;
        c.gyro = [0, 1, 2].map(|i| c.gyro[i] + gyro[i]);
        c.accel = [0, 1, 2].map(|i| c.accel[i] + accel[i]);
        if let Some(mag) = sample.mag {
            c.mag = [0, 1, 2].map(|i| c.mag[i] + mag[i]);
            c.mag_samples += 1;
        }
    }

    fn finish_calibration(&mut self, c: &Calibration) {
        let n = c.samples.max(1) as f32;
        self.bias = scale3(c.gyro, 1.0 / n);
        self.attitude = level(scale3(c.accel, 1.0 / n));
        self.reference = self.attitude;
        self.still_for = STILL_HOLD;
        self.motion = 0.0;
        self.rate = [0.0; 3];
        self.calibration = None;
        self.heading = (c.mag_samples > 0)
            .then(|| scale3(c.mag, 1.0 / c.mag_samples as f32))
            .and_then(|m| self.heading_of(m));
    }

    /// The heading of the field `mag` (body frame) in the room, if it looks like the
    /// Earth's.
    fn heading_of(&self, mag: [f32; 3]) -> Option<f32> {
        let field = body_to_nwu(mag);
        if !MAG_FIELD_UT.contains(&norm3(field)) {
            return None;
        }
        let room = self.attitude.rotate(field);
        (room[0].hypot(room[1]) > 1.0).then(|| room[1].atan2(room[0]))
    }
}

/// The attitude with zero heading whose "up" is the accelerometer's `up` (body).
fn level(up: [f32; 3]) -> Quat {
    let n = norm3(up);
    if n <= f32::EPSILON {
        return Quat::IDENTITY;
    }
    let up = scale3(up, 1.0 / n);
    // The shortest rotation taking the body's measured up to the room's z.
    let axis = cross3(up, [0.0, 0.0, 1.0]);
    let angle = up[2].clamp(-1.0, 1.0).acos();
    Quat::from_axis_angle(axis, angle)
}

fn sub3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn wrap_angle(a: f32) -> f32 {
    use std::f32::consts::{PI, TAU};
    (a + PI).rem_euclid(TAU) - PI
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imu::synthetic::{Motion, Trace};

    /// The filter's yaw (left positive) after each sample once live, next to the
    /// truth, in degrees.
    fn run(trace: &Trace) -> (Fusion, Vec<(f32, f32)>) {
        let mut fusion = Fusion::new();
        let mut yaws = Vec::new();
        for (sample, truth) in trace.samples.iter().zip(&trace.truth) {
            fusion.update(sample);
            if let Some(q) = fusion.orientation() {
                yaws.push((yaw_deg(q), yaw_deg(*truth)));
            }
        }
        (fusion, yaws)
    }

    fn yaw_deg(q: Quat) -> f32 {
        // The forward axis turned into the room.
        let f = q.rotate([1.0, 0.0, 0.0]);
        f[1].atan2(f[0]).to_degrees()
    }

    fn noisy(motion: Vec<Motion>) -> Trace {
        Trace::generate(&motion, 1000.0, 0.5, 7)
    }

    #[test]
    fn a_15_degree_turn_ends_within_half_a_degree_despite_the_bias() {
        let trace = noisy(vec![
            Motion::Still(3.0),
            Motion::Turn {
                degrees: 15.0,
                rate_dps: 15.0,
            },
            Motion::Still(3.0),
        ]);
        let (fusion, yaws) = run(&trace);
        let (seen, truth) = *yaws.last().unwrap();
        assert!((truth - 15.0).abs() < 1e-3, "{truth}");
        assert!((seen - truth).abs() < 0.5, "final yaw {seen}° for {truth}°");
        // The bias was found: 0.5°/s about the body's y.
        assert!(
            (fusion.bias()[1].to_degrees() - 0.5).abs() < 0.05,
            "{:?}",
            fusion.bias()
        );
    }

    #[test]
    fn sixty_seconds_still_drift_less_than_half_a_degree() {
        let (_, yaws) = run(&noisy(vec![Motion::Still(60.0)]));
        let worst = yaws.iter().map(|(s, t)| (s - t).abs()).fold(0.0, f32::max);
        assert!(worst < 0.5, "drifted {worst}°");
        // Integrating the raw gyro would have drifted 30°: the test needs the bias
        // estimate.
        assert!(yaws.len() > 55_000);
    }

    #[test]
    fn a_60_degree_per_second_sweep_stays_within_a_degree_throughout() {
        let mut motion = vec![Motion::Still(2.0)];
        for _ in 0..3 {
            for degrees in [30.0, -60.0, 30.0] {
                motion.push(Motion::Turn {
                    degrees,
                    rate_dps: 60.0,
                });
            }
        }
        motion.push(Motion::Still(1.0));
        let (_, yaws) = run(&noisy(motion));
        let worst = yaws.iter().map(|(s, t)| (s - t).abs()).fold(0.0, f32::max);
        let widest = yaws.iter().map(|(_, t)| t.abs()).fold(0.0, f32::max);
        assert!(worst < 1.0, "error up to {worst}°");
        assert!(widest > 29.0, "{widest}");
    }

    #[test]
    fn calibration_waits_for_stillness_and_takes_the_reference_there() {
        // Moving first, then still but tilted 10° down (pitch about the body's x).
        let mut trace = noisy(vec![
            Motion::Turn {
                degrees: 20.0,
                rate_dps: 40.0,
            },
            Motion::Still(2.0),
        ]);
        let mut fusion = Fusion::new();
        let tilt = Quat::from_axis_angle([1.0, 0.0, 0.0], (-10f32).to_radians());
        let mut first_live = None;
        for (i, sample) in trace.samples.iter_mut().enumerate() {
            sample.accel = tilt.conjugate().rotate(sample.accel);
            fusion.update(sample);
            if first_live.is_none() && fusion.state() == FusionState::Live {
                first_live = Some(i);
            }
        }
        // 0.5 s of turning, then a full second of stillness.
        let first_live = first_live.unwrap() as f32 / 1000.0;
        assert!((1.45..1.6).contains(&first_live), "{first_live}");
        // The tilt at calibration is the reference: straight ahead.
        let q = fusion.orientation().unwrap();
        assert!(q.angle_to(Quat::IDENTITY).to_degrees() < 0.3, "{q:?}");
    }

    #[test]
    fn tilt_error_is_pulled_back_to_gravity() {
        let trace = noisy(vec![Motion::Still(12.0)]);
        let mut fusion = Fusion::new();
        for sample in &trace.samples[..1500] {
            fusion.update(sample);
        }
        // Knock the estimate 5° off in roll; gravity brings it back.
        fusion.attitude = fusion.attitude * Quat::from_axis_angle([1.0, 0.0, 0.0], 0.087);
        for sample in &trace.samples[1500..] {
            fusion.update(sample);
        }
        let q = fusion.orientation().unwrap();
        assert!(q.angle_to(Quat::IDENTITY).to_degrees() < 0.3, "{q:?}");
    }

    #[test]
    fn the_magnetometer_holds_the_heading_when_the_bias_changes() {
        // The bias grows by 1°/s during a long turn, where stillness cannot re-estimate it.
        let trace = noisy(vec![
            Motion::Still(2.0),
            Motion::Turn {
                degrees: 120.0,
                rate_dps: 4.0,
            },
            Motion::Still(8.0),
        ]);
        let shifted = |mut trace: Trace| {
            for sample in trace.samples.iter_mut().skip(2000) {
                sample.gyro[1] += 1f32.to_radians();
            }
            trace
        };
        let error = |trace: &Trace| {
            let (_, yaws) = run(trace);
            let (seen, truth) = *yaws.last().unwrap();
            (seen - truth).abs()
        };
        let with_mag = shifted(trace.with_magnetometer([20.0, 0.0, -40.0], 9));
        let without = error(&shifted(trace));
        let with = error(&with_mag);
        assert!(without > 20.0, "the test needs the drift: {without}");
        assert!(with < 1.0, "with the magnetometer: {with}");
    }

    #[test]
    fn out_of_order_and_gap_samples_do_not_turn_the_head() {
        let trace = noisy(vec![Motion::Still(2.0)]);
        let mut fusion = Fusion::new();
        for sample in &trace.samples {
            fusion.update(sample);
        }
        let before = fusion.orientation().unwrap();
        let last = *trace.samples.last().unwrap();
        let spinning = |t_ns| ImuSample {
            t_ns,
            gyro: [0.0, 5.0, 0.0],
            ..last
        };
        fusion.update(&spinning(last.t_ns - 1_000_000));
        fusion.update(&spinning(last.t_ns + 2_000_000_000));
        assert!(fusion.orientation().unwrap().angle_to(before) < 1e-4);
    }
}
