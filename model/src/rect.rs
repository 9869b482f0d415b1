//! One rectangle type for the X screen, framebuffers, damage and viewports.

use std::fmt;

use serde::Serialize;

/// A rectangle in pixels. On the X screen and in a buffer the origin is top-left and
/// coordinates are non-negative; a signed origin lets layout maths place a rectangle
/// before another without wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub const fn new(x: i32, y: i32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// A `width`x`height` rectangle at 0,0: a whole buffer or screen.
    pub const fn sized(width: u32, height: u32) -> Rect {
        Rect::new(0, 0, width, height)
    }

    pub fn right(&self) -> i32 {
        self.x.saturating_add_unsigned(self.width)
    }

    pub fn bottom(&self) -> i32 {
        self.y.saturating_add_unsigned(self.height)
    }

    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// The same size at `x`,`y`.
    pub fn at(self, x: i32, y: i32) -> Rect {
        Rect { x, y, ..self }
    }

    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The top-left corner as buffer offsets; `None` left of or above the origin.
    pub fn origin(&self) -> Option<(u32, u32)> {
        Some((u32::try_from(self.x).ok()?, u32::try_from(self.y).ok()?))
    }

    /// The number of pixels.
    pub fn area(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    pub fn contains_point(&self, x: i32, y: i32) -> bool {
        (self.x..self.right()).contains(&x) && (self.y..self.bottom()).contains(&y)
    }

    /// Whether `other` lies wholly inside (an empty rectangle lies inside anything).
    pub fn contains(&self, other: &Rect) -> bool {
        other.is_empty()
            || (self.x <= other.x
                && self.y <= other.y
                && other.right() <= self.right()
                && other.bottom() <= self.bottom())
    }

    /// Whether the rectangle is non-empty and inside a `width`x`height` buffer at 0,0.
    pub fn fits(&self, (width, height): (u32, u32)) -> bool {
        !self.is_empty() && Rect::sized(width, height).contains(self)
    }

    /// Whether the two share area (touching edges do not).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.intersect(other).is_some()
    }

    /// The area both cover, if any.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let (x0, y0) = (self.x.max(other.x), self.y.max(other.y));
        let (x1, y1) = (
            self.right().min(other.right()),
            self.bottom().min(other.bottom()),
        );
        (x1 > x0 && y1 > y0).then(|| Rect::new(x0, y0, x1.abs_diff(x0), y1.abs_diff(y0)))
    }

    /// The smallest rectangle covering both; an empty one adds nothing.
    pub fn union(&self, other: &Rect) -> Rect {
        if other.is_empty() {
            return *self;
        }
        if self.is_empty() {
            return *other;
        }
        let (x0, y0) = (self.x.min(other.x), self.y.min(other.y));
        let (x1, y1) = (
            self.right().max(other.right()),
            self.bottom().max(other.bottom()),
        );
        Rect::new(x0, y0, x1.abs_diff(x0), y1.abs_diff(y0))
    }

    /// Moved by `dx`,`dy` (into another rectangle's coordinates).
    pub fn offset(self, dx: i32, dy: i32) -> Rect {
        self.at(self.x.saturating_add(dx), self.y.saturating_add(dy))
    }
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}+{}+{}", self.width, self.height, self.x, self.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Rect = Rect::new(0, 0, 100, 100);

    #[test]
    fn touching_rectangles_do_not_overlap() {
        assert!(!A.overlaps(&Rect::new(100, 0, 50, 50)));
        assert!(A.overlaps(&Rect::new(50, 50, 10, 10)));
        assert!(!A.overlaps(&Rect::new(10, 10, 0, 5)), "empty");
    }

    #[test]
    fn intersection_and_union() {
        let b = Rect::new(50, -20, 100, 40);
        assert_eq!(A.intersect(&b), Some(Rect::new(50, 0, 50, 20)));
        assert_eq!(A.union(&b), Rect::new(0, -20, 150, 120));
        assert_eq!(A.union(&Rect::default()), A);
        assert_eq!(Rect::default().union(&b), b);
        assert_eq!(A.intersect(&Rect::new(200, 0, 5, 5)), None);
    }

    #[test]
    fn fitting_a_buffer() {
        assert!(Rect::new(10, 10, 90, 90).fits((100, 100)));
        assert!(!Rect::new(10, 10, 91, 90).fits((100, 100)));
        assert!(!Rect::new(-1, 0, 5, 5).fits((100, 100)));
        assert!(!Rect::new(0, 0, 0, 5).fits((100, 100)), "empty");
        assert!(
            !Rect::new(i32::MAX, 0, u32::MAX, 5).fits((100, 100)),
            "overflow"
        );
        assert_eq!(Rect::new(3, 4, 1, 1).origin(), Some((3, 4)));
        assert_eq!(Rect::new(-3, 4, 1, 1).origin(), None);
    }

    #[test]
    fn edges_saturate_instead_of_wrapping() {
        let far = Rect::new(i32::MAX - 1, 0, 10, 10);
        assert_eq!(far.right(), i32::MAX);
        assert!(far.contains_point(i32::MAX - 1, 0));
        assert_eq!(far.to_string(), format!("10x10+{}+0", i32::MAX - 1));
    }
}
