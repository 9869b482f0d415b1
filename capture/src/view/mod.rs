//! Where the captured screen appears in the glasses' view: the transform stage
//! between capture and presentation.
//!
//! A [`Placement`] is all a renderer needs to draw one frame. For every view pixel it
//! casts a ray from the eye, turns it by the head's rotation and intersects it with
//! the screen (a plane, or a cylinder around the viewer when curved). The GPU shader
//! and [`Placement::view_to_screen`] compute exactly the same thing; the CPU version
//! is the reference the tests and the shader are checked against.
//!
//! Coordinates: view and screen pixels have their origin at the top-left, x right,
//! y down. Rays live in a right-handed frame with x right, y down, z forward (the
//! direction the viewer faces at the recentred pose).

pub mod driver;
pub mod files;
pub mod pose;
pub mod predict;
pub mod projection;
pub mod quat;
pub mod steady;
pub mod sway;
#[cfg(test)]
pub(crate) mod testing;
pub mod tracker;

/// A 3x3 matrix, row-major.
pub type Mat3 = [[f32; 3]; 3];

pub const IDENTITY: Mat3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// How the screen is placed in the view for one drawn frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Size of the view (the glasses' display, or one eye's half of it) in pixels.
    pub view_size: (u32, u32),
    /// Focal length of the view in pixels: a ray through view pixel (x, y) is
    /// `(x + 0.5 - w/2 + eye_offset_px, y + 0.5 - h/2, focal_px)` before rotation.
    pub focal_px: f32,
    /// Turns a view ray into the room's frame (the head's orientation relative to the
    /// recentred pose). Identity keeps the screen straight ahead.
    pub rotation: Mat3,
    /// Horizontal shift of the eye for side-by-side rendering, in view pixels.
    pub eye_offset_px: f32,
    /// Size of the captured screen, in its own pixels.
    pub screen_size: (u32, u32),
    /// Where the screen's centre sits, in screen pixels, relative to the point
    /// straight ahead at the recentred pose (along the wall, or around the cylinder
    /// when curved). Several XR outputs side by side get different offsets.
    pub offset_px: (f32, f32),
    /// Distance from the eye to the screen's centre, in screen pixels: the screen
    /// looks as large as it would in a view with this focal length.
    pub distance_px: f32,
    /// Bend the screen around the viewer (a cylinder of radius `distance_px` around
    /// the vertical axis) instead of a flat plane.
    pub curved: bool,
}

impl Placement {
    /// The screen straight ahead, filling the view exactly when the sizes match and
    /// scaled to fit (aspect kept) otherwise: what the glasses' own display shows.
    pub fn flat(view_size: (u32, u32), screen_size: (u32, u32)) -> Placement {
        let focal_px = diagonal(view_size) / 2.0;
        let fit = (view_size.0 as f32 / screen_size.0.max(1) as f32)
            .min(view_size.1 as f32 / screen_size.1.max(1) as f32);
        Placement {
            view_size,
            focal_px,
            rotation: IDENTITY,
            eye_offset_px: 0.0,
            screen_size,
            offset_px: (0.0, 0.0),
            distance_px: focal_px / fit,
            curved: false,
        }
    }

    /// Which screen point (in screen pixels, fractional) view pixel `(x, y)`'s centre
    /// shows, or `None` where the ray misses the screen or points away from it.
    pub fn view_to_screen(&self, x: u32, y: u32) -> Option<(f32, f32)> {
        let (w, h) = (self.view_size.0 as f32, self.view_size.1 as f32);
        let ray = [
            x as f32 + 0.5 - w / 2.0 + self.eye_offset_px,
            y as f32 + 0.5 - h / 2.0,
            self.focal_px,
        ];
        let r = &self.rotation;
        let d = [
            r[0][0] * ray[0] + r[0][1] * ray[1] + r[0][2] * ray[2],
            r[1][0] * ray[0] + r[1][1] * ray[1] + r[1][2] * ray[2],
            r[2][0] * ray[0] + r[2][1] * ray[1] + r[2][2] * ray[2],
        ];
        let (u, v) = if self.curved {
            let horizontal = (d[0] * d[0] + d[2] * d[2]).sqrt();
            if horizontal <= f32::EPSILON {
                return None;
            }
            let angle = d[0].atan2(d[2]);
            (
                angle * self.distance_px,
                d[1] * self.distance_px / horizontal,
            )
        } else {
            if d[2] <= f32::EPSILON {
                return None;
            }
            let t = self.distance_px / d[2];
            (d[0] * t, d[1] * t)
        };
        let (sw, sh) = (self.screen_size.0 as f32, self.screen_size.1 as f32);
        let (sx, sy) = (
            u - self.offset_px.0 + sw / 2.0,
            v - self.offset_px.1 + sh / 2.0,
        );
        (sx >= 0.0 && sy >= 0.0 && sx < sw && sy < sh).then_some((sx, sy))
    }
}

fn diagonal((w, h): (u32, u32)) -> f32 {
    (w as f32).hypot(h as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_placement_of_equal_sizes_maps_pixel_centres_one_to_one() {
        let p = Placement::flat((1920, 1080), (1920, 1080));
        for (x, y) in [(0, 0), (959, 539), (1919, 1079), (100, 900)] {
            let (sx, sy) = p.view_to_screen(x, y).unwrap();
            assert!((sx - (x as f32 + 0.5)).abs() < 1e-2, "x {x}: {sx}");
            assert!((sy - (y as f32 + 0.5)).abs() < 1e-2, "y {y}: {sy}");
        }
    }

    #[test]
    fn flat_placement_fits_a_larger_screen_and_leaves_the_rest_black() {
        // A 3840x1080 screen in a 1920x1080 view: half scale, letterboxed.
        let p = Placement::flat((1920, 1080), (3840, 1080));
        let (sx, sy) = p.view_to_screen(959, 539).unwrap();
        assert!((sx - 1919.0).abs() < 0.1 && (sy - 539.0).abs() < 0.1);
        assert_eq!(p.view_to_screen(959, 0), None);
        assert!(p.view_to_screen(0, 300).is_some());
    }

    #[test]
    fn an_offset_screen_sits_beside_the_view_centre() {
        let mut p = Placement::flat((640, 480), (640, 480));
        p.offset_px = (640.0, 0.0);
        assert_eq!(p.view_to_screen(320, 240), None);
        p.rotation = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]];
        // Turned 90° right: a flat wall is seen edge-on; a curved one is not.
        p.curved = true;
        p.distance_px = 640.0 / std::f32::consts::FRAC_PI_2;
        let (sx, _) = p.view_to_screen(320, 240).unwrap();
        assert!((sx - 320.0).abs() < 1.0, "{sx}");
    }

    #[test]
    fn looking_behind_shows_nothing() {
        let mut p = Placement::flat((640, 480), (640, 480));
        p.rotation = [[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]];
        assert_eq!(p.view_to_screen(320, 240), None);
        p.curved = true;
        assert_eq!(p.view_to_screen(320, 240), None);
    }
}
