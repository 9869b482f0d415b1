//! Unit quaternions for head orientation, as small as the view needs: composing,
//! inverting, rotation vectors (for velocities), interpolation, and the rotation
//! matrix a [`Placement`](super::Placement) takes.
//!
//! A quaternion `q` rotates vectors of the head's frame into the room's frame
//! (`v_room = q · v_head · q⁻¹`); `a * b` applies `b` first.

use std::ops::Mul;

use super::Mat3;

/// A rotation as a unit quaternion `(x, y, z, w)`, `w` the scalar part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quat {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub w: f32,
}

impl Quat {
    pub const IDENTITY: Quat = Quat::new(0.0, 0.0, 0.0, 1.0);

    pub const fn new(x: f32, y: f32, z: f32, w: f32) -> Quat {
        Quat { x, y, z, w }
    }

    /// The rotation by `angle` radians around `axis` (need not be of unit length).
    pub fn from_axis_angle(axis: [f32; 3], angle: f32) -> Quat {
        let n = norm3(axis);
        if n <= f32::EPSILON {
            return Quat::IDENTITY;
        }
        Quat::from_rotation_vector(scale3(axis, angle / n))
    }

    /// The rotation whose axis is `r`'s direction and whose angle is `r`'s length
    /// (the exponential map).
    pub fn from_rotation_vector(r: [f32; 3]) -> Quat {
        let angle = norm3(r);
        // sin(a/2)/a tends to 1/2; the series keeps tiny rotations exact.
        let s = if angle < 1e-4 {
            0.5 - angle * angle / 48.0
        } else {
            (angle / 2.0).sin() / angle
        };
        Quat::new(r[0] * s, r[1] * s, r[2] * s, (angle / 2.0).cos())
    }

    /// The shortest rotation vector (axis times angle, angle ≤ π) of this rotation:
    /// the inverse of [`Quat::from_rotation_vector`].
    pub fn to_rotation_vector(self) -> [f32; 3] {
        // q and -q are the same rotation; w ≥ 0 picks the short way round.
        let q = if self.w < 0.0 { -self } else { self };
        let v = [q.x, q.y, q.z];
        let s = norm3(v);
        if s < 1e-6 {
            return scale3(v, 2.0);
        }
        scale3(v, 2.0 * s.atan2(q.w) / s)
    }

    /// Whether every component is a finite number.
    pub fn is_finite(self) -> bool {
        [self.x, self.y, self.z, self.w]
            .iter()
            .all(|v| v.is_finite())
    }

    pub fn conjugate(self) -> Quat {
        Quat::new(-self.x, -self.y, -self.z, self.w)
    }

    pub fn length(self) -> f32 {
        (self.x * self.x + self.y * self.y + self.z * self.z + self.w * self.w).sqrt()
    }

    /// This quaternion scaled to unit length, or `None` when it has no direction.
    pub fn normalized(self) -> Option<Quat> {
        let n = self.length();
        (n.is_finite() && n > 1e-6)
            .then(|| Quat::new(self.x / n, self.y / n, self.z / n, self.w / n))
    }

    /// The angle in radians of the rotation that takes `self` to `other`.
    pub fn angle_to(self, other: Quat) -> f32 {
        norm3((self.conjugate() * other).to_rotation_vector())
    }

    /// The rotation a fraction `t` of the shortest way from `self` to `other`.
    pub fn slerp(self, other: Quat, t: f32) -> Quat {
        let step = (self.conjugate() * other).to_rotation_vector();
        self * Quat::from_rotation_vector(scale3(step, t))
    }

    /// Rotates `v`.
    pub fn rotate(self, v: [f32; 3]) -> [f32; 3] {
        let m = self.to_matrix();
        [0, 1, 2].map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2])
    }

    /// The rotation matrix (row-major), for a unit quaternion.
    pub fn to_matrix(self) -> Mat3 {
        let Quat { x, y, z, w } = self;
        [
            [
                1.0 - 2.0 * (y * y + z * z),
                2.0 * (x * y - w * z),
                2.0 * (x * z + w * y),
            ],
            [
                2.0 * (x * y + w * z),
                1.0 - 2.0 * (x * x + z * z),
                2.0 * (y * z - w * x),
            ],
            [
                2.0 * (x * z - w * y),
                2.0 * (y * z + w * x),
                1.0 - 2.0 * (x * x + y * y),
            ],
        ]
    }
}

impl Mul for Quat {
    type Output = Quat;

    fn mul(self, b: Quat) -> Quat {
        let a = self;
        Quat::new(
            a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
            a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
            a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
            a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
        )
    }
}

impl std::ops::Neg for Quat {
    type Output = Quat;

    fn neg(self) -> Quat {
        Quat::new(-self.x, -self.y, -self.z, -self.w)
    }
}

pub(crate) fn norm3(v: [f32; 3]) -> f32 {
    (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()
}

pub(crate) fn scale3(v: [f32; 3], s: f32) -> [f32; 3] {
    [v[0] * s, v[1] * s, v[2] * s]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::FRAC_PI_2;

    fn close(a: [f32; 3], b: [f32; 3]) -> bool {
        (0..3).all(|i| (a[i] - b[i]).abs() < 1e-5)
    }

    #[test]
    fn a_quarter_turn_about_z_takes_x_to_y() {
        let q = Quat::from_axis_angle([0.0, 0.0, 1.0], FRAC_PI_2);
        assert!(close(q.rotate([1.0, 0.0, 0.0]), [0.0, 1.0, 0.0]));
        assert!(close(q.rotate([0.0, 0.0, 1.0]), [0.0, 0.0, 1.0]));
    }

    #[test]
    fn products_apply_the_right_factor_first() {
        let about_z = Quat::from_axis_angle([0.0, 0.0, 1.0], FRAC_PI_2);
        let about_x = Quat::from_axis_angle([1.0, 0.0, 0.0], FRAC_PI_2);
        // x turned about x stays x, then about z becomes y.
        assert!(close(
            (about_z * about_x).rotate([1.0, 0.0, 0.0]),
            [0.0, 1.0, 0.0]
        ));
        // x turned about z becomes y, then about x becomes z.
        assert!(close(
            (about_x * about_z).rotate([1.0, 0.0, 0.0]),
            [0.0, 0.0, 1.0]
        ));
    }

    #[test]
    fn rotation_vectors_round_trip_and_take_the_short_way() {
        for r in [[0.3, -0.2, 0.1], [0.0, 0.0, 3.0], [1e-7, 0.0, 0.0]] {
            assert!(close(Quat::from_rotation_vector(r).to_rotation_vector(), r));
        }
        // The same rotation with the opposite sign.
        let q = -Quat::from_rotation_vector([0.0, 0.5, 0.0]);
        assert!(close(q.to_rotation_vector(), [0.0, 0.5, 0.0]));
    }

    #[test]
    fn slerp_goes_part_of_the_way() {
        let a = Quat::from_axis_angle([0.0, 0.0, 1.0], 0.2);
        let b = Quat::from_axis_angle([0.0, 0.0, 1.0], 1.0);
        let half = a.slerp(b, 0.5);
        assert!((Quat::IDENTITY.angle_to(half) - 0.6).abs() < 1e-5);
        assert!((a.angle_to(b) - 0.8).abs() < 1e-5);
    }
}
