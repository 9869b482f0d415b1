//! From a head orientation to the [`Placement`]s a frame is drawn with: the screen
//! fixed in the room, the head turning in front of it.
//!
//! At the reference (recentred) orientation the first screen fills the view
//! exactly, as the glasses' own display would show it; zoom scales it. The view's
//! focal length comes from the glasses: `f = (diagonal_px / 2) / tan(fov / 2)` of one
//! eye's view, so a screen point at angle α from the view axis lands `f·tan(α)`
//! pixels from the view's centre, and turning the head right by θ moves the screen
//! left by `f·tan(θ)`.

use std::time::Duration;

use super::pose::Pose;
use super::quat::Quat;
use super::steady::Stillness;
use super::{Mat3, Placement};
use xrdisplay_model::Rect;

/// Takes NWU vectors (x forward, y left, z up) to the view's frame (x right,
/// y down, z forward).
const NWU_TO_VIEW: Mat3 = [[0.0, -1.0, 0.0], [0.0, 0.0, -1.0], [1.0, 0.0, 0.0]];

/// How fast follow mode brings the screen back: 63 % of the remaining angle in
/// this time, 95 % in three times it.
pub const FOLLOW_TIME_CONSTANT: Duration = Duration::from_millis(300);
/// Follow mode stops easing once the head is this close to the reference.
pub const FOLLOW_SETTLED_DEG: f32 = 1.0;

/// The glasses' display, as the driver describes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glasses {
    /// The whole panel, both eyes' halves in SBS mode.
    pub display_size: (u32, u32),
    /// Diagonal field of view of one eye's view, in degrees.
    pub fov_diagonal_deg: f32,
    pub sbs: bool,
}

impl Glasses {
    pub fn from_pose(pose: &Pose) -> Glasses {
        Glasses {
            display_size: pose.display_size,
            fov_diagonal_deg: pose.fov_diagonal_deg,
            sbs: pose.sbs,
        }
    }

    /// One eye's view: the left or right half of the panel in SBS mode.
    pub fn eye_size(&self) -> (u32, u32) {
        let (w, h) = self.display_size;
        if self.sbs {
            (w / 2, h)
        } else {
            (w, h)
        }
    }

    /// The focal length of one eye's view, in pixels.
    pub fn focal_px(&self) -> f32 {
        let (w, h) = self.eye_size();
        let half_diagonal = (w as f32).hypot(h as f32) / 2.0;
        half_diagonal / (self.fov_diagonal_deg.to_radians() / 2.0).tan()
    }
}

/// The user's choices for where and how the screen appears.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Apparent size: 1 fills the view at the reference orientation, 2 shows the
    /// screen twice as large (as if at half the distance). Anything but a positive,
    /// finite number counts as 1.
    pub zoom: f32,
    /// Bend the screens around the viewer.
    pub curved: bool,
    /// Follow mode: when the head is further than this from the reference, the
    /// reference eases toward the head. `None`: the screen stays where it is.
    pub follow_threshold_deg: Option<f32>,
    /// Side-by-side only: each eye's image moves this many view pixels, the left
    /// eye's to the right and the right eye's to the left, as for a screen at a
    /// finite distance (0 puts it at infinity).
    pub eye_offset_px: f32,
    /// Hold the screen (and put it on whole pixels) while the head is still, as
    /// these thresholds define it. `None`: every pose is drawn as it comes.
    pub steady: Option<Stillness>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            zoom: 1.0,
            curved: false,
            follow_threshold_deg: None,
            eye_offset_px: 0.0,
            steady: None,
        }
    }
}

/// What one eye sees.
#[derive(Debug, Clone, PartialEq)]
pub struct EyeView {
    /// Where this eye's image goes on the glasses' panel.
    pub viewport: Rect,
    /// One per screen, in the order the screens were given.
    pub placements: Vec<Placement>,
}

/// The rotation a [`Placement`] takes for a head at `relative` (its orientation
/// relative to the reference, in NWU): the same rotation in the view's frame.
pub fn view_rotation(relative: Quat) -> Mat3 {
    let r = relative.to_matrix();
    let c = NWU_TO_VIEW;
    // C · R · Cᵀ
    let cr: Mat3 =
        std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| c[i][k] * r[k][j]).sum()));
    std::array::from_fn(|i| std::array::from_fn(|j| (0..3).map(|k| cr[i][k] * c[j][k]).sum()))
}

/// The eye views for a head at `relative` (from [`Reference::step`]). The first
/// screen is the anchor: it is centred straight ahead at the reference orientation
/// and sets the scale; the others sit around it as their RandR positions place them,
/// at the same pixel scale.
pub fn project(
    relative: Quat,
    glasses: &Glasses,
    settings: &Settings,
    screens: &[Rect],
) -> Vec<EyeView> {
    let eye = glasses.eye_size();
    let focal_px = glasses.focal_px();
    let zoom = if settings.zoom.is_finite() && settings.zoom > 0.0 {
        settings.zoom
    } else {
        1.0
    };
    let rotation = view_rotation(relative);
    let centre = |s: &Rect| {
        (
            s.x as f32 + s.width as f32 / 2.0,
            s.y as f32 + s.height as f32 / 2.0,
        )
    };
    let (anchor_centre, fit) = screens.first().map_or(((0.0, 0.0), 1.0), |a| {
        let fit = (eye.0 as f32 / a.width.max(1) as f32).min(eye.1 as f32 / a.height.max(1) as f32);
        (centre(a), fit)
    });
    let placements = |eye_offset_px: f32| {
        screens
            .iter()
            .map(|s| {
                let c = centre(s);
                Placement {
                    view_size: eye,
                    focal_px,
                    rotation,
                    eye_offset_px,
                    screen_size: (s.width, s.height),
                    offset_px: (c.0 - anchor_centre.0, c.1 - anchor_centre.1),
                    distance_px: focal_px / (fit * zoom),
                    curved: settings.curved,
                }
            })
            .collect()
    };
    let left = Rect::sized(eye.0, eye.1);
    if glasses.sbs {
        let right = left.at(i32::try_from(eye.0).unwrap_or(i32::MAX), 0);
        vec![
            EyeView {
                viewport: left,
                placements: placements(-settings.eye_offset_px),
            },
            EyeView {
                viewport: right,
                placements: placements(settings.eye_offset_px),
            },
        ]
    } else {
        vec![EyeView {
            viewport: left,
            placements: placements(0.0),
        }]
    }
}

/// Where "straight ahead" is: the head orientation the screens are placed around.
/// Stepped once per frame; follow mode moves it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reference {
    orientation: Quat,
    following: bool,
}

impl Default for Reference {
    fn default() -> Reference {
        Reference::new()
    }
}

impl Reference {
    /// The driver's own zero: right after the driver recentres, the head is there.
    pub fn new() -> Reference {
        Reference {
            orientation: Quat::IDENTITY,
            following: false,
        }
    }

    pub fn orientation(&self) -> Quat {
        self.orientation
    }

    /// Whether follow mode is easing the screen toward the head right now.
    pub fn is_following(&self) -> bool {
        self.following
    }

    /// Puts the screens where the head looks now (a head that is not a finite
    /// rotation changes nothing).
    pub fn recenter(&mut self, head: Quat) {
        if let Some(head) = head.normalized() {
            *self = Reference {
                orientation: head,
                following: false,
            };
        }
    }

    /// Back to the driver's zero: use this when the recenter was forwarded to the
    /// driver (`recenter_screen=true`), whose next poses start from identity.
    pub fn reset(&mut self) {
        *self = Reference::new();
    }

    /// Advances follow mode by `dt` with the head at `head` and returns the head's
    /// orientation relative to the reference, for [`project`]. The reference stays a
    /// finite unit rotation whatever `head` is: a head that is not one moves nothing
    /// and is drawn as the reference itself.
    pub fn step(&mut self, head: Quat, dt: Duration, follow_threshold_deg: Option<f32>) -> Quat {
        let Some(head) = head.normalized() else {
            return Quat::IDENTITY;
        };
        match follow_threshold_deg {
            None => self.following = false,
            Some(threshold) => {
                let off = self.orientation.angle_to(head).to_degrees();
                if off > threshold {
                    self.following = true;
                }
                if self.following {
                    let t = 1.0 - (-dt.as_secs_f32() / FOLLOW_TIME_CONSTANT.as_secs_f32()).exp();
                    if let Some(eased) = self.orientation.slerp(head, t).normalized() {
                        self.orientation = eased;
                    }
                    self.following =
                        self.orientation.angle_to(head).to_degrees() > FOLLOW_SETTLED_DEG;
                }
            }
        }
        self.orientation.conjugate() * head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::{GLASSES, XR0};
    use xrdisplay_harness::orientation;

    /// A head turned by yaw (right), pitch (up) and roll (right) in degrees, built by
    /// the harness's independent encoder.
    fn head(yaw: f64, pitch: f64, roll: f64) -> Quat {
        let [x, y, z, w] = orientation(yaw, pitch, roll).map(|v| v as f32);
        Quat::new(x, y, z, w)
    }

    fn mono(relative: Quat, settings: &Settings, screens: &[Rect]) -> Vec<Placement> {
        let mut views = project(relative, &GLASSES, settings, screens);
        assert_eq!(views.len(), 1);
        views.remove(0).placements
    }

    /// The view pixel centre (along `row`, or along column `col`) that shows the
    /// screen coordinate `target` best, read back through the CPU reference.
    fn view_column_showing(p: &Placement, screen_x: f32, row: u32) -> f32 {
        best(
            (0..p.view_size.0).filter_map(|x| Some((x, p.view_to_screen(x, row)?.0))),
            screen_x,
        )
    }

    fn view_row_showing(p: &Placement, screen_y: f32, col: u32) -> f32 {
        best(
            (0..p.view_size.1).filter_map(|y| Some((y, p.view_to_screen(col, y)?.1))),
            screen_y,
        )
    }

    fn best(candidates: impl Iterator<Item = (u32, f32)>, target: f32) -> f32 {
        let (at, value) = candidates
            .min_by(|a, b| (a.1 - target).abs().total_cmp(&(b.1 - target).abs()))
            .expect("the screen is visible");
        assert!(
            (value - target).abs() < 1.5,
            "closest is {value}, not {target}"
        );
        at as f32 + 0.5
    }

    #[test]
    fn the_recentred_pose_fills_the_view_exactly() {
        let p = mono(Quat::IDENTITY, &Settings::default(), &[XR0])[0];
        assert_eq!(p.rotation, crate::view::IDENTITY);
        for (x, y) in [(0, 0), (960, 540), (1919, 1079)] {
            let (sx, sy) = p.view_to_screen(x, y).unwrap();
            assert!((sx - x as f32 - 0.5).abs() < 0.01 && (sy - y as f32 - 0.5).abs() < 0.01);
        }
        // The screen's centre column (its pixel 960) is the view's centre column.
        assert_eq!(view_column_showing(&p, 960.5, 540), 960.5);
    }

    #[test]
    fn yaw_and_pitch_move_the_screen_by_f_tan_theta() {
        let f = GLASSES.focal_px();
        for angle in [-20.0f64, -8.0, 8.0, 20.0] {
            let shift = f * (angle as f32).to_radians().tan();
            // Turning right moves the screen's centre column left.
            let p = mono(head(angle, 0.0, 0.0), &Settings::default(), &[XR0])[0];
            let seen = view_column_showing(&p, 960.0, 540);
            assert!((seen - (960.0 - shift)).abs() <= 2.0, "yaw {angle}: {seen}");
            // Looking up moves its centre row down (half the angles: the view is wide).
            let p = mono(head(0.0, angle / 2.0, 0.0), &Settings::default(), &[XR0])[0];
            let shift = f * (angle as f32 / 2.0).to_radians().tan();
            let seen = view_row_showing(&p, 540.0, 960);
            assert!(
                (seen - (540.0 + shift)).abs() <= 2.0,
                "pitch {angle}/2: {seen}"
            );
        }
    }

    #[test]
    fn rolling_right_turns_the_screen_counterclockwise() {
        let p = mono(head(0.0, 0.0, 10.0), &Settings::default(), &[XR0])[0];
        let (c, s) = (10f32.to_radians().cos(), 10f32.to_radians().sin());
        // The screen point 300 px right of the centre appears up and to the right.
        let (x, y) = (960.0 + 300.0 * c, 540.0 - 300.0 * s);
        let (sx, sy) = p.view_to_screen(x as u32, y as u32).unwrap();
        assert!(
            (sx - 1260.0).abs() < 2.0 && (sy - 540.0).abs() < 2.0,
            "{sx},{sy}"
        );
    }

    #[test]
    fn looking_behind_shows_nothing_flat_or_curved() {
        for curved in [false, true] {
            let settings = Settings {
                curved,
                ..Settings::default()
            };
            let p = mono(head(180.0, 0.0, 0.0), &settings, &[XR0])[0];
            for x in (0..1920).step_by(64) {
                for y in (0..1080).step_by(54) {
                    assert_eq!(p.view_to_screen(x, y), None, "curved {curved}: {x},{y}");
                }
            }
        }
    }

    #[test]
    fn zoom_scales_the_screen_about_the_view_centre() {
        let zoomed = |zoom| {
            let settings = Settings {
                zoom,
                ..Settings::default()
            };
            mono(Quat::IDENTITY, &settings, &[XR0])[0]
        };
        // Twice as large: 200 view pixels right of the centre show 100 screen pixels.
        let (sx, _) = zoomed(2.0).view_to_screen(1160, 540).unwrap();
        assert!((sx - 1060.25).abs() < 0.01, "{sx}");
        // Half as large: the screen spans the view's middle half.
        let half = zoomed(0.5);
        assert_eq!(half.view_to_screen(478, 540), None);
        assert!(half.view_to_screen(482, 540).is_some());
        assert!(half.view_to_screen(1437, 540).is_some());
        assert_eq!(half.view_to_screen(1442, 540), None);
        // Nonsense counts as 1.
        assert_eq!(zoomed(0.0), zoomed(1.0));
    }

    #[test]
    fn side_by_side_gives_each_eye_half_the_panel_and_its_offset() {
        let glasses = Glasses {
            display_size: (3840, 1080),
            sbs: true,
            ..GLASSES
        };
        let settings = Settings {
            eye_offset_px: 12.0,
            ..Settings::default()
        };
        let views = project(Quat::IDENTITY, &glasses, &settings, &[XR0]);
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].viewport, Rect::new(0, 0, 1920, 1080));
        assert_eq!(views[1].viewport, Rect::new(1920, 0, 1920, 1080));
        assert_eq!(views[0].placements[0].focal_px, GLASSES.focal_px());
        let left = view_column_showing(&views[0].placements[0], 960.5, 540);
        let right = view_column_showing(&views[1].placements[0], 960.5, 540);
        assert_eq!((left, right), (972.5, 948.5));
    }

    #[test]
    fn a_second_output_sits_beside_the_first_as_randr_places_it() {
        let xr1 = Rect { x: 3840, ..XR0 };
        let screens = [XR0, xr1];
        let placements = mono(Quat::IDENTITY, &Settings::default(), &screens);
        assert_eq!(placements[1].offset_px, (1920.0, 0.0));
        assert_eq!(placements[1].view_to_screen(960, 540), None);
        // Turning right until XR-1's centre (1920 px right) is straight ahead.
        let yaw = (1920.0 / GLASSES.focal_px()).atan().to_degrees() as f64;
        let placements = mono(head(yaw, 0.0, 0.0), &Settings::default(), &screens);
        let seen = view_column_showing(&placements[1], 960.0, 540);
        assert!((seen - 960.0).abs() <= 2.0, "{seen}");
        assert_eq!(placements[0].view_to_screen(960, 540), None);
    }

    #[test]
    fn follow_eases_the_screen_back_once_the_head_passes_the_threshold() {
        let frame = Duration::from_millis(10);
        let mut reference = Reference::new();
        // Within the threshold nothing moves.
        let slight = head(15.0, 0.0, 0.0);
        let relative = reference.step(slight, frame, Some(20.0));
        assert!((relative.angle_to(slight)).abs() < 1e-6);
        assert!(!reference.is_following());
        // Beyond it, the reference eases in: steadily closer, settled within 2 s.
        let turned = head(40.0, 0.0, 0.0);
        let mut last = 40.0;
        for _ in 0..200 {
            let off = Quat::IDENTITY
                .angle_to(reference.step(turned, frame, Some(20.0)))
                .to_degrees();
            assert!(off < last, "{off} after {last}");
            last = off;
            if !reference.is_following() {
                break;
            }
        }
        assert!(last <= FOLLOW_SETTLED_DEG, "{last}");
        // The first step moved by the time constant's share only: no jump.
        let mut fresh = Reference::new();
        let first = Quat::IDENTITY
            .angle_to(fresh.step(turned, frame, Some(20.0)))
            .to_degrees();
        assert!(first > 38.0, "{first}");
        // Without follow mode the screen stays put.
        let mut fixed = Reference::new();
        for _ in 0..100 {
            fixed.step(turned, frame, None);
        }
        assert_eq!(fixed.orientation(), Quat::IDENTITY);
    }

    #[test]
    fn a_head_that_is_not_a_rotation_never_poisons_the_reference() {
        let frame = Duration::from_millis(10);
        let nan = Quat::new(f32::NAN, 0.0, 0.0, 1.0);
        let infinite = Quat::new(f32::INFINITY, 0.0, 0.0, 1.0);
        let mut reference = Reference::new();
        // Following toward a head 40° away when the bad heads come.
        reference.step(head(40.0, 0.0, 0.0), frame, Some(20.0));
        assert!(reference.is_following());
        for bad in [nan, infinite, Quat::new(0.0, 0.0, 0.0, 0.0)] {
            let relative = reference.step(bad, frame, Some(20.0));
            assert!(relative.is_finite(), "{bad:?}: {relative:?}");
            reference.recenter(bad);
            assert!(reference.orientation().is_finite(), "{bad:?}");
        }
        // Good heads again: followed and settled.
        let turned = head(40.0, 0.0, 0.0);
        for _ in 0..300 {
            reference.step(turned, frame, Some(20.0));
        }
        assert!(reference.orientation().angle_to(turned).to_degrees() <= FOLLOW_SETTLED_DEG);
    }

    #[test]
    fn recentering_puts_the_screen_where_the_head_looks() {
        let mut reference = Reference::new();
        let looking = head(30.0, 10.0, 0.0);
        reference.recenter(looking);
        let relative = reference.step(looking, Duration::ZERO, None);
        assert!(Quat::IDENTITY.angle_to(relative) < 1e-5);
        reference.reset();
        assert_eq!(reference.orientation(), Quat::IDENTITY);
    }
}
