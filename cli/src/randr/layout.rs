//! Placing the XR output among the other outputs without gaps or overlaps.
//!
//! Pure functions over rectangles keyed by output name, so every rule is unit-tested
//! without an X server. Inserting next to an output pushes the outputs beyond it
//! aside; removing closes the gap again, so enable followed by disable is a round trip.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::geometry::Position;
use xrdisplay_model::Rect;

/// Where the XR output goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// To the right of every other output, top-aligned: never moves anything.
    #[default]
    Auto,
    RightOf(String),
    LeftOf(String),
    Above(String),
    Below(String),
    At(Position),
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Placement::Auto => f.write_str("right of all outputs"),
            Placement::RightOf(o) => write!(f, "right of {o}"),
            Placement::LeftOf(o) => write!(f, "left of {o}"),
            Placement::Above(o) => write!(f, "above {o}"),
            Placement::Below(o) => write!(f, "below {o}"),
            Placement::At(p) => write!(f, "at {p}"),
        }
    }
}

impl Placement {
    /// The same placement with its anchor renamed by `rename` (where it gives a name),
    /// e.g. a monitor's name replaced by that of the output it stands for.
    pub fn rename_anchor(&self, rename: impl Fn(&str) -> Option<String>) -> Placement {
        let to = |name: &String| rename(name).unwrap_or_else(|| name.clone());
        match self {
            Placement::RightOf(o) => Placement::RightOf(to(o)),
            Placement::LeftOf(o) => Placement::LeftOf(to(o)),
            Placement::Above(o) => Placement::Above(to(o)),
            Placement::Below(o) => Placement::Below(to(o)),
            Placement::Auto | Placement::At(_) => self.clone(),
        }
    }
}

/// The result of placing: the XR output's rectangle, where every other output ends up,
/// and the screen size that holds them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arranged {
    pub xr: Rect,
    pub others: BTreeMap<String, Rect>,
    pub screen: (u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    Horizontal,
    Vertical,
}

/// Places an XR output of `width`x`height` among `others` (the active outputs, without the
/// XR output itself).
pub fn place(
    others: &BTreeMap<String, Rect>,
    xr_name: &str,
    width: u32,
    height: u32,
    placement: &Placement,
) -> Result<Arranged, String> {
    let anchor = |name: &String| -> Result<Rect, String> {
        if name == xr_name {
            return Err(format!("cannot place {xr_name} relative to itself"));
        }
        others.get(name).copied().ok_or_else(|| {
            let known: Vec<&str> = others.keys().map(String::as_str).collect();
            format!(
                "cannot place {xr_name} next to {name}: no active output has that name (active: {})",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )
        })
    };
    let rect = |x: i32, y: i32| Rect {
        x,
        y,
        width,
        height,
    };
    let mut others = others.clone();
    let xr = match placement {
        Placement::Auto => rect(
            others.values().map(Rect::right).max().unwrap_or(0).max(0),
            0,
        ),
        Placement::At(p) => rect(p.x as i32, p.y as i32),
        Placement::RightOf(name) => {
            let a = anchor(name)?;
            let xr = rect(a.right(), a.y);
            make_room(
                &mut others,
                name,
                &xr,
                Axis::Horizontal,
                |r| r.x >= xr.x,
                width as i32,
            );
            xr
        }
        Placement::LeftOf(name) => {
            let a = anchor(name)?;
            let xr = rect(a.x - width as i32, a.y);
            make_room(
                &mut others,
                name,
                &xr,
                Axis::Horizontal,
                |r| r.right() <= a.x,
                -(width as i32),
            );
            xr
        }
        Placement::Below(name) => {
            let a = anchor(name)?;
            let xr = rect(a.x, a.bottom());
            make_room(
                &mut others,
                name,
                &xr,
                Axis::Vertical,
                |r| r.y >= xr.y,
                height as i32,
            );
            xr
        }
        Placement::Above(name) => {
            let a = anchor(name)?;
            let xr = rect(a.x, a.y - height as i32);
            make_room(
                &mut others,
                name,
                &xr,
                Axis::Vertical,
                |r| r.bottom() <= a.y,
                -(height as i32),
            );
            xr
        }
    };
    if let Some((name, _)) = others.iter().find(|(_, r)| r.overlaps(&xr)) {
        return Err(format!(
            "{xr_name} at {xr} would overlap {name}; choose another position or use --right-of/--left-of/--above/--below"
        ));
    }
    let mut xr = xr;
    normalize(&mut others, &mut xr);
    let screen = bounding_size(others.values().chain([&xr]));
    Ok(Arranged { xr, others, screen })
}

/// Removes the XR output at `xr` and closes the gap it leaves where that moves nothing
/// onto anything else. Returns the other outputs' new rectangles and the screen size.
pub fn remove(others: &BTreeMap<String, Rect>, xr: &Rect) -> (BTreeMap<String, Rect>, (u32, u32)) {
    let mut result = others.clone();
    for (axis, beyond, shift) in [
        (Axis::Horizontal, xr.right(), -(xr.width as i32)),
        (Axis::Vertical, xr.bottom(), -(xr.height as i32)),
    ] {
        let mut moved = result.clone();
        let mut any = false;
        for r in moved.values_mut() {
            let start = if axis == Axis::Horizontal { r.x } else { r.y };
            if start >= beyond && spans(r, xr, axis) {
                shift_rect(r, axis, shift);
                any = true;
            }
        }
        if any && !has_overlap(&moved) && moved.values().all(|r| r.x >= 0 && r.y >= 0) {
            result = moved;
        }
    }
    let mut none = Rect {
        x: 0,
        y: 0,
        width: 0,
        height: 0,
    };
    normalize(&mut result, &mut none);
    let screen = bounding_size(result.values());
    (result, screen)
}

/// Whether `r` sits in the band `xr` occupies across the axis (the same row or column).
fn spans(r: &Rect, xr: &Rect, axis: Axis) -> bool {
    match axis {
        Axis::Horizontal => r.y < xr.bottom() && xr.y < r.bottom(),
        Axis::Vertical => r.x < xr.right() && xr.x < r.right(),
    }
}

/// Shifts the outputs selected by `beyond` (all but the anchor) by `shift` along `axis`
/// when the new rectangle would otherwise overlap one of them.
fn make_room(
    others: &mut BTreeMap<String, Rect>,
    anchor: &str,
    xr: &Rect,
    axis: Axis,
    beyond: impl Fn(&Rect) -> bool,
    shift: i32,
) {
    if !others.values().any(|r| r.overlaps(xr)) {
        return;
    }
    for (name, r) in others.iter_mut() {
        if name != anchor && beyond(r) {
            shift_rect(r, axis, shift);
        }
    }
}

fn shift_rect(r: &mut Rect, axis: Axis, by: i32) {
    match axis {
        Axis::Horizontal => r.x += by,
        Axis::Vertical => r.y += by,
    }
}

fn has_overlap(rects: &BTreeMap<String, Rect>) -> bool {
    let all: Vec<&Rect> = rects.values().collect();
    all.iter()
        .enumerate()
        .any(|(i, a)| all[i + 1..].iter().any(|b| a.overlaps(b) && a != b))
}

/// Moves everything so that no coordinate is negative (the X screen starts at 0,0).
fn normalize(others: &mut BTreeMap<String, Rect>, xr: &mut Rect) {
    let min_x = others
        .values()
        .chain([&*xr])
        .map(|r| r.x)
        .min()
        .unwrap_or(0);
    let min_y = others
        .values()
        .chain([&*xr])
        .map(|r| r.y)
        .min()
        .unwrap_or(0);
    for r in others.values_mut().chain([xr]) {
        r.x -= min_x.min(0);
        r.y -= min_y.min(0);
    }
}

fn bounding_size<'a>(rects: impl Iterator<Item = &'a Rect>) -> (u32, u32) {
    rects.fold((0, 0), |(w, h), r| {
        (
            w.max(r.right().max(0) as u32),
            h.max(r.bottom().max(0) as u32),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    fn layout(items: &[(&str, Rect)]) -> BTreeMap<String, Rect> {
        items.iter().map(|(n, r)| (n.to_string(), *r)).collect()
    }

    #[test]
    fn auto_goes_right_of_everything() {
        let others = layout(&[("A", r(0, 0, 1920, 1080)), ("B", r(1920, 0, 1280, 1024))]);
        let a = place(&others, "XR-0", 1920, 1080, &Placement::Auto).unwrap();
        assert_eq!(a.xr, r(3200, 0, 1920, 1080));
        assert_eq!(a.others, others);
        assert_eq!(a.screen, (5120, 1080));
    }

    #[test]
    fn right_of_pushes_the_outputs_beyond_aside_and_remove_restores_them() {
        let others = layout(&[("A", r(0, 0, 1920, 1080)), ("B", r(1920, 0, 1280, 1024))]);
        let a = place(&others, "XR-0", 1600, 900, &Placement::RightOf("A".into())).unwrap();
        assert_eq!(a.xr, r(1920, 0, 1600, 900));
        assert_eq!(a.others["B"], r(3520, 0, 1280, 1024));
        assert_eq!(a.screen, (4800, 1080));
        let (back, screen) = remove(&a.others, &a.xr);
        assert_eq!(back, others);
        assert_eq!(screen, (3200, 1080));
    }

    #[test]
    fn left_of_and_above_shift_everything_into_positive_coordinates() {
        let others = layout(&[("A", r(0, 0, 1920, 1080))]);
        let left = place(&others, "XR-0", 1280, 720, &Placement::LeftOf("A".into())).unwrap();
        assert_eq!(left.xr, r(0, 0, 1280, 720));
        assert_eq!(left.others["A"], r(1280, 0, 1920, 1080));
        assert_eq!(remove(&left.others, &left.xr).0, others);

        let above = place(&others, "XR-0", 1920, 1080, &Placement::Above("A".into())).unwrap();
        assert_eq!(above.xr, r(0, 0, 1920, 1080));
        assert_eq!(above.others["A"], r(0, 1080, 1920, 1080));
        assert_eq!(above.screen, (1920, 2160));
        assert_eq!(remove(&above.others, &above.xr).0, others);
    }

    #[test]
    fn below_places_under_the_anchor() {
        let others = layout(&[("A", r(0, 0, 1920, 1080))]);
        let a = place(&others, "XR-0", 1920, 1080, &Placement::Below("A".into())).unwrap();
        assert_eq!(a.xr, r(0, 1080, 1920, 1080));
    }

    #[test]
    fn placing_again_where_it_already_is_changes_nothing() {
        let others = layout(&[("A", r(0, 0, 1920, 1080)), ("B", r(3840, 0, 1280, 1024))]);
        let a = place(&others, "XR-0", 1920, 1080, &Placement::RightOf("A".into())).unwrap();
        assert_eq!(a.others, others);
        assert_eq!(a.xr, r(1920, 0, 1920, 1080));
    }

    #[test]
    fn bad_anchors_and_overlaps_are_refused() {
        let others = layout(&[("A", r(0, 0, 1920, 1080))]);
        let itself = place(
            &others,
            "XR-0",
            800,
            600,
            &Placement::RightOf("XR-0".into()),
        );
        assert!(itself.unwrap_err().contains("itself"));
        let unknown = place(
            &others,
            "XR-0",
            800,
            600,
            &Placement::RightOf("HDMI-9".into()),
        );
        assert!(unknown.unwrap_err().contains("HDMI-9"));
        let overlap = place(
            &others,
            "XR-0",
            800,
            600,
            &Placement::At(Position { x: 100, y: 0 }),
        );
        assert!(overlap.unwrap_err().contains("overlap"));
    }
}
