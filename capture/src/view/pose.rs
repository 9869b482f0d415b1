//! The XR driver's head pose: the shared-memory file `/dev/shm/breezy_desktop_imu`
//! (layout version 5, 186 bytes, little-endian), parsed and validated, and a reader
//! that the render loop can call every frame without ever blocking on it.
//!
//! Layout (offset: field): 0 version u8 · 1 enabled u8 · 2 look-ahead config 4×f32 ·
//! 18 display resolution 2×u32 · 26 diagonal FOV in degrees f32 · 30 lens distance
//! ratio f32 · 34 SBS u8 · 35 custom banner u8 · 36 smooth follow u8 · 37 smooth-follow
//! origin 16×f32 · 101 position 3×f32 · 113 pose time, ms since the epoch, u64 · 121
//! orientation 16×f32 (rows 0–2 quaternions x, y, z, w at t0 newest, t1, t2; row 3
//! the times t0, t1, t2 in ms) · 185 parity, the XOR of bytes 113–184.
//!
//! Orientations are in the driver's NWU frame (x forward, y left, z up) and rotate
//! head vectors into the room.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::files::{self, FileError};
use super::quat::Quat;

/// Where the driver publishes the pose.
pub const DEFAULT_PATH: &str = "/dev/shm/breezy_desktop_imu";
/// The only layout this parser understands.
pub const LAYOUT_VERSION: u8 = 5;
/// Size of a layout-5 file.
pub const FILE_SIZE: usize = 186;
/// A pose older (or newer) than this is not used.
pub const MAX_AGE_MS: u64 = 5000;
/// How many times a read with a bad parity is repeated before giving up for this frame.
const TORN_RETRIES: usize = 3;

/// The driver's look-ahead configuration (the file's config[0], [2] and [3]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LookAheadConfig {
    /// Look-ahead added to the data's age, in ms.
    pub default_ms: f32,
    /// Extra look-ahead from the top scanline to the bottom one, in ms.
    pub scanline_ms: f32,
    /// Upper bound on the look-ahead, in ms.
    pub cap_ms: f32,
}

/// A valid pose: the driver is enabled, the data is fresh and calibrated.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    pub look_ahead: LookAheadConfig,
    /// The glasses' display resolution (the whole panel, both eyes in SBS mode).
    pub display_size: (u32, u32),
    /// The glasses' diagonal field of view, in degrees.
    pub fov_diagonal_deg: f32,
    /// Pivot-to-lens offset, in screen-distance units.
    pub lens_distance_ratio: f32,
    /// Side-by-side (3D) mode: each eye gets half of the panel.
    pub sbs: bool,
    pub custom_banner: bool,
    pub smooth_follow: bool,
    pub smooth_follow_origin: [f32; 16],
    pub position: [f32; 3],
    /// When the newest orientation was measured, ms since the Unix epoch.
    pub time_ms: u64,
    /// Orientations at t0 (newest), t1, t2, normalised.
    pub orientations: [Quat; 3],
    /// The snapshot times t0, t1, t2 in ms (only their differences mean anything).
    pub snapshot_ms: [f32; 3],
}

impl Pose {
    /// A pose made in-process (the sway, the IMU feed) for glasses of `display_size`
    /// and `fov_diagonal_deg`: none of the driver's extras, a fixed look-ahead of
    /// `ahead_ms` plus the pose's age.
    pub fn in_process(
        display_size: (u32, u32),
        fov_diagonal_deg: f32,
        ahead_ms: f32,
        time_ms: u64,
        orientations: [Quat; 3],
        snapshot_ms: [f32; 3],
    ) -> Pose {
        Pose {
            look_ahead: LookAheadConfig {
                default_ms: ahead_ms,
                scanline_ms: 0.0,
                cap_ms: 0.0,
            },
            display_size,
            fov_diagonal_deg,
            lens_distance_ratio: 0.0,
            sbs: false,
            custom_banner: false,
            smooth_follow: false,
            smooth_follow_origin: [0.0; 16],
            position: [0.0; 3],
            time_ms,
            orientations,
            snapshot_ms,
        }
    }

    /// The newest orientation.
    pub fn orientation(&self) -> Quat {
        self.orientations[0]
    }

    /// How old the pose is at `now_ms`, in ms (negative when dated in the future).
    pub fn age_ms(&self, now_ms: u64) -> i64 {
        now_ms as i64 - self.time_ms as i64
    }
}

/// Why there is no usable pose, as `status` says it.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The file does not exist.
    Missing,
    /// The file exists but cannot be read.
    Unreadable(String),
    /// The file is not one xrdisplay trusts (a symbolic link, not a regular file,
    /// another user's): why.
    Refused(String),
    WrongSize(usize),
    WrongVersion(u8),
    Disabled,
    NoFov,
    /// The pose time is more than [`MAX_AGE_MS`] from now.
    Stale {
        age_ms: i64,
    },
    /// The parity did not match on every try this frame.
    Torn,
    Calibrating,
    /// A field holds a value no driver writes.
    Invalid(&'static str),
    /// An in-process pose source (the glasses' IMU, a replay) has no pose: why.
    Source(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing => f.write_str("no pose file: is the XR driver running?"),
            Problem::Unreadable(e) => write!(f, "the pose file cannot be read: {e}"),
            Problem::Refused(why) => write!(f, "the pose file {why}, so it is not used"),
            Problem::WrongSize(n) => write!(
                f,
                "the pose file has {n} bytes, not {FILE_SIZE}: an XR driver version this \
                 xrdisplay does not know"
            ),
            Problem::WrongVersion(v) => write!(
                f,
                "the pose file has layout version {v}, not {LAYOUT_VERSION}: an XR driver \
                 version this xrdisplay does not know"
            ),
            Problem::Disabled => f.write_str("the XR driver reports head tracking disabled"),
            Problem::NoFov => {
                f.write_str("the XR driver does not know the glasses' field of view yet")
            }
            Problem::Stale { age_ms } if *age_ms < 0 => write!(
                f,
                "the pose is dated {:.1} s in the future: check the system clock",
                -*age_ms as f64 / 1000.0
            ),
            Problem::Stale { age_ms } => write!(
                f,
                "the pose is {:.1} s old: the XR driver stopped updating it (glasses unplugged?)",
                *age_ms as f64 / 1000.0
            ),
            Problem::Torn => {
                f.write_str("the pose file was being rewritten on every read (torn read)")
            }
            Problem::Calibrating => {
                f.write_str("the XR driver is calibrating: keep the glasses still")
            }
            Problem::Invalid(what) => write!(f, "the pose file holds an invalid {what}"),
            Problem::Source(why) => f.write_str(why),
        }
    }
}

/// Parses and validates a layout-5 file read at `now_ms` (ms since the epoch).
///
/// Checked in this order: size, version, enabled, field of view, display size,
/// parity, values, age, calibration.
pub fn parse(bytes: &[u8], now_ms: u64) -> Result<Pose, Problem> {
    let b: &[u8; FILE_SIZE] = bytes
        .try_into()
        .map_err(|_| Problem::WrongSize(bytes.len()))?;
    if b[0] != LAYOUT_VERSION {
        return Err(Problem::WrongVersion(b[0]));
    }
    if b[1] == 0 {
        return Err(Problem::Disabled);
    }
    let fov = f32_at(b, 26);
    if fov == 0.0 {
        return Err(Problem::NoFov);
    }
    if !(fov > 0.0 && fov < 180.0) {
        return Err(Problem::Invalid("field of view"));
    }
    let display_size = (u32_at(b, 18), u32_at(b, 22));
    if display_size.0 == 0 || display_size.1 == 0 {
        return Err(Problem::Invalid("display resolution"));
    }
    if b[113..185].iter().fold(0u8, |p, x| p ^ x) != b[185] {
        return Err(Problem::Torn);
    }
    let floats =
        |offset: usize| -> [f32; 16] { std::array::from_fn(|i| f32_at(b, offset + 4 * i)) };
    let rows = floats(121);
    let mut orientations = [Quat::IDENTITY; 3];
    for (i, q) in orientations.iter_mut().enumerate() {
        let raw = Quat::new(
            rows[4 * i],
            rows[4 * i + 1],
            rows[4 * i + 2],
            rows[4 * i + 3],
        );
        // Rows come from a unit quaternion in f32; anything far off is not one.
        *q = raw
            .normalized()
            .filter(|_| (raw.length() - 1.0).abs() < 0.01)
            .ok_or(Problem::Invalid("orientation"))?;
    }
    let snapshot_ms = [rows[12], rows[13], rows[14]];
    if !snapshot_ms.iter().all(|t| t.is_finite()) {
        return Err(Problem::Invalid("snapshot time"));
    }
    let config = [f32_at(b, 2), f32_at(b, 6), f32_at(b, 10), f32_at(b, 14)];
    if !config.iter().all(|v| v.is_finite()) {
        return Err(Problem::Invalid("look-ahead configuration"));
    }
    let time_ms = u64_at(b, 113);
    let age_ms = now_ms as i64 - time_ms as i64;
    if age_ms.unsigned_abs() > MAX_AGE_MS {
        return Err(Problem::Stale { age_ms });
    }
    // Exactly the identity in row 0 is the driver's "not calibrated yet" marker.
    if rows[..4] == [0.0, 0.0, 0.0, 1.0] {
        return Err(Problem::Calibrating);
    }
    let origin = floats(37);
    Ok(Pose {
        look_ahead: LookAheadConfig {
            default_ms: config[0],
            scanline_ms: config[2],
            cap_ms: config[3],
        },
        display_size,
        fov_diagonal_deg: fov,
        lens_distance_ratio: f32_at(b, 30),
        sbs: b[34] != 0,
        custom_banner: b[35] != 0,
        smooth_follow: b[36] != 0,
        smooth_follow_origin: origin,
        position: [f32_at(b, 101), f32_at(b, 105), f32_at(b, 109)],
        time_ms,
        orientations,
        snapshot_ms,
    })
}

fn u32_at(b: &[u8; FILE_SIZE], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn f32_at(b: &[u8; FILE_SIZE], at: usize) -> f32 {
    f32::from_bits(u32_at(b, at))
}

fn u64_at(b: &[u8; FILE_SIZE], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | u64::from(u32_at(b, at + 4)) << 32
}

/// Milliseconds since the Unix epoch (0 for a clock before it).
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// What one frame's look at the pose file found.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The pose to draw with; `None` means: show the flat screen.
    pub pose: Option<Pose>,
    /// Why the file was not usable this frame, `None` when it was. A torn read keeps
    /// the last good pose and still reports [`Problem::Torn`].
    pub problem: Option<Problem>,
}

impl fmt::Display for Sample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            None => f.write_str("ok"),
            Some(p) => p.fmt(f),
        }
    }
}

/// Reads the pose file once per frame.
///
/// Each sample opens the file as [`files::read`] does (non-blocking, no symbolic
/// link, only a regular file of the caller's or root's), reads at most one byte more
/// than a valid file holds, and closes it: the driver replaces and recreates the file
/// freely, so no handle or mapping is kept.
#[derive(Debug)]
pub struct PoseReader {
    path: PathBuf,
    last_good: Option<Pose>,
}

impl PoseReader {
    pub fn new(path: impl Into<PathBuf>) -> PoseReader {
        PoseReader {
            path: path.into(),
            last_good: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pose as of `now` (pass `SystemTime::now()` just before drawing).
    pub fn sample(&mut self, now: SystemTime) -> Sample {
        let now_ms = unix_ms(now);
        for _ in 0..=TORN_RETRIES {
            let result = read_file(&self.path).and_then(|bytes| parse(&bytes, now_ms));
            match result {
                Ok(pose) => {
                    self.last_good = Some(pose.clone());
                    return Sample {
                        pose: Some(pose),
                        problem: None,
                    };
                }
                Err(Problem::Torn) => continue,
                Err(problem) => {
                    // After a gap, an old pose is no longer the truth.
                    self.last_good = None;
                    return Sample {
                        pose: None,
                        problem: Some(problem),
                    };
                }
            }
        }
        let pose = self
            .last_good
            .clone()
            .filter(|p| p.age_ms(now_ms).unsigned_abs() <= MAX_AGE_MS);
        Sample {
            pose,
            problem: Some(Problem::Torn),
        }
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, Problem> {
    files::read(path, FILE_SIZE + 1).map_err(|e| match e {
        FileError::Missing => Problem::Missing,
        FileError::Refused(why) => Problem::Refused(why),
        FileError::Io(e) => Problem::Unreadable(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::Scratch;
    use xrdisplay_harness::{PoseFault, PoseSpec};

    fn now() -> (SystemTime, u64) {
        let t = SystemTime::now();
        (t, unix_ms(t))
    }

    fn parsed(spec: &PoseSpec) -> Result<Pose, Problem> {
        let (t, ms) = now();
        parse(&spec.bytes_at(t), ms)
    }

    #[test]
    fn a_valid_file_parses_every_field() {
        let spec = PoseSpec {
            display_size: (3840, 1080),
            fov_diagonal_deg: 52.0,
            lens_distance_ratio: 0.25,
            sbs: true,
            smooth_follow: true,
            look_ahead: [12.0, 0.0, 8.0, 40.0],
            age_ms: 7,
            ..PoseSpec::looking(30.0, 0.0, 0.0)
        };
        let (t, ms) = now();
        let pose = parse(&spec.bytes_at(t), ms).unwrap();
        assert_eq!(pose.display_size, (3840, 1080));
        assert_eq!(pose.fov_diagonal_deg, 52.0);
        assert_eq!(pose.lens_distance_ratio, 0.25);
        assert!(pose.sbs && pose.smooth_follow && !pose.custom_banner);
        assert_eq!(
            pose.look_ahead,
            LookAheadConfig {
                default_ms: 12.0,
                scanline_ms: 8.0,
                cap_ms: 40.0
            }
        );
        assert_eq!(pose.age_ms(ms), 7);
        assert_eq!(pose.snapshot_ms[0] - pose.snapshot_ms[1], 4.0);
        // Yaw 30° right: a rotation of -30° about z (up).
        let r = pose.orientation().to_rotation_vector();
        assert!(r[0].abs() < 1e-5 && r[1].abs() < 1e-5, "{r:?}");
        assert!((r[2] + 30f32.to_radians()).abs() < 1e-5, "{r:?}");
    }

    #[test]
    fn every_fault_is_named() {
        let base = PoseSpec::looking(5.0, 5.0, 0.0);
        for (fault, expected) in [
            (PoseFault::WrongSize, Problem::WrongSize(FILE_SIZE - 1)),
            (PoseFault::WrongVersion, Problem::WrongVersion(4)),
            (PoseFault::Disabled, Problem::Disabled),
            (PoseFault::NoFov, Problem::NoFov),
            (PoseFault::Torn, Problem::Torn),
            (PoseFault::Calibrating, Problem::Calibrating),
        ] {
            assert_eq!(parsed(&base.clone().with_fault(fault)), Err(expected));
        }
        match parsed(&base.clone().with_fault(PoseFault::Stale)) {
            Err(Problem::Stale { age_ms }) => assert!((10_000..11_000).contains(&age_ms)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_age_limit_is_five_seconds_either_way() {
        let (t, ms) = now();
        let bytes = PoseSpec::looking(0.0, 1.0, 0.0).bytes_at(t);
        assert!(parse(&bytes, ms + MAX_AGE_MS).is_ok());
        assert!(matches!(
            parse(&bytes, ms + MAX_AGE_MS + 1),
            Err(Problem::Stale { .. })
        ));
        assert!(matches!(
            parse(&bytes, ms - MAX_AGE_MS - 1),
            Err(Problem::Stale { age_ms }) if age_ms < 0
        ));
    }

    #[test]
    fn garbage_values_are_refused_not_drawn() {
        let (t, ms) = now();
        let good = PoseSpec::looking(0.0, 1.0, 0.0).bytes_at(t);
        let mut zero_quat = good.clone();
        zero_quat[121..137].fill(0);
        let bytes_with_parity = |mut b: Vec<u8>| {
            b[185] = b[113..185].iter().fold(0, |p, x| p ^ x);
            parse(&b, ms)
        };
        assert_eq!(
            bytes_with_parity(zero_quat),
            Err(Problem::Invalid("orientation"))
        );
        let mut nan_time = good.clone();
        nan_time[169..173].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(
            bytes_with_parity(nan_time),
            Err(Problem::Invalid("snapshot time"))
        );
        let mut no_width = good.clone();
        no_width[18..22].fill(0);
        assert_eq!(
            parse(&no_width, ms),
            Err(Problem::Invalid("display resolution"))
        );
        let mut wide_fov = good;
        wide_fov[26..30].copy_from_slice(&200f32.to_le_bytes());
        assert_eq!(parse(&wide_fov, ms), Err(Problem::Invalid("field of view")));
        let too_long = [PoseSpec::default().bytes_at(t), vec![0]].concat();
        assert_eq!(parse(&too_long, ms), Err(Problem::WrongSize(FILE_SIZE + 1)));
    }

    #[test]
    fn the_reader_reports_each_state_and_keeps_the_last_pose_for_a_torn_read() {
        let dir = Scratch::new("reader");
        let path = dir.join("imu");
        let mut reader = PoseReader::new(&path);
        let sample = reader.sample(SystemTime::now());
        assert_eq!(sample.problem, Some(Problem::Missing));
        assert_eq!(sample.pose, None);

        PoseSpec::looking(10.0, 0.0, 0.0).write(&path).unwrap();
        let good = reader.sample(SystemTime::now());
        assert_eq!(good.problem, None);
        assert_eq!(good.to_string(), "ok");
        let good_pose = good.pose.unwrap();

        let torn = PoseSpec::looking(40.0, 0.0, 0.0).with_fault(PoseFault::Torn);
        torn.write(&path).unwrap();
        let sample = reader.sample(SystemTime::now());
        assert_eq!(sample.problem, Some(Problem::Torn));
        assert_eq!(sample.pose, Some(good_pose));

        PoseSpec::default()
            .with_fault(PoseFault::Disabled)
            .write(&path)
            .unwrap();
        let sample = reader.sample(SystemTime::now());
        assert_eq!(sample.problem, Some(Problem::Disabled));
        assert_eq!(sample.pose, None);
        // The last good pose predates the gap: a torn read now shows the flat screen.
        torn.write(&path).unwrap();
        let sample = reader.sample(SystemTime::now());
        assert_eq!((sample.problem, sample.pose), (Some(Problem::Torn), None));
    }

    #[test]
    fn a_fifo_or_another_users_file_is_refused_with_the_reason() {
        let dir = Scratch::new("fifo");
        let path = dir.join("fifo");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // No writer: a blocking open would wait forever.
        let sample = PoseReader::new(&path).sample(SystemTime::now());
        assert_eq!(
            sample.to_string(),
            "the pose file is not a regular file (a FIFO), so it is not used"
        );
        if nix::unistd::geteuid().is_root() {
            let path = dir.join("imu");
            PoseSpec::looking(10.0, 0.0, 0.0).write(&path).unwrap();
            std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
            let sample = PoseReader::new(&path).sample(SystemTime::now());
            assert_eq!(sample.pose, None);
            assert!(
                matches!(&sample.problem, Some(Problem::Refused(why)) if why.contains("uid 65534")),
                "{sample:?}"
            );
        }
    }

    #[test]
    fn problems_read_as_sentences() {
        assert_eq!(
            Problem::Stale { age_ms: 7200 }.to_string(),
            "the pose is 7.2 s old: the XR driver stopped updating it (glasses unplugged?)"
        );
        assert!(Problem::WrongVersion(4)
            .to_string()
            .contains("layout version 4"));
    }
}
