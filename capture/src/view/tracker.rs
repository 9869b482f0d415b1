//! One call per drawn frame: sample the pose source, predict, step the reference
//! (recentre, follow) and project, falling back to the flat screen whenever there is
//! no usable pose.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::pose::{unix_ms, PoseReader, Problem};
use super::predict::predict;
use super::projection::{project, EyeView, Glasses, Reference, Settings};
use super::quat::Quat;
use super::steady::{lock_to_pixels, snapshot_speed, Measured, Steady};
use super::sway::Sway;
use crate::imu::feed::Feed;
use xrdisplay_model::Rect;

/// Follow mode's clock never jumps by more than this between frames (a stalled
/// loop, or the wall clock set back or forth).
const MAX_FRAME_STEP: Duration = Duration::from_millis(100);

/// Where head poses come from.
#[derive(Debug)]
pub enum PoseSource {
    /// The XR driver's file (`--imu PATH`).
    File(PoseReader),
    /// The glasses' IMU fused in-process, or a replay of recorded samples.
    Imu(Feed),
    /// The synthetic sway, timed from `start`.
    Sway { sway: Sway, start: SystemTime },
    /// No head tracking (`--imu none`): the flat screen.
    None,
}

/// What one frame is drawn with, and what `status` and `--stats` report about it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedFrame {
    /// One per eye: flat when there is no usable pose.
    pub views: Vec<EyeView>,
    /// Whether the views follow the head this frame.
    pub tracking: bool,
    /// Why the pose source gave no fresh pose this frame.
    pub problem: Option<Problem>,
    /// Age of the pose drawn with, at this frame.
    pub pose_age_ms: Option<i64>,
    /// How far ahead the orientation was predicted.
    pub look_ahead_ms: Option<f32>,
    /// The head is still: the screen is held (steadiness on).
    pub still: bool,
    /// The source has no more poses to give (a replay's end): this frame shows its
    /// last one.
    pub finished: bool,
}

impl fmt::Display for TrackedFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.problem, self.tracking) {
            (None, true) => f.write_str("tracking the head"),
            (None, false) => f.write_str("head tracking off"),
            (Some(p), true) => write!(f, "tracking with the last good pose: {p}"),
            (Some(p), false) => write!(f, "flat screen: {p}"),
        }
    }
}

/// Head tracking state kept across frames.
#[derive(Debug)]
pub struct Tracker {
    source: PoseSource,
    reference: Reference,
    glasses: Glasses,
    /// The last drawn head orientation, for [`Tracker::recenter`].
    head: Quat,
    steady: Steady,
    last_frame: Option<SystemTime>,
}

impl Tracker {
    /// `fallback` describes the glasses until a pose does (for the flat screen, the
    /// presenting surface's size and any field of view).
    pub fn new(source: PoseSource, fallback: Glasses) -> Tracker {
        Tracker {
            source,
            reference: Reference::new(),
            glasses: fallback,
            head: Quat::IDENTITY,
            steady: Steady::default(),
            last_frame: None,
        }
    }

    /// The glasses as last described by a pose (or the fallback).
    pub fn glasses(&self) -> Glasses {
        self.glasses
    }

    pub fn source(&self) -> &PoseSource {
        &self.source
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// Puts the screens where the head looks now.
    pub fn recenter(&mut self) {
        self.reference.recenter(self.head);
    }

    /// The driver was told to recentre (`recenter_screen=true`): its poses restart
    /// from its new zero, so the reference goes back to identity.
    pub fn driver_recentered(&mut self) {
        self.reference.reset();
        // Held orientations are from before the driver's new zero.
        self.steady.reset();
    }

    /// The views for a frame drawn now: call it just before drawing.
    pub fn frame(
        &mut self,
        now: SystemTime,
        settings: &Settings,
        screens: &[Rect],
    ) -> TrackedFrame {
        let dt = self
            .last_frame
            .and_then(|last| now.duration_since(last).ok())
            .unwrap_or(Duration::ZERO)
            .min(MAX_FRAME_STEP);
        self.last_frame = Some(now);
        let finished = matches!(&self.source, PoseSource::Imu(feed) if feed.finished());
        let (pose, problem) = match &mut self.source {
            PoseSource::File(reader) => {
                let sample = reader.sample(now);
                (sample.pose, sample.problem)
            }
            PoseSource::Sway { sway, start } => {
                let elapsed = now.duration_since(*start).unwrap_or(Duration::ZERO);
                (Some(sway.pose_at(elapsed, now)), None)
            }
            PoseSource::Imu(feed) => match feed.pose(now) {
                Ok(pose) => (Some(pose), None),
                Err(problem) => (None, Some(problem)),
            },
            PoseSource::None => (None, None),
        };
        let Some(pose) = pose else {
            self.steady.reset();
            return TrackedFrame {
                views: project(Quat::IDENTITY, &self.glasses, settings, screens),
                tracking: false,
                problem,
                pose_age_ms: None,
                look_ahead_ms: None,
                still: false,
                finished,
            };
        };
        let now_ms = unix_ms(now);
        let prediction = predict(&pose, now_ms);
        self.glasses = Glasses::from_pose(&pose);
        let measured = Measured {
            orientation: pose.orientation(),
            at: Duration::from_millis(pose.time_ms),
            speed_deg_per_s: snapshot_speed(pose.orientations, pose.snapshot_ms),
        };
        let steadied = self.steady.step(
            measured,
            prediction.orientation,
            dt,
            settings.steady.as_ref(),
        );
        self.head = steadied.head;
        let relative = self
            .reference
            .step(self.head, dt, settings.follow_threshold_deg);
        let mut views = project(relative, &self.glasses, settings, screens);
        if steadied.weight > 0.0 {
            for eye in &mut views {
                lock_to_pixels(eye, relative, steadied.weight);
            }
        }
        TrackedFrame {
            views,
            tracking: true,
            problem,
            pose_age_ms: Some(pose.age_ms(now_ms)),
            look_ahead_ms: Some(prediction.look_ahead_ms),
            still: steadied.still,
            finished,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::{Scratch, GLASSES as WINDOW, XR0};
    use xrdisplay_harness::{PoseFault, PoseSpec};

    fn flat(glasses: &Glasses) -> Vec<EyeView> {
        project(Quat::IDENTITY, glasses, &Settings::default(), &[XR0])
    }

    /// The view column showing the screen's centre, at the view's middle row.
    fn centre_column(frame: &TrackedFrame) -> Option<u32> {
        let p = &frame.views[0].placements[0];
        (0..p.view_size.0).find(|&x| {
            p.view_to_screen(x, 540)
                .is_some_and(|(sx, _)| (sx - 960.0).abs() <= 1.0)
        })
    }

    #[test]
    fn the_file_drives_the_view_and_every_problem_falls_back_to_flat() {
        let dir = Scratch::new("tracker");
        let path = dir.join("imu");
        let mut tracker = Tracker::new(PoseSource::File(PoseReader::new(&path)), WINDOW);
        let settings = Settings::default();
        let frame = tracker.frame(SystemTime::now(), &settings, &[XR0]);
        assert_eq!(frame.views, flat(&WINDOW));
        assert_eq!(
            (frame.tracking, frame.problem.clone()),
            (false, Some(Problem::Missing))
        );
        assert!(frame.to_string().starts_with("flat screen: no pose file"));

        PoseSpec {
            age_ms: 3,
            ..PoseSpec::looking(20.0, 0.0, 0.0)
        }
        .write(&path)
        .unwrap();
        let frame = tracker.frame(SystemTime::now(), &settings, &[XR0]);
        assert!(frame.tracking && frame.problem.is_none(), "{frame}");
        assert!(frame.pose_age_ms.is_some_and(|age| (3..100).contains(&age)));
        assert!(frame.look_ahead_ms.is_some_and(|ms| ms >= 13.0));
        // Turned 20° right: the screen's centre is f·tan(20°) left of the view's.
        let expected = 960.0 - WINDOW.focal_px() * 20f32.to_radians().tan();
        let seen = centre_column(&frame).unwrap() as f32;
        assert!((seen - expected).abs() <= 2.0, "{seen} vs {expected}");

        for fault in [
            PoseFault::Stale,
            PoseFault::Disabled,
            PoseFault::Calibrating,
        ] {
            PoseSpec::looking(20.0, 0.0, 0.0)
                .with_fault(fault)
                .write(&path)
                .unwrap();
            let frame = tracker.frame(SystemTime::now(), &settings, &[XR0]);
            assert_eq!(frame.views, flat(&WINDOW), "{fault:?}");
            assert!(!frame.tracking && frame.problem.is_some(), "{fault:?}");
        }
    }

    #[test]
    fn recentering_brings_the_screen_to_where_the_head_looks() {
        let dir = Scratch::new("tracker-recenter");
        let path = dir.join("imu");
        PoseSpec::looking(15.0, 5.0, 0.0).write(&path).unwrap();
        let mut tracker = Tracker::new(PoseSource::File(PoseReader::new(&path)), WINDOW);
        let settings = Settings::default();
        let before = tracker.frame(SystemTime::now(), &settings, &[XR0]);
        assert!(centre_column(&before).is_some_and(|x| x < 600));
        tracker.recenter();
        let after = tracker.frame(SystemTime::now(), &settings, &[XR0]);
        assert!(centre_column(&after).is_some_and(|x| x.abs_diff(960) <= 1));
        tracker.driver_recentered();
        assert_eq!(tracker.reference().orientation(), Quat::IDENTITY);
    }

    #[test]
    fn a_poisoned_pose_with_follow_on_does_not_lose_the_screen() {
        let dir = Scratch::new("tracker-poison");
        let path = dir.join("imu");
        let mut tracker = Tracker::new(PoseSource::File(PoseReader::new(&path)), WINDOW);
        let settings = Settings {
            follow_threshold_deg: Some(5.0),
            ..Settings::default()
        };
        let mut now = SystemTime::now();
        let mut frame_at = |spec: &PoseSpec, tracker: &mut Tracker| {
            now += Duration::from_millis(16);
            spec.write(&path).unwrap();
            tracker.frame(now, &settings, &[XR0])
        };
        let turned = PoseSpec::looking(40.0, 0.0, 0.0);
        frame_at(&turned, &mut tracker);
        assert!(tracker.reference().is_following());
        // Snapshot times 1.4e-45 ms apart: the rate over them is infinite.
        let poisoned = turned.clone().with_fault(PoseFault::Poisoned);
        for _ in 0..5 {
            let frame = frame_at(&poisoned, &mut tracker);
            assert!(frame.tracking, "{frame}");
            assert!(tracker.reference().orientation().is_finite());
        }
        let mut last = None;
        for _ in 0..200 {
            last = Some(frame_at(&turned, &mut tracker));
        }
        let centre = last.and_then(|f| centre_column(&f));
        let settled = WINDOW.focal_px() * 1f32.to_radians().tan();
        assert!(
            centre.is_some_and(|x| (x as f32 - 960.0).abs() <= settled + 1.0),
            "{centre:?}"
        );
    }

    #[test]
    fn glasses_described_by_the_file_stay_when_it_goes() {
        let dir = Scratch::new("tracker-sbs");
        let path = dir.join("imu");
        PoseSpec {
            display_size: (3840, 1080),
            sbs: true,
            ..PoseSpec::looking(1.0, 0.0, 0.0)
        }
        .write(&path)
        .unwrap();
        let mut tracker = Tracker::new(PoseSource::File(PoseReader::new(&path)), WINDOW);
        let frame = tracker.frame(SystemTime::now(), &Settings::default(), &[XR0]);
        assert_eq!(frame.views.len(), 2);
        std::fs::remove_file(&path).unwrap();
        let frame = tracker.frame(SystemTime::now(), &Settings::default(), &[XR0]);
        assert_eq!(frame.views, flat(&tracker.glasses()));
        assert_eq!(frame.views.len(), 2);
    }

    #[test]
    fn every_source_gets_steadiness() {
        let settings = Settings {
            steady: Some(crate::view::steady::Stillness::default()),
            ..Settings::default()
        };
        let dir = Scratch::new("tracker-steady");
        let path = dir.join("imu");
        let start = SystemTime::now();
        let wobble = Sway {
            yaw_amplitude_deg: 0.1,
            pitch_amplitude_deg: 0.05,
            period: Duration::from_millis(800),
            ..Sway::default()
        };
        for source in [
            PoseSource::File(PoseReader::new(&path)),
            PoseSource::Sway {
                sway: wobble,
                start,
            },
        ] {
            let mut tracker = Tracker::new(source, WINDOW);
            let mut frames = Vec::new();
            for i in 0..90 {
                let now = start + Duration::from_millis(16 * i);
                let (yaw, pitch) = wobble.angles_at(Duration::from_millis(16 * i));
                let spec = PoseSpec::looking(yaw.into(), pitch.into(), 0.0);
                std::fs::write(&path, spec.bytes_at(now)).unwrap();
                frames.push(tracker.frame(now, &settings, &[XR0]));
            }
            assert!(!frames[10].still, "{:?}", frames[10]);
            let last = frames.last().unwrap();
            assert!(last.still && last.tracking);
            // Drawn unrotated, one screen pixel per view pixel, centred.
            let p = last.views[0].placements[0];
            assert_eq!(p.rotation, crate::view::IDENTITY);
            assert_eq!(p.view_to_screen(960, 540), Some((960.5, 540.5)));
        }
    }

    #[test]
    fn the_sway_tracks_and_none_stays_flat() {
        let start = SystemTime::now() - Duration::from_secs(2);
        let sway = Sway::default();
        let mut tracker = Tracker::new(PoseSource::Sway { sway, start }, WINDOW);
        let frame = tracker.frame(SystemTime::now(), &Settings::default(), &[XR0]);
        assert!(frame.tracking && frame.problem.is_none());
        assert_eq!(frame.pose_age_ms, Some(0));
        assert_ne!(frame.views, flat(&WINDOW));

        let mut off = Tracker::new(PoseSource::None, WINDOW);
        let frame = off.frame(SystemTime::now(), &Settings::default(), &[XR0]);
        assert_eq!(frame.views, flat(&WINDOW));
        assert_eq!(frame.to_string(), "head tracking off");
    }
}
