//! Scripted head motion as noisy, biased IMU samples with the true orientation beside
//! each: what the fusion tests, the replay tests and the glasses emulator feed on.

use super::{ImuSample, GRAVITY};
use crate::view::quat::Quat;

/// Gyro noise, rad/s (one standard deviation per axis).
const GYRO_NOISE: f32 = 0.005;
/// Accelerometer noise, m/s².
const ACCEL_NOISE: f32 = 0.05;
/// Magnetometer noise, µT.
const MAG_NOISE: f32 = 0.3;
/// The first sample's time, ns: a device clock does not start at zero.
const START_NS: u64 = 5_000_000_000;

/// One piece of a scripted motion, the head level throughout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Motion {
    /// Holding still for this many seconds.
    Still(f32),
    /// Turning by `degrees` (left positive) at `rate_dps`.
    Turn { degrees: f32, rate_dps: f32 },
}

/// Samples and the true orientation (NWU, relative to the start) at each.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub samples: Vec<ImuSample>,
    pub truth: Vec<Quat>,
}

impl Trace {
    /// `motion` sampled at `rate_hz`, with a gyro bias of `bias_dps` on every axis and
    /// Gaussian noise from a generator seeded with `seed`.
    pub fn generate(motion: &[Motion], rate_hz: f32, bias_dps: f32, seed: u64) -> Trace {
        let mut noise = Noise(seed);
        let dt = 1.0 / rate_hz;
        let bias = bias_dps.to_radians();
        let mut trace = Trace {
            samples: Vec::new(),
            truth: Vec::new(),
        };
        let mut yaw = 0.0f32;
        let mut t = 0.0f64;
        for piece in motion {
            let (seconds, rate) = match *piece {
                Motion::Still(s) => (s, 0.0),
                Motion::Turn { degrees, rate_dps } => (
                    degrees.abs() / rate_dps.abs().max(1e-3),
                    rate_dps.abs().to_radians() * degrees.signum(),
                ),
            };
            let steps = (seconds * rate_hz).round() as u32;
            for _ in 0..steps {
                t += f64::from(dt);
                yaw += rate * dt;
                trace.samples.push(ImuSample {
                    t_ns: START_NS + (t * 1e9).round() as u64,
                    gyro: [0.0, rate, 0.0].map(|g| g + bias + GYRO_NOISE * noise.gaussian()),
                    accel: [0.0, GRAVITY, 0.0].map(|a| a + ACCEL_NOISE * noise.gaussian()),
                    mag: None,
                });
                trace
                    .truth
                    .push(Quat::from_axis_angle([0.0, 0.0, 1.0], yaw));
            }
        }
        trace
    }

    /// The same trace with a magnetometer reading `field` (µT, in the room's NWU
    /// axes), noise from `seed`.
    pub fn with_magnetometer(&self, field: [f32; 3], seed: u64) -> Trace {
        let mut noise = Noise(seed);
        let mut trace = self.clone();
        for (sample, truth) in trace.samples.iter_mut().zip(&self.truth) {
            let nwu = truth.conjugate().rotate(field);
            // NWU (forward, left, up) back to the body's (right, up, back).
            let body = [-nwu[1], nwu[2], -nwu[0]];
            sample.mag = Some(body.map(|m| m + MAG_NOISE * noise.gaussian()));
        }
        trace
    }
}

/// A small deterministic generator (SplitMix64) with Box–Muller Gaussians: traces
/// must be the same on every run.
struct Noise(u64);

impl Noise {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn uniform(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 + 1.0) / (1u64 << 24) as f32
    }

    fn gaussian(&mut self) -> f32 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_ends_at_its_angle_and_the_noise_has_its_spread() {
        let trace = Trace::generate(
            &[Motion::Turn {
                degrees: -30.0,
                rate_dps: 60.0,
            }],
            1000.0,
            0.0,
            1,
        );
        assert_eq!(trace.samples.len(), 500);
        let end = trace.truth.last().unwrap().to_rotation_vector();
        assert!((end[2].to_degrees() + 30.0).abs() < 1e-3, "{end:?}");
        let spread = (trace
            .samples
            .iter()
            .map(|s| s.accel[0].powi(2))
            .sum::<f32>()
            / 500.0)
            .sqrt();
        assert!((spread - ACCEL_NOISE).abs() < 0.01, "{spread}");
    }
}
