//! Pose files as the XR driver writes them (`/dev/shm/breezy_desktop_imu`, layout
//! version 5), for tests and demos that feed head poses to xrdisplay.
//!
//! Orientations are given as yaw, pitch and roll in degrees the way a person
//! describes a head turn: yaw right, pitch up and roll right (right ear down) are
//! positive. The file stores them as quaternions in the driver's NWU frame (x
//! forward, y left, z up), rotating head vectors into the room. This encoder is
//! written independently of the parser in `capture`, so each checks the other.
//!
//! Files are written atomically (a temporary file in the same directory, then a
//! rename): a test reading concurrently sees either the old or the new pose, never
//! a half-written one unless it asks for [`PoseFault::Torn`]. The real driver
//! rewrites in place, which is what the parity byte is for; `Torn` produces what a
//! reader racing it would see.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Size of a layout-5 file.
pub const POSE_FILE_SIZE: usize = 186;

/// What to get wrong on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoseFault {
    /// A valid file.
    None,
    /// The pose is 10 s old.
    Stale,
    /// The driver's enabled flag is off.
    Disabled,
    /// Layout version 4.
    WrongVersion,
    /// One byte short.
    WrongSize,
    /// The parity byte does not match the pose bytes.
    Torn,
    /// The newest orientation is (0, 0, 0, 1): the driver is still calibrating.
    Calibrating,
    /// The field of view is 0.
    NoFov,
    /// The snapshot times are 1.4e-45 ms apart (the smallest positive f32): a valid
    /// file whose turn rate is infinite.
    Poisoned,
}

/// One pose file's content.
#[derive(Debug, Clone)]
pub struct PoseSpec {
    pub yaw_deg: f64,
    pub pitch_deg: f64,
    pub roll_deg: f64,
    /// Turn rate in degrees per second (yaw, pitch, roll), used to make the two
    /// older snapshots: a head turning at this rate up to the newest one.
    pub rate_deg_per_s: [f64; 3],
    /// Time between snapshots.
    pub snapshot_interval_ms: f64,
    /// How old the pose is when written.
    pub age_ms: u64,
    pub display_size: (u32, u32),
    pub fov_diagonal_deg: f32,
    pub lens_distance_ratio: f32,
    pub sbs: bool,
    pub smooth_follow: bool,
    /// Look-ahead configuration: default ms, unused, extra ms top to bottom, cap ms.
    pub look_ahead: [f32; 4],
    pub fault: PoseFault,
}

impl Default for PoseSpec {
    fn default() -> PoseSpec {
        PoseSpec {
            yaw_deg: 0.0,
            pitch_deg: 0.0,
            roll_deg: 0.0,
            rate_deg_per_s: [0.0; 3],
            snapshot_interval_ms: 4.0,
            age_ms: 0,
            display_size: (1920, 1080),
            fov_diagonal_deg: 46.0,
            lens_distance_ratio: 0.05,
            sbs: false,
            smooth_follow: false,
            look_ahead: [10.0, 0.0, 0.0, 30.0],
            fault: PoseFault::None,
        }
    }
}

impl PoseSpec {
    /// A valid, fresh pose looking in the given direction (degrees).
    pub fn looking(yaw_deg: f64, pitch_deg: f64, roll_deg: f64) -> PoseSpec {
        PoseSpec {
            yaw_deg,
            pitch_deg,
            roll_deg,
            ..PoseSpec::default()
        }
    }

    /// This spec with a fault.
    pub fn with_fault(mut self, fault: PoseFault) -> PoseSpec {
        self.fault = fault;
        self
    }

    /// The file's bytes, timed against `now`.
    pub fn bytes_at(&self, now: SystemTime) -> Vec<u8> {
        let mut out = Vec::with_capacity(POSE_FILE_SIZE);
        out.push(if self.fault == PoseFault::WrongVersion {
            4
        } else {
            5
        });
        out.push(u8::from(self.fault != PoseFault::Disabled));
        for v in self.look_ahead {
            out.extend(v.to_le_bytes());
        }
        out.extend(self.display_size.0.to_le_bytes());
        out.extend(self.display_size.1.to_le_bytes());
        let fov = if self.fault == PoseFault::NoFov {
            0.0
        } else {
            self.fov_diagonal_deg
        };
        out.extend(fov.to_le_bytes());
        out.extend(self.lens_distance_ratio.to_le_bytes());
        out.extend([u8::from(self.sbs), 0, u8::from(self.smooth_follow)]);
        // Smooth-follow origin: the identity orientation in the same 4x4 layout.
        for v in [0.0f32, 0.0, 0.0, 1.0]
            .repeat(3)
            .into_iter()
            .chain([0.0; 4])
        {
            out.extend(v.to_le_bytes());
        }
        debug_assert_eq!(out.len(), 101);
        for _ in 0..3 {
            out.extend(0f32.to_le_bytes());
        }
        let age = if self.fault == PoseFault::Stale {
            10_000
        } else {
            self.age_ms
        };
        let time_ms = unix_ms(now).saturating_sub(age);
        out.extend(time_ms.to_le_bytes());
        // Snapshot times only matter relative to each other; keep them small enough
        // for an f32 to hold whole milliseconds exactly.
        let t0 = (time_ms % 1_000_000) as f64;
        let mut times = [0.0f64; 3];
        for (i, t) in times.iter_mut().enumerate() {
            *t = t0 - i as f64 * self.snapshot_interval_ms;
            let back = (t0 - *t) / 1000.0;
            let q = if i == 0 && self.fault == PoseFault::Calibrating {
                [0.0, 0.0, 0.0, 1.0]
            } else {
                orientation(
                    self.yaw_deg - self.rate_deg_per_s[0] * back,
                    self.pitch_deg - self.rate_deg_per_s[1] * back,
                    self.roll_deg - self.rate_deg_per_s[2] * back,
                )
            };
            for v in q {
                out.extend((v as f32).to_le_bytes());
            }
        }
        let mut times = times.map(|t| t as f32);
        if self.fault == PoseFault::Poisoned {
            let tiny = f32::from_bits(1);
            times = [tiny, 0.0, -tiny];
        }
        for t in times {
            out.extend(t.to_le_bytes());
        }
        out.extend(0f32.to_le_bytes());
        let parity = out[113..185].iter().fold(0u8, |p, b| p ^ b);
        out.push(if self.fault == PoseFault::Torn {
            parity ^ 0x5a
        } else {
            parity
        });
        debug_assert_eq!(out.len(), POSE_FILE_SIZE);
        if self.fault == PoseFault::WrongSize {
            out.pop();
        }
        out
    }

    /// The file's bytes, timed now.
    pub fn bytes(&self) -> Vec<u8> {
        self.bytes_at(SystemTime::now())
    }

    /// Writes the file atomically (temporary file in the same directory, renamed).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(&self.bytes())?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The quaternion (x, y, z, w) in NWU of a head turned by yaw (right), pitch (up)
/// and roll (right ear down), applied in that order, in degrees.
pub fn orientation(yaw_deg: f64, pitch_deg: f64, roll_deg: f64) -> [f64; 4] {
    // Yaw right turns about -z (up), pitch up about -y (left), roll right about +x
    // (forward). Intrinsic order: yaw, then pitch about the turned axis, then roll.
    let yaw = axis_angle(2, -yaw_deg);
    let pitch = axis_angle(1, -pitch_deg);
    let roll = axis_angle(0, roll_deg);
    product(product(yaw, pitch), roll)
}

fn axis_angle(axis: usize, deg: f64) -> [f64; 4] {
    let half = deg.to_radians() / 2.0;
    let mut q = [0.0, 0.0, 0.0, half.cos()];
    q[axis] = half.sin();
    q
}

fn product(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    let ([ax, ay, az, aw], [bx, by, bz, bw]) = (a, b);
    [
        aw * bx + ax * bw + ay * bz - az * by,
        aw * by - ax * bz + ay * bw + az * bx,
        aw * bz + ax * by - ay * bx + az * bw,
        aw * bw - ax * bx - ay * by - az * bz,
    ]
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis() as u64
}
