//! Between the thread that reads samples (glasses or a replay) and the render loop:
//! the reader fuses each sample and publishes the newest orientation; the loop turns
//! it into a [`Pose`] when it draws, with two earlier snapshots derived from the
//! gyro's angular velocity so that the view's predictor extrapolates along it.

use std::fmt;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use super::fusion::{Fusion, FusionState};
use super::ImuSample;
use crate::view::pose::{unix_ms, Pose, Problem};
use crate::view::quat::{scale3, Quat};

/// A live source that has sent nothing for this long has stopped.
pub const STALE_AFTER: Duration = Duration::from_millis(250);
/// Spacing of the derived snapshots, ms.
const SNAPSHOT_MS: f32 = 4.0;

/// Where a feed stands.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedState {
    /// No samples yet: why (e.g. "looking for the glasses").
    Waiting(String),
    Calibrating {
        done: f32,
    },
    Live,
    /// The source went away: why. A device feed keeps looking for it.
    Gone(String),
    /// A replay played its last sample; its final pose stays.
    Finished,
}

impl fmt::Display for FeedState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedState::Waiting(why) | FeedState::Gone(why) => f.write_str(why),
            FeedState::Calibrating { done } => write!(
                f,
                "calibrating ({:.0} %): keep the glasses still",
                done * 100.0
            ),
            FeedState::Live => f.write_str("live"),
            FeedState::Finished => f.write_str("the replay has ended"),
        }
    }
}

/// What the glasses look like, for the poses a feed makes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Display {
    /// The whole panel, in pixels.
    pub size: (u32, u32),
    pub fov_diagonal_deg: f32,
    /// From the sample's arrival to the picture reaching the eyes, ms: how far ahead
    /// the orientation is predicted (plus the sample's age at drawing).
    pub delay_ms: f32,
}

/// What `status` shows about a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedReport {
    pub state: FeedState,
    /// Samples per second over the last second.
    pub rate_hz: f32,
    /// Reports that were dropped as malformed.
    pub dropped: u64,
    /// The gyro bias in use, body frame, rad/s.
    pub bias: [f32; 3],
}

#[derive(Debug)]
struct Latest {
    orientation: Quat,
    velocity: [f32; 3],
    at: SystemTime,
}

#[derive(Debug)]
struct Shared {
    state: FeedState,
    latest: Option<Latest>,
    rate_hz: f32,
    dropped: u64,
    bias: [f32; 3],
    /// The reading side is gone: the writer stops.
    closed: bool,
}

/// The render loop's end of a feed. Dropping it tells the writer to stop.
#[derive(Debug)]
pub struct Feed {
    shared: Arc<Mutex<Shared>>,
    display: Display,
}

/// The reading thread's end: fuses samples and publishes them.
#[derive(Debug)]
pub struct Publisher {
    shared: Arc<Mutex<Shared>>,
    fusion: Fusion,
    window: (Instant, u32),
    /// Where raw samples also go (`imu record`).
    tap: Option<Sender<ImuSample>>,
}

/// A new feed waiting for its first sample (`why` says what it waits for).
pub fn channel(display: Display, why: impl Into<String>) -> (Feed, Publisher) {
    let shared = Arc::new(Mutex::new(Shared {
        state: FeedState::Waiting(why.into()),
        latest: None,
        rate_hz: 0.0,
        dropped: 0,
        bias: [0.0; 3],
        closed: false,
    }));
    (
        Feed {
            shared: shared.clone(),
            display,
        },
        Publisher {
            shared,
            fusion: Fusion::new(),
            window: (Instant::now(), 0),
            tap: None,
        },
    )
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panicking writer leaves plain data behind: still the best there is.
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Feed {
    pub fn display(&self) -> Display {
        self.display
    }

    pub fn report(&self) -> FeedReport {
        let s = lock(&self.shared);
        FeedReport {
            state: s.state.clone(),
            rate_hz: s.rate_hz,
            dropped: s.dropped,
            bias: s.bias,
        }
    }

    /// The pose to draw with at `now`, or why there is none.
    pub fn pose(&self, now: SystemTime) -> Result<Pose, Problem> {
        let s = lock(&self.shared);
        let latest = match (&s.state, &s.latest) {
            (FeedState::Live | FeedState::Finished, Some(latest)) => latest,
            (FeedState::Finished, None) => {
                return Err(Problem::Source(
                    "the replay ended before calibration did (it needs 1 s still first)".into(),
                ))
            }
            (state, _) => return Err(Problem::Source(state.to_string())),
        };
        let age = now.duration_since(latest.at).unwrap_or(Duration::ZERO);
        if s.state == FeedState::Live && age > STALE_AFTER {
            return Err(Problem::Source(format!(
                "no IMU samples for {:.1} s",
                age.as_secs_f32()
            )));
        }
        let back = |n: f32| {
            let turn = scale3(latest.velocity, -n * SNAPSHOT_MS / 1000.0);
            Quat::from_rotation_vector(turn) * latest.orientation
        };
        Ok(Pose::in_process(
            self.display.size,
            self.display.fov_diagonal_deg,
            self.display.delay_ms,
            unix_ms(latest.at),
            [latest.orientation, back(1.0), back(2.0)],
            [0.0, -SNAPSHOT_MS, -2.0 * SNAPSHOT_MS],
        ))
    }

    /// Whether a replay has played its last sample.
    pub fn finished(&self) -> bool {
        lock(&self.shared).state == FeedState::Finished
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        lock(&self.shared).closed = true;
    }
}

impl Publisher {
    /// Sends every sample from now on to `tap` as well.
    pub fn tap(&mut self, tap: Sender<ImuSample>) {
        self.tap = Some(tap);
    }

    /// Fuses a sample that arrived at `at`; false once nobody reads the feed.
    pub fn sample(&mut self, sample: &ImuSample, at: SystemTime) -> bool {
        if let Some(tap) = &self.tap {
            // A recorder that has stopped listening drops the rest.
            let _ = tap.send(*sample);
        }
        self.fusion.update(sample);
        self.window.1 += 1;
        let elapsed = self.window.0.elapsed();
        let rate = (elapsed >= Duration::from_secs(1)).then(|| {
            let rate = self.window.1 as f32 / elapsed.as_secs_f32();
            self.window = (Instant::now(), 0);
            rate
        });
        let mut s = lock(&self.shared);
        if let Some(rate) = rate {
            s.rate_hz = rate;
        }
        s.bias = self.fusion.bias();
        if let Some(orientation) = self.fusion.orientation() {
            s.state = FeedState::Live;
            s.latest = Some(Latest {
                orientation,
                velocity: self.fusion.angular_velocity(),
                at,
            });
        } else if let FusionState::Calibrating { done } = self.fusion.state() {
            s.state = FeedState::Calibrating { done };
        }
        !s.closed
    }

    /// Counts a report that could not be used; false once nobody reads the feed.
    pub fn dropped(&mut self) -> bool {
        let mut s = lock(&self.shared);
        s.dropped += 1;
        !s.closed
    }

    /// The source went away (`why`): the pose goes, and a returning source
    /// calibrates again. False once nobody reads the feed.
    pub fn gone(&mut self, why: impl Into<String>) -> bool {
        self.fusion = Fusion::new();
        self.window = (Instant::now(), 0);
        let mut s = lock(&self.shared);
        s.state = FeedState::Gone(why.into());
        s.latest = None;
        s.rate_hz = 0.0;
        !s.closed
    }

    /// The replay has ended: its last pose stays.
    pub fn finish(&mut self) {
        lock(&self.shared).state = FeedState::Finished;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imu::synthetic::{Motion, Trace};
    use crate::view::predict::extrapolate;

    const GLASSES: Display = Display {
        size: (1920, 1080),
        fov_diagonal_deg: 46.0,
        delay_ms: 0.0,
    };

    fn yaw_deg(q: Quat) -> f32 {
        let f = q.rotate([1.0, 0.0, 0.0]);
        f[1].atan2(f[0]).to_degrees()
    }

    /// Publishes `trace` as if it arrived just now.
    fn publish(publisher: &mut Publisher, trace: &Trace, now: SystemTime) {
        for sample in &trace.samples {
            assert!(publisher.sample(sample, now));
        }
    }

    #[test]
    fn calibration_then_poses_whose_snapshots_carry_the_gyro_rate() {
        let (feed, mut publisher) = channel(GLASSES, "waiting");
        let now = SystemTime::now();
        assert_eq!(feed.pose(now), Err(Problem::Source("waiting".into())));
        let still = Trace::generate(&[Motion::Still(0.5)], 1000.0, 0.5, 3);
        publish(&mut publisher, &still, now);
        match feed.report().state {
            FeedState::Calibrating { done } => assert!((0.4..0.6).contains(&done), "{done}"),
            other => panic!("{other:?}"),
        }
        assert!(feed
            .pose(now)
            .unwrap_err()
            .to_string()
            .starts_with("calibrating"));
        // Still for a second more, then turning left at 60°/s (time goes on).
        let trace = Trace::generate(
            &[
                Motion::Still(1.5),
                Motion::Turn {
                    degrees: 20.0,
                    rate_dps: 60.0,
                },
            ],
            1000.0,
            0.5,
            4,
        );
        let mut later = trace.clone();
        for s in &mut later.samples {
            s.t_ns += 1_000_000_000;
        }
        publish(&mut publisher, &later, now);
        let pose = feed.pose(now).unwrap();
        let yaw = yaw_deg(pose.orientation());
        assert!((yaw - 20.0).abs() < 0.5, "{yaw}");
        // 20 ms ahead at 60°/s: 1.2° further left.
        let ahead = extrapolate(pose.orientations, pose.snapshot_ms, 20.0);
        let gained = yaw_deg(ahead) - yaw;
        assert!((gained - 1.2).abs() < 0.05, "{gained}");
        let report = feed.report();
        assert_eq!(report.state, FeedState::Live);
        assert!(
            (report.bias[1].to_degrees() - 0.5).abs() < 0.1,
            "{report:?}"
        );
    }

    #[test]
    fn a_silent_source_goes_stale_and_a_gone_one_says_why() {
        let (feed, mut publisher) = channel(GLASSES, "waiting");
        let t0 = SystemTime::now();
        publish(
            &mut publisher,
            &Trace::generate(&[Motion::Still(1.5)], 1000.0, 0.0, 5),
            t0,
        );
        assert!(feed.pose(t0 + Duration::from_millis(200)).is_ok());
        let stale = feed.pose(t0 + Duration::from_millis(600)).unwrap_err();
        assert_eq!(stale.to_string(), "no IMU samples for 0.6 s");
        assert!(publisher.dropped());
        assert!(publisher.gone("the glasses were unplugged"));
        assert_eq!(
            feed.pose(t0).unwrap_err().to_string(),
            "the glasses were unplugged"
        );
        assert_eq!(feed.report().dropped, 1);
        drop(feed);
        assert!(!publisher.dropped(), "the writer learns nobody reads");
    }

    #[test]
    fn a_finished_replay_keeps_its_last_pose_however_old() {
        let (feed, mut publisher) = channel(GLASSES, "waiting");
        let t0 = SystemTime::now();
        publish(
            &mut publisher,
            &Trace::generate(&[Motion::Still(1.5)], 1000.0, 0.0, 6),
            t0,
        );
        publisher.finish();
        assert!(feed.finished());
        assert!(feed.pose(t0 + Duration::from_secs(60)).is_ok());

        let (short, mut publisher) = channel(GLASSES, "waiting");
        publisher.finish();
        assert!(short
            .pose(t0)
            .unwrap_err()
            .to_string()
            .contains("before calibration"));
    }
}
