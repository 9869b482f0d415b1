//! Rokid Air / Max, from the protocol facts public drivers document: the IMU streams
//! on its own (no start command) as 64-byte input reports on the interface with the
//! interrupt IN endpoint 0x82. A report starting with 4 carries one sensor: byte 1 is
//! its kind (1 accelerometer, m/s²; 2 gyro, rad/s; 3 magnetometer), a u64 LE
//! timestamp (ns) at 9 and three f32 LE at 21. The axes are Android's for a display
//! (x right, y up, z out of it, toward the wearer's head): the body frame already.
//! Accelerometer and gyro readings come in separate reports with the same timestamp;
//! a sample is made when both are in. The magnetometer is left out: it comes without
//! a hard-iron calibration, which would pull the heading.

use super::ImuSample;

/// The interrupt IN endpoint of the IMU interface.
pub const IMU_ENDPOINT: u8 = 0x82;

/// What one report gave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decoded {
    Sample(ImuSample),
    /// Not a sample, or half of one.
    Nothing,
    Malformed,
}

/// Pairs accelerometer and gyro reports into samples.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    accel: Option<(u64, [f32; 3])>,
    gyro: Option<(u64, [f32; 3])>,
}

impl Decoder {
    pub fn push(&mut self, report: &[u8]) -> Decoded {
        if report.first() != Some(&4) {
            // Keys, proximity and other reports.
            return Decoded::Nothing;
        }
        if report.len() < 33 {
            return Decoded::Malformed;
        }
        let mut t = [0u8; 8];
        t.copy_from_slice(&report[9..17]);
        let t_ns = u64::from_le_bytes(t);
        let f = |at: usize| {
            f32::from_le_bytes([report[at], report[at + 1], report[at + 2], report[at + 3]])
        };
        let v = [f(21), f(25), f(29)];
        if !v.iter().all(|x| x.is_finite()) {
            return Decoded::Malformed;
        }
        match report[1] {
            1 => self.accel = Some((t_ns, v)),
            2 => self.gyro = Some((t_ns, v)),
            3 => return Decoded::Nothing,
            _ => return Decoded::Malformed,
        }
        match (self.accel, self.gyro) {
            (Some((ta, accel)), Some((tg, gyro))) if ta == tg => {
                self.accel = None;
                self.gyro = None;
                Decoded::Sample(ImuSample {
                    t_ns: ta,
                    gyro,
                    accel,
                    mag: None,
                })
            }
            _ => Decoded::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sensor report as the glasses send it.
    fn encode_report(kind: u8, t_ns: u64, v: [f32; 3]) -> [u8; 64] {
        let mut r = [0u8; 64];
        r[0] = 4;
        r[1] = kind;
        r[9..17].copy_from_slice(&t_ns.to_le_bytes());
        for (i, x) in v.iter().enumerate() {
            r[21 + 4 * i..25 + 4 * i].copy_from_slice(&x.to_le_bytes());
        }
        r
    }

    #[test]
    fn accelerometer_and_gyro_of_one_instant_make_a_sample() {
        let mut decoder = Decoder::default();
        let accel = [0.1, 9.8, -0.2];
        let gyro = [0.0, 0.5, 0.01];
        assert_eq!(
            decoder.push(&encode_report(1, 1000, accel)),
            Decoded::Nothing
        );
        // A gyro reading of another instant does not pair with it.
        assert_eq!(decoder.push(&encode_report(2, 999, gyro)), Decoded::Nothing);
        assert_eq!(
            decoder.push(&encode_report(2, 1000, gyro)),
            Decoded::Sample(ImuSample {
                t_ns: 1000,
                gyro,
                accel,
                mag: None
            })
        );
        assert_eq!(
            decoder.push(&encode_report(3, 1000, gyro)),
            Decoded::Nothing
        );
        let mut key = [0u8; 64];
        key[0] = 2;
        assert_eq!(decoder.push(&key), Decoded::Nothing);
    }

    #[test]
    fn short_unknown_and_non_finite_reports_are_malformed() {
        let mut decoder = Decoder::default();
        assert_eq!(decoder.push(&[4, 1, 0]), Decoded::Malformed);
        assert_eq!(
            decoder.push(&encode_report(9, 1, [0.0; 3])),
            Decoded::Malformed
        );
        assert_eq!(
            decoder.push(&encode_report(1, 1, [f32::NAN, 0.0, 0.0])),
            Decoded::Malformed
        );
    }
}
