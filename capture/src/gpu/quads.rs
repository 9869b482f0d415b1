//! From the view's eyes to the renderer's quads: the pose source describes the
//! glasses' panel, while the surface drawn to (a window, a lease, an offscreen view of
//! `--view-size`) may differ in size.

use xrdisplay_model::Rect;

use super::Quad;
use crate::view::projection::EyeView;

/// The quads of a frame drawn into a `target`-sized surface: each eye's viewport on
/// the `panel` scaled to the target, with a quad per screen in it. `screens` are the
/// captured outputs on the X screen, in the order of each eye's placements; a quad's
/// origin is its screen's corner there.
///
/// Edges are scaled, not sizes: side-by-side halves then tile the target exactly
/// whatever its size (rounding each width could overrun it by a pixel).
pub fn quads(
    eyes: &[EyeView],
    panel: (u32, u32),
    target: (u32, u32),
    screens: &[Rect],
) -> Vec<Quad> {
    let sx = target.0 as f32 / panel.0.max(1) as f32;
    let sy = target.1 as f32 / panel.1.max(1) as f32;
    // Float to integer casts saturate: an edge left of or above the panel is 0.
    let edge = |v: i32, scale: f32, limit: u32| ((v as f32 * scale).round() as u32).min(limit);
    let corner = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    eyes.iter()
        .flat_map(|eye| {
            let panel_view = eye.viewport;
            let (left, right) = (
                edge(panel_view.x, sx, target.0),
                edge(panel_view.right(), sx, target.0),
            );
            let (top, bottom) = (
                edge(panel_view.y, sy, target.1),
                edge(panel_view.bottom(), sy, target.1),
            );
            let viewport = Rect::new(
                corner(left),
                corner(top),
                right.saturating_sub(left),
                bottom.saturating_sub(top),
            );
            eye.placements.iter().zip(screens).enumerate().map(
                move |(screen, (placement, on_screen))| {
                    let mut placement = *placement;
                    placement.view_size = viewport.size();
                    placement.focal_px *= sx;
                    placement.eye_offset_px *= sx;
                    Quad {
                        screen,
                        placement,
                        viewport,
                        origin: (on_screen.x, on_screen.y),
                    }
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Placement;

    const PANEL_EYE: (u32, u32) = (1920, 1080);

    fn side_by_side(screens: usize) -> Vec<EyeView> {
        let placements = vec![Placement::flat(PANEL_EYE, PANEL_EYE); screens];
        vec![
            EyeView {
                viewport: Rect::sized(PANEL_EYE.0, PANEL_EYE.1),
                placements: placements.clone(),
            },
            EyeView {
                viewport: Rect::new(1920, 0, PANEL_EYE.0, PANEL_EYE.1),
                placements,
            },
        ]
    }

    #[test]
    fn side_by_side_halves_tile_an_odd_target_exactly() {
        let quads = quads(
            &side_by_side(1),
            (3840, 1080),
            (801, 600),
            &[Rect::sized(1920, 1080)],
        );
        let viewports: Vec<Rect> = quads.iter().map(|q| q.viewport).collect();
        assert_eq!(
            viewports,
            [Rect::new(0, 0, 401, 600), Rect::new(401, 0, 400, 600)]
        );
        for quad in &quads {
            assert_eq!(quad.placement.view_size, quad.viewport.size());
        }
    }

    #[test]
    fn focal_length_and_eye_offset_scale_with_the_width() {
        let mut eyes = side_by_side(1);
        eyes[0].placements[0].eye_offset_px = -12.0;
        let focal = eyes[0].placements[0].focal_px;
        let quads = quads(&eyes, (3840, 1080), (1920, 540), &[Rect::sized(1920, 1080)]);
        assert_eq!(quads[0].placement.focal_px, focal / 2.0);
        assert_eq!(quads[0].placement.eye_offset_px, -6.0);
    }

    #[test]
    fn each_eye_gets_a_quad_per_screen_at_its_corner() {
        let screens = [Rect::new(0, 0, 1920, 1080), Rect::new(1920, 0, 1280, 720)];
        let quads = quads(&side_by_side(2), (3840, 1080), (3840, 1080), &screens);
        let drawn: Vec<(usize, (i32, i32), i32)> = quads
            .iter()
            .map(|q| (q.screen, q.origin, q.viewport.x))
            .collect();
        assert_eq!(
            drawn,
            [
                (0, (0, 0), 0),
                (1, (1920, 0), 0),
                (0, (0, 0), 1920),
                (1, (1920, 0), 1920)
            ]
        );
    }

    #[test]
    fn a_panel_of_no_pixels_draws_nothing_outside_the_target() {
        let eyes = [EyeView {
            viewport: Rect::sized(10, 10),
            placements: vec![Placement::flat((10, 10), (10, 10))],
        }];
        let quads = quads(&eyes, (0, 0), (640, 480), &[Rect::sized(10, 10)]);
        assert!(quads.iter().all(|q| q.viewport.fits((640, 480))));
    }
}
