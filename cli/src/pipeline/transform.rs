//! The transform stage: where the captured screen appears in the view each frame,
//! flat or following the head pose (the glasses' IMU read in-process, the XR
//! driver's file, a replay or the synthetic sway).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use xrdisplay_capture::gpu::{quads, Quad};
use xrdisplay_capture::imu::{feed, glasses, replay};
use xrdisplay_capture::view::pose::{self, PoseReader};
use xrdisplay_capture::view::projection::{Glasses, Settings};
use xrdisplay_capture::view::steady::Stillness;
use xrdisplay_capture::view::sway::Sway;
use xrdisplay_capture::view::tracker::{PoseSource, TrackedFrame, Tracker};
use xrdisplay_model::{Follow, ImuChoice, Rect, ViewConfig, ZOOM_RANGE};

use super::control::{Recentred, Request, Shared, ViewCommand};

/// Field of view assumed until a pose file says otherwise (XREAL Air class).
const FALLBACK_FOV_DEG: f32 = 46.0;
/// From an IMU sample's arrival to the picture reaching the eyes on glasses: about a
/// frame at 60 Hz plus the panel's own latency.
const GLASSES_DELAY_MS: f32 = 20.0;

/// A pose source opened for a loop, and what `status` says about it.
struct Opened {
    source: PoseSource,
    /// Which source, and why (for `auto`).
    describe: String,
    /// The XR driver's directory (its state and control files beside the pose
    /// file), when poses come from its file.
    driver_dir: Option<PathBuf>,
}

/// Opens `imu` for a `view`-sized surface; `fov` overrides the model's field of view.
fn open(imu: &ImuChoice, view: (u32, u32), fov: Option<f32>) -> Result<Opened, String> {
    let plain = |source, describe: &str| Opened {
        source,
        describe: describe.into(),
        driver_dir: None,
    };
    let file = |path: &Path, why: &str| Opened {
        source: PoseSource::File(PoseReader::new(path)),
        describe: format!("the XR driver's file {}{why}", path.display()),
        driver_dir: path.parent().map(Path::to_path_buf),
    };
    let display = |fov_deg: f32, delay_ms: f32| feed::Display {
        size: view,
        fov_diagonal_deg: fov.unwrap_or(fov_deg),
        delay_ms,
    };
    Ok(match imu {
        ImuChoice::None => plain(PoseSource::None, "none (flat screen)"),
        ImuChoice::Sway => plain(
            PoseSource::Sway {
                sway: Sway::default(),
                start: SystemTime::now(),
            },
            "the synthetic sway",
        ),
        ImuChoice::File(path) => file(path, ""),
        ImuChoice::Replay(path) => {
            let samples = replay::read(path).map_err(|e| e.to_string())?;
            let (feed, publisher) =
                feed::channel(display(FALLBACK_FOV_DEG, 0.0), "replay starting");
            replay::play(samples, publisher);
            plain(
                PoseSource::Imu(feed),
                &format!("the replay {}", path.display()),
            )
        }
        ImuChoice::Glasses | ImuChoice::Auto => {
            let watch = glasses::Watch::default();
            let found = glasses::pick(&glasses::find(&watch.sys, &watch.dev));
            let default_file = Path::new(pose::DEFAULT_PATH);
            let (fov_deg, describe) = match (&found, imu) {
                (Err(why), ImuChoice::Auto) => {
                    return Ok(file(default_file, &format!(" (auto: {why})")));
                }
                (Ok(g), _) => (
                    g.model.fov_deg,
                    format!("the glasses' IMU: {} ({})", g.model.name, g.node.display()),
                ),
                (Err(why), _) => (FALLBACK_FOV_DEG, format!("the glasses' IMU ({why})")),
            };
            let (feed, publisher) = feed::channel(
                display(fov_deg, GLASSES_DELAY_MS),
                "looking for the glasses",
            );
            glasses::spawn_reader(watch, publisher);
            plain(PoseSource::Imu(feed), &describe)
        }
    })
}

/// What `status` says about the view, and what the view commands print.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ViewStatus {
    /// The pose source as chosen: `auto`, `glasses`, `file:PATH`, `replay:FILE`,
    /// `sway` or `none`.
    pub imu: String,
    /// The source in use, and why (for `auto`).
    #[serde(default)]
    pub source: String,
    /// IMU samples per second, for sources read in-process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imu_rate_hz: Option<f32>,
    /// Malformed reports dropped so far, for sources read in-process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imu_dropped: Option<u64>,
    /// Whether the head pose moves the screen in the frames drawn now.
    pub tracking: bool,
    /// Why the pose is not used, or why the last good one is.
    pub problem: Option<String>,
    pub zoom: f32,
    pub follow: bool,
    /// The threshold follow mode uses when on, in degrees.
    pub follow_deg: f32,
    pub curved: bool,
    /// The glasses are in side-by-side mode: each eye gets half of the view.
    pub sbs: bool,
    /// Steadiness is on: the screen is held while the head is still.
    #[serde(default)]
    pub steady: bool,
    /// The head is still and the screen held.
    #[serde(default)]
    pub still: bool,
    /// Why the last recenter was done here and not by the XR driver, although its
    /// files are beside the pose file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver_refused: Option<String>,
}

/// The view's placement for each frame, and the live view settings.
pub struct Transform {
    tracker: Tracker,
    imu: ImuChoice,
    /// Which source is in use, and why.
    source: String,
    driver_dir: Option<PathBuf>,
    settings: Settings,
    follow_deg: f32,
    /// The thresholds `steady on` uses.
    stillness: Stillness,
    /// Whether the last frame held the screen still.
    still: bool,
    /// Why the last recenter was not forwarded to the XR driver although its files
    /// are there.
    driver_refused: Option<String>,
    /// The last frame's tracking state: in words, whether it tracked, and why not.
    last: (String, bool, Option<String>),
}

/// One frame's draw list: per eye, a quad for each screen.
pub type Views = Vec<Quad>;

impl Transform {
    /// A transform drawing into a `view`-sized surface; an error when the pose
    /// source cannot be opened (a replay file that is not one).
    pub fn new(config: &ViewConfig, view: (u32, u32)) -> Result<Transform, String> {
        let opened = open(&config.imu, view, config.fov)?;
        let fallback = Glasses {
            display_size: view,
            fov_diagonal_deg: config.fov.unwrap_or(FALLBACK_FOV_DEG),
            sbs: false,
        };
        let (follow_on, follow_deg) = config.follow.resolve();
        Ok(Transform {
            tracker: Tracker::new(opened.source, fallback),
            imu: config.imu.clone(),
            source: opened.describe,
            driver_dir: opened.driver_dir,
            settings: Settings {
                zoom: config.zoom.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end()),
                curved: config.curved,
                follow_threshold_deg: follow_on.then_some(follow_deg),
                eye_offset_px: config.eye_offset,
                steady: config.steady.then(|| Stillness::from(config)),
            },
            follow_deg,
            stillness: Stillness::from(config),
            still: false,
            driver_refused: None,
            last: match config.imu {
                ImuChoice::None => ("off (flat screen)".into(), false, None),
                _ => ("starting".into(), false, None),
            },
        })
    }

    /// The XR driver's directory, when poses come from its file.
    pub fn driver_dir(&self) -> Option<&Path> {
        self.driver_dir.as_deref()
    }

    /// The quads of a frame drawn now into a `target`-sized surface, for `screens`
    /// (the captured outputs' rectangles on the X screen, the anchor first). Each
    /// quad's origin is its screen's corner on the X screen. Samples the pose: call it
    /// just before drawing.
    pub fn views(&mut self, target: (u32, u32), screens: &[Rect]) -> (Views, TrackedFrame) {
        let frame = self
            .tracker
            .frame(SystemTime::now(), &self.settings, screens);
        let panel = self.tracker.glasses().display_size;
        let views = quads(&frame.views, panel, target, screens);
        self.last = (
            frame.to_string(),
            frame.tracking,
            frame.problem.as_ref().map(ToString::to_string),
        );
        self.still = frame.still;
        (views, frame)
    }

    /// Applies the view commands clients sent since the last frame, then publishes
    /// the new state so that each client's reply shows its command's effect.
    pub fn apply_requests(&mut self, shared: &Shared) {
        let requests = shared.take_view_requests();
        if requests.is_empty() {
            return;
        }
        for request in &requests {
            self.apply(request);
        }
        self.report(shared);
        shared.view_requests_applied(requests.len());
    }

    /// Applies a view command from the control socket.
    fn apply(&mut self, command: &ViewCommand) {
        let request = match command {
            ViewCommand::Recenter(Recentred::ByDriver) => {
                self.driver_refused = None;
                self.tracker.driver_recentered();
                return;
            }
            ViewCommand::Recenter(Recentred::Here { driver_refused }) => {
                self.driver_refused.clone_from(driver_refused);
                self.tracker.recenter();
                return;
            }
            ViewCommand::Request(request) => request,
        };
        match request {
            Request::Follow { on, beyond } => {
                // A threshold out of range (only a hand-made request sends one) is
                // left out.
                if let Some(Follow::Beyond(deg)) = beyond
                    .map(Follow::Beyond)
                    .map(Follow::check)
                    .and_then(Result::ok)
                {
                    self.follow_deg = deg;
                }
                let on = on.unwrap_or(self.settings.follow_threshold_deg.is_none());
                self.settings.follow_threshold_deg = on.then_some(self.follow_deg);
            }
            Request::Curved { on } => {
                self.settings.curved = on.unwrap_or(!self.settings.curved);
            }
            Request::Steady { on } => {
                let on = on.unwrap_or(self.settings.steady.is_none());
                self.settings.steady = on.then_some(self.stillness);
            }
            Request::Zoom { zoom } => {
                self.settings.zoom = zoom.applied_to(self.settings.zoom);
            }
            Request::Status | Request::Stop | Request::Recenter => {}
        }
    }

    /// Publishes the view's state for `status` and the view commands.
    pub fn report(&self, shared: &Shared) {
        let (tracking, view) = (self.describe(), self.status());
        shared.set_status(|s| {
            s.tracking = tracking;
            s.view = view;
        });
    }

    fn status(&self) -> ViewStatus {
        let report = match self.tracker.source() {
            PoseSource::Imu(feed) => Some(feed.report()),
            _ => None,
        };
        ViewStatus {
            imu: self.imu.clone().into(),
            source: self.source.clone(),
            imu_rate_hz: report.as_ref().map(|r| r.rate_hz),
            imu_dropped: report.as_ref().map(|r| r.dropped),
            tracking: self.last.1,
            problem: self.last.2.clone(),
            zoom: self.settings.zoom,
            follow: self.settings.follow_threshold_deg.is_some(),
            follow_deg: self.follow_deg,
            curved: self.settings.curved,
            sbs: self.tracker.glasses().sbs,
            steady: self.settings.steady.is_some(),
            still: self.still,
            driver_refused: self.driver_refused.clone(),
        }
    }

    /// The tracking state in words, for `status`.
    fn describe(&self) -> String {
        let driver = self.driver_refused.as_ref().map_or(String::new(), |why| {
            format!("; recentred here, not by the XR driver: {why}")
        });
        format!(
            "{} (zoom {:.2}, follow {}, {}, {}){driver}",
            self.last.0,
            self.settings.zoom,
            match self.settings.follow_threshold_deg {
                Some(deg) => format!("beyond {deg:.0}°"),
                None => "off".into(),
            },
            if self.settings.curved {
                "curved"
            } else {
                "flat"
            },
            steady_words(&self.status())
        )
    }
}

/// Steadiness in words, for `status` and `steady`: with still or moving while the
/// head is tracked.
pub fn steady_words(view: &ViewStatus) -> &'static str {
    match (view.steady, view.tracking, view.still) {
        (false, _, _) => "steady off",
        (true, false, _) => "steady on",
        (true, true, true) => "steady on (still)",
        (true, true, false) => "steady on (moving)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xrdisplay_model::Zoom;

    fn apply(transform: &mut Transform, request: Request) {
        transform.apply(&ViewCommand::Request(request));
    }

    fn flat_transform(follow: Follow) -> Transform {
        let config = ViewConfig {
            imu: ImuChoice::None,
            follow,
            ..ViewConfig::default()
        };
        Transform::new(&config, (801, 600)).unwrap()
    }

    #[test]
    fn side_by_side_halves_tile_the_target_whatever_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("imu");
        xrdisplay_harness::PoseSpec {
            display_size: (3840, 1080),
            sbs: true,
            ..xrdisplay_harness::PoseSpec::looking(1.0, 0.0, 0.0)
        }
        .write(&path)
        .unwrap();
        let config = ViewConfig {
            imu: ImuChoice::File(path),
            ..ViewConfig::default()
        };
        let mut transform = Transform::new(&config, (801, 600)).unwrap();
        let screen = Rect {
            x: 0,
            y: 0,
            width: 1920,
            height: 1080,
        };
        let (views, _) = transform.views((801, 600), &[screen]);
        let viewports: Vec<_> = views
            .iter()
            .map(|q| {
                let v = q.viewport;
                assert_eq!(q.placement.view_size, (v.width, v.height));
                (v.x, v.width, v.height)
            })
            .collect();
        assert_eq!(viewports, [(0, 401, 600), (401, 400, 600)]);
        assert!(transform.status().sbs);
    }

    #[test]
    fn follow_toggles_and_zoom_steps_within_its_range() {
        let mut transform = flat_transform(Follow::Beyond(20.0));
        let shared = Shared::default();
        transform.report(&shared);
        assert!(shared.status().view.follow);
        for (request, follow) in [
            (
                Request::Follow {
                    on: None,
                    beyond: None,
                },
                false,
            ),
            (
                Request::Follow {
                    on: None,
                    beyond: None,
                },
                true,
            ),
            (
                Request::Follow {
                    on: Some(true),
                    beyond: None,
                },
                true,
            ),
            (
                Request::Follow {
                    on: Some(false),
                    beyond: None,
                },
                false,
            ),
        ] {
            apply(&mut transform, request.clone());
            assert_eq!(transform.status().follow, follow, "{request:?}");
        }
        assert_eq!(transform.status().follow_deg, 20.0);
        for (beyond, deg) in [(30.0, 30.0), (0.0, 30.0), (400.0, 30.0)] {
            apply(
                &mut transform,
                Request::Follow {
                    on: Some(true),
                    beyond: Some(beyond),
                },
            );
            assert_eq!(transform.status().follow_deg, deg, "beyond {beyond}");
        }
        apply(&mut transform, Request::Curved { on: None });
        assert!(transform.status().curved);
        apply(&mut transform, Request::Curved { on: Some(false) });
        assert!(!transform.status().curved);
        apply(
            &mut transform,
            Request::Zoom {
                zoom: Zoom::Set(4.0),
            },
        );
        apply(&mut transform, Request::Zoom { zoom: Zoom::In });
        assert!((transform.status().zoom - 4.4).abs() < 1e-4);
        apply(
            &mut transform,
            Request::Zoom {
                zoom: Zoom::Set(1e9),
            },
        );
        assert_eq!(transform.status().zoom, 10.0);
        apply(
            &mut transform,
            Request::Zoom {
                zoom: Zoom::Set(f32::NAN),
            },
        );
        assert_eq!(transform.status().zoom, 10.0);
    }

    #[test]
    fn steady_starts_as_configured_and_switches_live() {
        let mut transform = flat_transform(Follow::Switch(false));
        assert!(transform.status().steady);
        assert!(transform.describe().contains("steady on)"));
        let tracked = |still| ViewStatus {
            steady: true,
            tracking: true,
            still,
            ..ViewStatus::default()
        };
        assert_eq!(steady_words(&tracked(true)), "steady on (still)");
        assert_eq!(steady_words(&tracked(false)), "steady on (moving)");
        for (on, steady) in [(None, false), (None, true), (Some(false), false)] {
            apply(&mut transform, Request::Steady { on });
            assert_eq!(transform.status().steady, steady, "{on:?}");
        }
        assert!(transform.describe().contains("steady off"));
        let config = ViewConfig {
            steady: false,
            steady_quiet: f32::MAX,
            ..ViewConfig::default()
        };
        let mut off = Transform::new(&config, (640, 480)).unwrap();
        assert!(!off.status().steady);
        apply(&mut off, Request::Steady { on: Some(true) });
        assert_eq!(off.settings.steady, Some(Stillness::default()));
    }
}
