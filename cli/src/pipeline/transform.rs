//! The transform stage: where the captured screen appears in the view each frame,
//! flat or following the head pose the XR driver publishes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use xrdisplay_capture::frame::Rect;
use xrdisplay_capture::view::driver::{self, Control};
use xrdisplay_capture::view::pose::PoseReader;
use xrdisplay_capture::view::projection::{Glasses, ScreenRect, Settings};
use xrdisplay_capture::view::sway::Sway;
use xrdisplay_capture::view::tracker::{PoseSource, TrackedFrame, Tracker};
use xrdisplay_capture::view::Placement;

use super::control::{Request, Zoom};

/// A zoom step of `zoom +` / `zoom -`.
const ZOOM_STEP: f32 = 1.1;
/// The follow threshold `follow on` uses when none was configured.
pub const DEFAULT_FOLLOW_DEG: f32 = 15.0;
/// Field of view assumed until a pose file says otherwise (XREAL Air class).
const FALLBACK_FOV_DEG: f32 = 46.0;

/// Where head poses come from, as `--imu` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImuChoice {
    None,
    Sway,
    File(PathBuf),
}

impl std::str::FromStr for ImuChoice {
    type Err = String;
    fn from_str(text: &str) -> Result<ImuChoice, String> {
        Ok(match text {
            "none" => ImuChoice::None,
            "sway" => ImuChoice::Sway,
            "" => return Err("expected a file, `none` or `sway`".into()),
            path => ImuChoice::File(PathBuf::from(path)),
        })
    }
}

/// The view's placement for each frame, and the live view settings.
pub struct Transform {
    tracker: Tracker,
    settings: Settings,
    follow_deg: f32,
    /// Poses come from the XR driver's file, so recentring is the driver's job.
    driver: bool,
    last: String,
}

/// One frame's draw list: a placement and a viewport in target pixels per eye.
pub type Views = Vec<(Placement, Rect)>;

impl Transform {
    pub fn new(
        imu: &ImuChoice,
        view: (u32, u32),
        settings: Settings,
        follow_deg: f32,
    ) -> Transform {
        let (source, driver) = match imu {
            ImuChoice::None => (PoseSource::None, false),
            ImuChoice::Sway => (
                PoseSource::Sway {
                    sway: Sway::default(),
                    start: SystemTime::now(),
                },
                false,
            ),
            ImuChoice::File(path) => (PoseSource::File(PoseReader::new(path)), true),
        };
        let fallback = Glasses {
            display_size: view,
            fov_diagonal_deg: FALLBACK_FOV_DEG,
            sbs: false,
        };
        Transform {
            tracker: Tracker::new(source, fallback),
            settings,
            follow_deg,
            driver,
            last: match imu {
                ImuChoice::None => "off (flat screen)".into(),
                _ => "starting".into(),
            },
        }
    }

    /// The views of a frame drawn now into a `target`-sized surface, for `screen`
    /// (the captured output's size and position). Samples the pose: call it just
    /// before drawing.
    pub fn views(&mut self, target: (u32, u32), screen: Rect) -> (Views, TrackedFrame) {
        let screens = [ScreenRect {
            x: screen.x as i32,
            y: screen.y as i32,
            width: screen.width,
            height: screen.height,
        }];
        let frame = self
            .tracker
            .frame(SystemTime::now(), &self.settings, &screens);
        let panel = self.tracker.glasses().display_size;
        // The pose file describes the panel; the surface drawn to may differ in size.
        let sx = target.0 as f32 / panel.0.max(1) as f32;
        let sy = target.1 as f32 / panel.1.max(1) as f32;
        let views = frame
            .views
            .iter()
            .filter_map(|eye| {
                let (x, y, w, h) = eye.viewport;
                let viewport = Rect {
                    x: (x as f32 * sx).round() as u32,
                    y: (y as f32 * sy).round() as u32,
                    width: (w as f32 * sx).round() as u32,
                    height: (h as f32 * sy).round() as u32,
                };
                let mut placement = *eye.placements.first()?;
                placement.view_size = (viewport.width, viewport.height);
                placement.focal_px *= sx;
                placement.eye_offset_px *= sx;
                Some((placement, viewport))
            })
            .collect();
        self.last = frame.to_string();
        (views, frame)
    }

    /// Applies a view command from the control socket.
    pub fn apply(&mut self, request: &Request) {
        match request {
            Request::Recenter => self.recenter(),
            Request::Follow { on } => {
                self.settings.follow_threshold_deg = on.then_some(self.follow_deg);
            }
            Request::Zoom { zoom } => {
                self.settings.zoom = match zoom {
                    Zoom::In => self.settings.zoom * ZOOM_STEP,
                    Zoom::Out => self.settings.zoom / ZOOM_STEP,
                    Zoom::Set(z) if z.is_finite() && *z > 0.0 => *z,
                    Zoom::Set(_) => self.settings.zoom,
                }
                .clamp(0.1, 10.0);
            }
            Request::Status | Request::Stop => {}
        }
    }

    /// Recentres in the driver when it is there (its poses then restart from its new
    /// zero), else here.
    fn recenter(&mut self) {
        let control = Path::new(driver::CONTROL_PATH);
        let driver_there = self.driver && Path::new(driver::STATE_PATH).exists();
        if driver_there && driver::send(control, &[Control::Recenter]).is_ok() {
            self.tracker.driver_recentered();
        } else {
            self.tracker.recenter();
        }
    }

    /// The tracking state in words, for `status`.
    pub fn describe(&self) -> String {
        format!(
            "{} (zoom {:.2}, follow {}, {})",
            self.last,
            self.settings.zoom,
            match self.settings.follow_threshold_deg {
                Some(deg) => format!("beyond {deg:.0}°"),
                None => "off".into(),
            },
            if self.settings.curved {
                "curved"
            } else {
                "flat"
            }
        )
    }
}
