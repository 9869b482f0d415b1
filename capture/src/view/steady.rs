//! A steady, sharp screen while the head is still: between the pose source and the
//! projection, so every source gets it.
//!
//! A head never stops moving (heartbeat, breathing, sensor noise), and drawing every
//! wobble makes the screen shimmer by a few pixels and resamples text soft. So the
//! pose stream is watched: once its angular speed and the range it wanders over have
//! stayed small for a quiet spell, the head counts as still, and the screen is drawn
//! from one held orientation (the middle of that range) instead. Motion clearly above
//! the wobble (twice the speed, or further from the held orientation than the range)
//! ends it, and the view eases from the held orientation to the live one within
//! [`EASE`], never jumping.
//!
//! While held, a flat screen at one screen pixel per view pixel is also moved onto
//! whole pixels ([`lock_to_pixels`]): drawn without rotation and shifted by whole
//! pixels, every view pixel samples exactly one screen pixel. Where that differs from
//! the true perspective by more than [`LOCK_TOLERANCE_PX`] (the head held well away
//! from straight ahead), the lock fades out and the held orientation is drawn as is.

use std::collections::VecDeque;
use std::time::Duration;

use xrdisplay_model::ViewConfig;

use super::predict::MIN_SNAPSHOT_SPACING_MS;
use super::projection::{view_rotation, EyeView};
use super::quat::{norm3, Quat};
use super::Placement;

/// How long entering and leaving stillness take: from the live orientation to the
/// held one, or back.
pub const EASE: Duration = Duration::from_millis(100);
/// Stillness ends when the head turns faster than this many times the speed it has to
/// stay under to become still.
pub const LEAVE_SPEED_FACTOR: f32 = 2.0;
/// Whole-pixel placement is used in full while it moves no pixel of the view further
/// than this from where the perspective puts it, and fades out up to twice this.
pub const LOCK_TOLERANCE_PX: f32 = 3.0;

/// When the head counts as still (the `steady-*` configuration keys).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stillness {
    /// The head's angular speed has to stay below this, in degrees per second.
    pub speed_deg_per_s: f32,
    /// ... and within a range this wide, in degrees ...
    pub range_deg: f32,
    /// ... for this long.
    pub quiet: Duration,
}

impl Default for Stillness {
    /// A resting head's heartbeat wobble (about 0.15° at 1.2 Hz, at most 1.1°/s)
    /// is still; a slow 2°/s turn is not.
    fn default() -> Stillness {
        Stillness {
            speed_deg_per_s: 1.5,
            range_deg: 0.5,
            quiet: Duration::from_secs(1),
        }
    }
}

/// The thresholds a loop's view settings ask for; a quiet spell a configuration check
/// let through but a duration cannot hold falls back to the default.
impl From<&ViewConfig> for Stillness {
    fn from(config: &ViewConfig) -> Stillness {
        Stillness {
            speed_deg_per_s: config.steady_speed,
            range_deg: config.steady_range,
            quiet: Duration::try_from_secs_f32(config.steady_quiet)
                .unwrap_or(Stillness::default().quiet),
        }
    }
}

/// A head orientation as the pose source measured it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub orientation: Quat,
    /// When, on the source's clock (the pose's time): stillness is judged on the
    /// stream's own time, whatever the render rate.
    pub at: Duration,
    /// The source's own angular speed then, in degrees per second, when it gives one.
    pub speed_deg_per_s: Option<f32>,
}

/// One pose in the detector's history.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Duration,
    orientation: Quat,
    speed_deg_per_s: f32,
}

/// What [`Steady::step`] gives for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steadied {
    /// The orientation to draw with.
    pub head: Quat,
    /// The head is still: the screen is drawn from the held orientation.
    pub still: bool,
    /// How far the view has eased toward the held orientation, 0 (live) to 1 (held);
    /// the weight [`lock_to_pixels`] takes.
    pub weight: f32,
}

/// The stillness detector and the hold, kept across frames.
#[derive(Debug, Default)]
pub struct Steady {
    history: VecDeque<Sample>,
    /// The held orientation while still.
    held: Option<Quat>,
    /// The last held orientation: eased away from after stillness ends.
    anchor: Option<Quat>,
    /// Linear progress of the ease, 0 (live) to 1 (held).
    progress: f32,
}

impl Steady {
    /// Forgets everything: after a gap in the poses, or when the source's zero moved.
    pub fn reset(&mut self) {
        *self = Steady::default();
    }

    /// Takes the pose of a frame drawn `dt` after the last: `measured` the newest
    /// measured orientation, `predicted` what would be drawn without steadiness.
    /// `None` settings: steadiness off, any hold eases out.
    pub fn step(
        &mut self,
        measured: Measured,
        predicted: Quat,
        dt: Duration,
        settings: Option<&Stillness>,
    ) -> Steadied {
        let (Some(raw), Some(_)) = (measured.orientation.normalized(), predicted.normalized())
        else {
            self.reset();
            return Steadied {
                head: predicted,
                still: false,
                weight: 0.0,
            };
        };
        // A source that restarted its clock starts a new history.
        if self
            .history
            .back()
            .is_some_and(|last| last.at > measured.at)
        {
            self.history.clear();
        }
        let moved = self.history.back().and_then(|last| {
            let secs = measured.at.checked_sub(last.at)?.as_secs_f32();
            (secs > 0.0).then(|| last.orientation.angle_to(raw).to_degrees() / secs)
        });
        let speed_deg_per_s = [measured.speed_deg_per_s, moved]
            .into_iter()
            .flatten()
            .filter(|s| s.is_finite())
            .fold(0.0, f32::max);
        // The same pose read again adds nothing.
        if moved.is_some() || self.history.is_empty() {
            self.history.push_back(Sample {
                at: measured.at,
                orientation: raw,
                speed_deg_per_s,
            });
        }
        // The oldest sample kept is the last one at least a quiet spell old.
        let keep = settings.map_or(Duration::ZERO, |s| s.quiet);
        while self.history.len() > 1
            && self
                .history
                .get(1)
                .is_some_and(|s| measured.at.saturating_sub(s.at) >= keep)
        {
            self.history.pop_front();
        }
        self.held = match (settings, self.held) {
            (None, _) => None,
            (Some(s), Some(held)) => {
                let leaves = speed_deg_per_s > s.speed_deg_per_s * LEAVE_SPEED_FACTOR
                    || held.angle_to(raw).to_degrees() > s.range_deg;
                (!leaves).then_some(held)
            }
            (Some(s), None) => quiet_centre(&self.history, s),
        };
        self.anchor = self.held.or(self.anchor);
        let target = if self.held.is_some() { 1.0 } else { 0.0 };
        self.progress = ease_toward(self.progress, target, dt, EASE);
        let weight = smoothstep(self.progress);
        let head = match self.anchor {
            Some(anchor) if weight >= 1.0 => anchor,
            Some(anchor) if weight > 0.0 => predicted
                .slerp(anchor, weight)
                .normalized()
                .unwrap_or(predicted),
            _ => predicted,
        };
        Steadied {
            head,
            still: self.held.is_some(),
            weight,
        }
    }
}

/// The middle of the range the newest samples stay within, once they have stayed
/// within `settings` for its quiet spell; `None` while the head moves.
fn quiet_centre(history: &VecDeque<Sample>, settings: &Stillness) -> Option<Quat> {
    let newest = history.back()?;
    let limit = settings.range_deg.to_radians();
    let (mut low, mut high) = ([0.0f32; 3], [0.0f32; 3]);
    let mut oldest = newest.at;
    for sample in history.iter().rev() {
        if sample.speed_deg_per_s >= settings.speed_deg_per_s {
            break;
        }
        // Small angles: rotation vectors from the newest sample add up like offsets.
        let r = (newest.orientation.conjugate() * sample.orientation).to_rotation_vector();
        let (lo, hi) = (
            [0, 1, 2].map(|i| low[i].min(r[i])),
            [0, 1, 2].map(|i| high[i].max(r[i])),
        );
        if norm3([0, 1, 2].map(|i| hi[i] - lo[i])) > limit {
            break;
        }
        (low, high, oldest) = (lo, hi, sample.at);
    }
    if newest.at.saturating_sub(oldest) < settings.quiet {
        return None;
    }
    let middle = [0, 1, 2].map(|i| (low[i] + high[i]) / 2.0);
    (newest.orientation * Quat::from_rotation_vector(middle)).normalized()
}

/// `progress` moved toward `target` (0 or 1) by the share of `ease` that `dt` is.
pub fn ease_toward(progress: f32, target: f32, dt: Duration, ease: Duration) -> f32 {
    let step = if ease.is_zero() {
        1.0
    } else {
        dt.as_secs_f32() / ease.as_secs_f32()
    };
    if progress < target {
        (progress + step).min(target)
    } else {
        (progress - step).max(target)
    }
}

/// A gentle start and stop: 0 → 0, 1 → 1, flat at both ends.
pub fn smoothstep(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// The angular speed the newest two snapshots of a pose show, in degrees per
/// second; `None` when they are too close together (or out of order) to tell.
pub fn snapshot_speed(q: [Quat; 3], t: [f32; 3]) -> Option<f32> {
    let dt_ms = t[0] - t[1];
    (dt_ms.is_finite() && dt_ms >= MIN_SNAPSHOT_SPACING_MS)
        .then(|| q[1].angle_to(q[0]).to_degrees() * 1000.0 / dt_ms)
        .filter(|s| s.is_finite())
}

/// Moves one eye's placements a share `weight` (0 to 1) of the way to whole-pixel
/// placement for a head at `relative` (from the reference): at 1 the screens are drawn
/// unrotated, shifted by whole pixels so that the first screen's centre stays where
/// the perspective puts it, and every view pixel's centre is a screen pixel's centre.
/// Between 0 and 1 the rotation eases toward none while that centre stays put.
///
/// Only a flat screen at one screen pixel per view pixel is moved, and only as far as
/// the result stays within [`LOCK_TOLERANCE_PX`] of the perspective (fading out up to
/// twice that). Returns the share applied.
pub fn lock_to_pixels(eye: &mut EyeView, relative: Quat, weight: f32) -> f32 {
    let Some(&anchor) = eye.placements.first() else {
        return 0.0;
    };
    let one_to_one = (anchor.distance_px / anchor.focal_px - 1.0).abs() < 1e-4;
    if anchor.curved || !one_to_one || weight.is_nan() || weight <= 0.0 {
        return 0.0;
    }
    // Where the first screen's centre appears, as a view ray at the focal length.
    let r = anchor.rotation;
    let p = [anchor.offset_px.0, anchor.offset_px.1, anchor.distance_px];
    let v: [f32; 3] = [0, 1, 2].map(|i| r[0][i] * p[0] + r[1][i] * p[1] + r[2][i] * p[2]);
    if v[2] <= f32::EPSILON {
        return 0.0;
    }
    let centre = (anchor.focal_px * v[0] / v[2], anchor.focal_px * v[1] / v[2]);
    // Whole pixels: view pixel centres land on screen pixel centres when
    // `eye_offset + (screen - view) / 2 - offset` is a whole number.
    let whole = |c: f32, view: u32, screen: u32, eye_offset: f32| {
        let k = eye_offset + (screen as f32 - view as f32) / 2.0;
        k - (k - c).round()
    };
    let snapped = (
        whole(
            centre.0,
            anchor.view_size.0,
            anchor.screen_size.0,
            anchor.eye_offset_px,
        ),
        whole(centre.1, anchor.view_size.1, anchor.screen_size.1, 0.0),
    );
    let locked = shifted(&anchor, crate::view::IDENTITY, snapped, anchor.focal_px);
    let share = weight.min(1.0) * fade(deviation(&anchor, &locked));
    if share <= 0.0 {
        return 0.0;
    }
    let (rotation, offset) = if share >= 1.0 {
        (crate::view::IDENTITY, snapped)
    } else {
        let rotation = view_rotation(relative.slerp(Quat::IDENTITY, share));
        let ray = [centre.0, centre.1, anchor.focal_px];
        let d: [f32; 3] = [0, 1, 2].map(|i| (0..3).map(|k| rotation[i][k] * ray[k]).sum());
        if d[2] <= f32::EPSILON {
            return 0.0;
        }
        let t = anchor.distance_px / d[2];
        (
            rotation,
            (
                d[0] * t + share * (snapped.0 - centre.0),
                d[1] * t + share * (snapped.1 - centre.1),
            ),
        )
    };
    let distance = if share >= 1.0 {
        anchor.focal_px
    } else {
        anchor.distance_px
    };
    for placement in &mut eye.placements {
        let own = (
            offset.0 + placement.offset_px.0 - anchor.offset_px.0,
            offset.1 + placement.offset_px.1 - anchor.offset_px.1,
        );
        *placement = shifted(placement, rotation, own, distance);
    }
    share
}

/// `p` drawn with `rotation`, its centre at `offset` and at `distance`.
fn shifted(p: &Placement, rotation: super::Mat3, offset: (f32, f32), distance: f32) -> Placement {
    Placement {
        rotation,
        offset_px: offset,
        distance_px: distance,
        ..*p
    }
}

/// The furthest any of a grid of view pixels lands, in screen pixels, from where it
/// would land through `a` when drawn through `b` (pixels either misses are skipped).
fn deviation(a: &Placement, b: &Placement) -> f32 {
    let (w, h) = a.view_size;
    let steps = |n: u32| (0..=4).map(move |i| (n.saturating_sub(1) * i) / 4);
    steps(w)
        .flat_map(|x| steps(h).map(move |y| (x, y)))
        .filter_map(|(x, y)| {
            let (p, q) = (a.view_to_screen(x, y)?, b.view_to_screen(x, y)?);
            Some((p.0 - q.0).hypot(p.1 - q.1))
        })
        .fold(0.0, f32::max)
}

/// 1 up to [`LOCK_TOLERANCE_PX`], falling to 0 at twice it.
fn fade(deviation_px: f32) -> f32 {
    (2.0 - deviation_px / LOCK_TOLERANCE_PX).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::projection::{project, Settings};
    use crate::view::testing::{GLASSES, XR0};

    const FRAME: Duration = Duration::from_millis(16);

    #[test]
    fn the_default_view_settings_ask_for_the_default_stillness() {
        assert_eq!(
            Stillness::from(&ViewConfig::default()),
            Stillness::default()
        );
        let endless = ViewConfig {
            steady_quiet: f32::MAX,
            ..ViewConfig::default()
        };
        assert_eq!(Stillness::from(&endless).quiet, Stillness::default().quiet);
    }

    fn yaw(deg: f32) -> Quat {
        Quat::from_axis_angle([0.0, 0.0, -1.0], deg.to_radians())
    }

    /// The heartbeat sway of the issue: 0.15° at 1.2 Hz, with its angular speed.
    fn sway(t: f32) -> (Quat, f32) {
        let w = std::f32::consts::TAU * 1.2;
        (yaw(0.15 * (w * t).sin()), (0.15 * w * (w * t).cos()).abs())
    }

    fn measured(orientation: Quat, at: f32, speed: f32) -> Measured {
        Measured {
            orientation,
            at: Duration::from_secs_f32(at),
            speed_deg_per_s: Some(speed),
        }
    }

    /// Runs `frames` frames of `head(t)`, `t` from 0, on the source's clock from
    /// `start` seconds; returns every frame's result.
    fn run(
        steady: &mut Steady,
        settings: Option<&Stillness>,
        start: f32,
        frames: usize,
        head: impl Fn(f32) -> (Quat, f32),
    ) -> Vec<Steadied> {
        (0..frames)
            .map(|i| {
                let t = i as f32 * FRAME.as_secs_f32();
                let (q, speed) = head(t);
                steady.step(measured(q, start + t, speed), q, FRAME, settings)
            })
            .collect()
    }

    #[test]
    fn a_heartbeat_wobble_becomes_still_after_the_quiet_spell_and_is_held_at_its_middle() {
        let settings = Stillness::default();
        let mut steady = Steady::default();
        let frames = run(&mut steady, Some(&settings), 0.0, 180, sway);
        let first_still = frames.iter().position(|f| f.still).unwrap();
        let at = first_still as f32 * FRAME.as_secs_f32();
        assert!((1.0..1.1).contains(&at), "still after {at} s");
        // From then on one orientation, within 0.02° of the sway's middle.
        let held: Vec<Quat> = frames[first_still + 7..].iter().map(|f| f.head).collect();
        assert!(held.windows(2).all(|w| w[0] == w[1]));
        assert!(held[0].angle_to(Quat::IDENTITY).to_degrees() < 0.02);
        assert!(frames.last().unwrap().still && frames.last().unwrap().weight == 1.0);
    }

    #[test]
    fn a_slow_turn_is_followed_and_a_step_ends_stillness() {
        let settings = Stillness::default();
        let mut steady = Steady::default();
        // Turning at 2°/s from the start: never still, always drawn live.
        let turn = |t: f32| (yaw(2.0 * t), 2.0);
        let frames = run(&mut steady, Some(&settings), 0.0, 300, turn);
        for (i, f) in frames.iter().enumerate() {
            let live = turn(i as f32 * FRAME.as_secs_f32()).0;
            assert_eq!((f.still, f.weight, f.head), (false, 0.0, live), "frame {i}");
        }
        // Still at 0°, then the same slow turn: left within 0.5° of the held pose.
        let mut steady = Steady::default();
        run(&mut steady, Some(&settings), 0.0, 100, |_| (yaw(0.0), 0.0));
        assert!(steady.held.is_some());
        let frames = run(&mut steady, Some(&settings), 1.6, 60, turn);
        let left = frames.iter().position(|f| !f.still).unwrap();
        let angle_when_left = 2.0 * left as f32 * FRAME.as_secs_f32();
        assert!(angle_when_left <= 0.55, "left at {angle_when_left}°");
        // ... then eased to the live pose within EASE, never jumping.
        let settled = left + 1 + (EASE.as_millis() / FRAME.as_millis()) as usize;
        for (i, f) in frames.iter().enumerate().skip(settled) {
            let live = turn(i as f32 * FRAME.as_secs_f32()).0;
            assert!(f.head.angle_to(live) < 1e-5, "frame {i}");
        }
        let step_deg = frames
            .windows(2)
            .map(|w| w[0].head.angle_to(w[1].head).to_degrees())
            .fold(0.0, f32::max);
        assert!(step_deg < 0.2, "a frame moved by {step_deg}°");
        // A step of 8° from stillness: left at once.
        let mut steady = Steady::default();
        run(&mut steady, Some(&settings), 0.0, 100, |_| (yaw(0.0), 0.0));
        let after = steady.step(
            measured(yaw(8.0), 1.6, 0.0),
            yaw(8.0),
            FRAME,
            Some(&settings),
        );
        assert!(!after.still && after.weight > 0.9);
        let frames = run(&mut steady, Some(&settings), 1.616, 10, |_| (yaw(8.0), 0.0));
        assert_eq!(frames.last().unwrap().head, yaw(8.0));
    }

    #[test]
    fn turned_off_the_live_pose_comes_back_and_fast_motion_leaves() {
        let settings = Stillness::default();
        let mut steady = Steady::default();
        run(&mut steady, Some(&settings), 0.0, 100, sway);
        assert!(steady.held.is_some());
        let frames = run(&mut steady, None, 1.6, 10, sway);
        assert!(frames.iter().all(|f| !f.still));
        let last = frames.last().unwrap();
        assert_eq!((last.weight, last.head), (0.0, sway(9.0 * 0.016).0));
        // Fast but within the range (a tremor at 4°/s): left too.
        run(&mut steady, Some(&settings), 1.76, 100, sway);
        assert!(steady.held.is_some());
        let f = steady.step(
            measured(yaw(0.0), 3.4, 4.0),
            yaw(0.0),
            FRAME,
            Some(&settings),
        );
        assert!(!f.still);
        // A pose read again (same time) changes nothing; a clock that went back starts
        // over.
        run(&mut steady, Some(&settings), 3.5, 100, sway);
        let again = steady.step(
            measured(yaw(0.0), 5.084, 0.0),
            yaw(0.0),
            FRAME,
            Some(&settings),
        );
        assert!(again.still);
        let back = steady.step(
            measured(yaw(0.0), 0.5, 0.0),
            yaw(0.0),
            FRAME,
            Some(&settings),
        );
        assert!(back.still, "held while the new history fills");
        assert_eq!(steady.history.len(), 1);
    }

    #[test]
    fn easing_moves_by_the_frame_share_and_is_smooth_at_both_ends() {
        let ms = Duration::from_millis;
        assert_eq!(ease_toward(0.0, 1.0, ms(25), ms(100)), 0.25);
        assert_eq!(ease_toward(0.9, 1.0, ms(25), ms(100)), 1.0);
        assert_eq!(ease_toward(0.5, 0.0, ms(100), ms(100)), 0.0);
        assert_eq!(ease_toward(0.2, 1.0, ms(1), Duration::ZERO), 1.0);
        assert_eq!(
            (smoothstep(0.0), smoothstep(0.5), smoothstep(1.0)),
            (0.0, 0.5, 1.0)
        );
        assert!(smoothstep(0.05) < 0.01 && smoothstep(0.95) > 0.99);
        assert_eq!(smoothstep(f32::NAN.max(-3.0)), 0.0);
    }

    #[test]
    fn snapshot_speed_needs_spaced_snapshots() {
        let q = [yaw(0.02), yaw(0.01), yaw(0.0)];
        let speed = snapshot_speed(q, [8.0, 4.0, 0.0]).unwrap();
        assert!((speed - 2.5).abs() < 0.05, "{speed}");
        assert_eq!(snapshot_speed(q, [f32::from_bits(1), 0.0, 0.0]), None);
        assert_eq!(snapshot_speed(q, [0.0, 4.0, 8.0]), None);
    }

    fn eye(relative: Quat, settings: &Settings) -> EyeView {
        project(relative, &GLASSES, settings, &[XR0]).remove(0)
    }

    #[test]
    fn held_near_straight_ahead_the_screen_lands_on_whole_pixels() {
        let head = yaw(0.1);
        let mut view = eye(head, &Settings::default());
        let perspective = view.placements[0];
        assert_eq!(lock_to_pixels(&mut view, head, 1.0), 1.0);
        let p = view.placements[0];
        assert_eq!(p.rotation, crate::view::IDENTITY);
        // Every view pixel shows a screen pixel centre, 1:1.
        for (x, y) in [(0, 0), (500, 300), (1000, 540), (1900, 1070)] {
            let Some((sx, sy)) = p.view_to_screen(x, y) else {
                continue;
            };
            assert_eq!((sx.fract(), sy.fract()), (0.5, 0.5), "{x},{y}");
            let (nx, _) = p.view_to_screen(x + 1, y).unwrap();
            assert_eq!(nx - sx, 1.0);
        }
        // The screen's centre stays where the perspective shows it, within half a pixel.
        let centre = |p: &Placement| {
            (0..1920)
                .find(|&x| p.view_to_screen(x, 540).is_some_and(|(sx, _)| sx >= 960.0))
                .unwrap()
        };
        assert!(centre(&p).abs_diff(centre(&perspective)) <= 1);
        let expected = 960.0 - GLASSES.focal_px() * 0.1f32.to_radians().tan();
        assert!((centre(&p) as f32 - expected).abs() <= 1.0);
    }

    #[test]
    fn the_lock_eases_in_without_jumping_and_keeps_away_from_real_turns() {
        let head = yaw(0.3);
        let perspective = eye(head, &Settings::default());
        let mut last = perspective.placements[0];
        for i in 1..=10 {
            let mut view = perspective.clone();
            lock_to_pixels(&mut view, head, smoothstep(i as f32 / 10.0));
            let p = view.placements[0];
            let moved = deviation(&last, &p);
            assert!(moved < 1.5, "step {i} moved {moved} px");
            last = p;
        }
        assert_eq!(last.rotation, crate::view::IDENTITY);
        // Held 8° to the side, the perspective is kept; curved or zoomed too.
        for (relative, settings) in [
            (yaw(8.0), Settings::default()),
            (
                yaw(0.1),
                Settings {
                    curved: true,
                    ..Settings::default()
                },
            ),
            (
                yaw(0.1),
                Settings {
                    zoom: 1.5,
                    ..Settings::default()
                },
            ),
        ] {
            let mut view = eye(relative, &settings);
            let before = view.clone();
            assert_eq!(lock_to_pixels(&mut view, relative, 1.0), 0.0);
            assert_eq!(view, before);
        }
    }
}
