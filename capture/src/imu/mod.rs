//! Head tracking from the glasses' own IMU: samples, the replay format, the fusion
//! filter that turns samples into an orientation, and the feed the render loop reads.
//!
//! Samples are in the glasses' body frame: x right, y up, z toward the back of the
//! wearer's head; at rest and level the accelerometer reads (0, +9.81, 0) and a
//! positive gy is the head turning left. The view works in NWU axes (x forward, y
//! left, z up); [`body_to_nwu`] converts.

pub mod feed;
pub mod fusion;
pub mod glasses;
pub mod replay;
pub mod rokid;
pub mod synthetic;
pub mod xreal;

/// Standard gravity, m/s².
pub const GRAVITY: f32 = 9.80665;

/// One IMU reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImuSample {
    /// When it was measured, in ns on the device's (or the replay's) clock.
    pub t_ns: u64,
    /// Angular velocity, rad/s.
    pub gyro: [f32; 3],
    /// Specific force (gravity's reaction included), m/s².
    pub accel: [f32; 3],
    /// Magnetic field, µT, where the device has a magnetometer.
    pub mag: Option<[f32; 3]>,
}

/// A body-frame vector (x right, y up, z back) in NWU axes (x forward, y left, z up).
pub fn body_to_nwu(v: [f32; 3]) -> [f32; 3] {
    [-v[2], -v[0], v[1]]
}
