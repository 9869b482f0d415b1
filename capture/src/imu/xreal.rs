//! The XREAL Air family's IMU interface, from the protocol facts public drivers
//! document: commands and replies framed as `0xAA, CRC-32 (LE, over the length,
//! id and data), length u16 LE (3 + data), id u8, data`; IMU reports of 64 bytes
//! starting `01 02`, with the timestamp (ns, u64 LE) at 4, the gyro (multiplier i16,
//! divisor i32, three i24, all LE; deg/s) at 12 and the accelerometer (same layout;
//! g) at 27. The sensor's axes are x left, y back, z up.
//!
//! Factory calibration is JSON read with commands 0x14 (length) and 0x15 (next
//! segment); `IMU.device_1.gyro_bias` (rad/s)
//! and `accel_bias` (m/s²) are given in a (right, down, forward) frame. Only these
//! biases are applied; scales and misalignments are left out.

use std::io;
use std::time::{Duration, Instant};

use super::{ImuSample, GRAVITY};

pub const VENDOR: u16 = 0x3318;
/// The largest report any model sends (the Air 2 Ultra's).
pub const MAX_REPORT: usize = 512;
/// Size of an IMU report.
pub const IMU_REPORT: usize = 64;
/// Command ids.
pub const GET_CALIBRATION_LENGTH: u8 = 0x14;
pub const GET_CALIBRATION_SEGMENT: u8 = 0x15;
pub const IMU_STREAM: u8 = 0x19;
/// How long to wait for a reply to a command.
const REPLY_TIMEOUT: Duration = Duration::from_millis(500);
/// The calibration JSON is a few kB; anything far larger is not one.
const MAX_CALIBRATION: usize = 1 << 20;

/// Reports out and in, one at a time.
pub trait Transport {
    fn send(&mut self, report: &[u8]) -> io::Result<()>;
    /// One report into `buf`, its length; an error when none came within `timeout`.
    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
}

/// What one report from the IMU interface is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Report {
    Imu(Raw),
    /// A command's reply or another framed message: not a sample.
    Reply,
    Malformed,
}

/// An IMU reading in the sensor's units and axes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Raw {
    pub t_ns: u64,
    pub gyro_dps: [f32; 3],
    pub accel_g: [f32; 3],
}

/// The factory biases, in the calibration's (right, down, forward) frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Calibration {
    pub gyro_bias: [f32; 3],
    pub accel_bias: [f32; 3],
}

impl Calibration {
    /// The calibrated sample in the body frame (x right, y up, z back).
    pub fn apply(&self, raw: Raw) -> ImuSample {
        let gyro = raw.gyro_dps.map(f32::to_radians);
        let accel = raw.accel_g.map(|a| a * GRAVITY);
        // Sensor (left, back, up) to (right, down, forward), minus the bias, then to
        // the body's (right, up, back).
        let body = |s: [f32; 3], bias: [f32; 3]| {
            let f = [-s[0] - bias[0], -s[2] - bias[1], -s[1] - bias[2]];
            [f[0], -f[1], -f[2]]
        };
        ImuSample {
            t_ns: raw.t_ns,
            gyro: body(gyro, self.gyro_bias),
            accel: body(accel, self.accel_bias),
            mag: None,
        }
    }

    /// The biases of the calibration JSON; `None` when they are not there.
    pub fn from_json(text: &str) -> Option<Calibration> {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        let device = &json["IMU"]["device_1"];
        let vector = |key: &str| -> Option<[f32; 3]> {
            let v = device[key].as_array()?;
            let mut out = [0.0f32; 3];
            for (o, x) in out.iter_mut().zip(v) {
                *o = x.as_f64().filter(|x| x.is_finite())? as f32;
            }
            (v.len() == 3).then_some(out)
        };
        Some(Calibration {
            gyro_bias: vector("gyro_bias")?,
            accel_bias: vector("accel_bias")?,
        })
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib computes it).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A framed message: a command, or (from the glasses' side) its reply.
pub fn frame(id: u8, data: &[u8]) -> Vec<u8> {
    let length = (3 + data.len()) as u16;
    let mut body = Vec::with_capacity(length as usize);
    body.extend_from_slice(&length.to_le_bytes());
    body.push(id);
    body.extend_from_slice(data);
    let mut message = vec![0xAA];
    message.extend_from_slice(&crc32(&body).to_le_bytes());
    message.extend_from_slice(&body);
    message
}

/// The id and data of a framed message whose checksum holds.
pub fn unframe(report: &[u8]) -> Option<(u8, &[u8])> {
    if report.first() != Some(&0xAA) || report.len() < 8 {
        return None;
    }
    let crc = u32::from_le_bytes([report[1], report[2], report[3], report[4]]);
    let length = usize::from(u16::from_le_bytes([report[5], report[6]]));
    let body = report.get(5..5 + length)?;
    (length >= 3 && crc32(body) == crc).then(|| (body[2], &body[3..]))
}

/// Classifies and decodes one report.
pub fn parse_report(report: &[u8]) -> Report {
    match report {
        [0x01, 0x02, ..] if report.len() >= 42 => {
            imu(report).map_or(Report::Malformed, Report::Imu)
        }
        [0xAA, ..] => Report::Reply,
        _ => Report::Malformed,
    }
}

fn imu(r: &[u8]) -> Option<Raw> {
    let u64_at = |at: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&r[at..at + 8]);
        u64::from_le_bytes(b)
    };
    let vector = |at: usize| -> Option<[f32; 3]> {
        let multiplier = i16::from_le_bytes([r[at], r[at + 1]]);
        let divisor = i32::from_le_bytes([r[at + 2], r[at + 3], r[at + 4], r[at + 5]]);
        if divisor == 0 {
            return None;
        }
        let scale = f32::from(multiplier) / divisor as f32;
        let i24 = |o: usize| {
            let at = at + 6 + 3 * o;
            // Sign-extended from the top byte.
            (i32::from_le_bytes([0, r[at], r[at + 1], r[at + 2]]) >> 8) as f32
        };
        let v = [i24(0) * scale, i24(1) * scale, i24(2) * scale];
        v.iter().all(|x| x.is_finite()).then_some(v)
    };
    Some(Raw {
        t_ns: u64_at(4),
        gyro_dps: vector(12)?,
        accel_g: vector(27)?,
    })
}

/// Sends `id` with `data` and waits for its reply's data, skipping IMU reports.
pub fn command(link: &mut impl Transport, id: u8, data: &[u8]) -> io::Result<Vec<u8>> {
    link.send(&frame(id, data))?;
    let deadline = Instant::now() + REPLY_TIMEOUT;
    let mut buf = [0u8; MAX_REPORT];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no reply to command {id:#04x}"),
            ));
        }
        let n = link.receive(&mut buf, left)?;
        if let Some((reply, data)) = unframe(&buf[..n]) {
            if reply == id {
                return Ok(data.to_vec());
            }
        }
    }
}

/// Reads the factory calibration (the default when the glasses do not give one) and
/// starts the stream.
pub fn start(link: &mut impl Transport) -> io::Result<Calibration> {
    // The stream is never switched off: another reader (XRLinuxDriver, a second
    // xrdisplay) may be using it. Replies are picked out from among its reports.
    let calibration = read_calibration(link).unwrap_or_default();
    command(link, IMU_STREAM, &[1])?;
    Ok(calibration)
}

fn read_calibration(link: &mut impl Transport) -> Option<Calibration> {
    let length = command(link, GET_CALIBRATION_LENGTH, &[]).ok()?;
    let length = u32::from_le_bytes(length.get(..4)?.try_into().ok()?) as usize;
    if length > MAX_CALIBRATION {
        return None;
    }
    let mut text = Vec::with_capacity(length);
    while text.len() < length {
        let segment = command(link, GET_CALIBRATION_SEGMENT, &[]).ok()?;
        if segment.is_empty() {
            return None;
        }
        text.extend_from_slice(&segment);
    }
    text.truncate(length);
    Calibration::from_json(std::str::from_utf8(&text).ok()?)
}

/// An IMU report as the glasses send it (the emulator's and the tests' side).
pub fn encode_report(t_ns: u64, gyro_dps: [f32; 3], accel_g: [f32; 3]) -> [u8; IMU_REPORT] {
    let mut r = [0u8; IMU_REPORT];
    r[0] = 0x01;
    r[1] = 0x02;
    r[4..12].copy_from_slice(&t_ns.to_le_bytes());
    // Fixed point: 1/8192 of a unit per step keeps ±1000 within 24 bits.
    let mut put = |at: usize, v: [f32; 3]| {
        r[at..at + 2].copy_from_slice(&1i16.to_le_bytes());
        r[at + 2..at + 6].copy_from_slice(&8192i32.to_le_bytes());
        for (i, x) in v.iter().enumerate() {
            let steps = (x * 8192.0).round().clamp(-8_388_608.0, 8_388_607.0) as i32;
            let at = at + 6 + 3 * i;
            r[at..at + 3].copy_from_slice(&steps.to_le_bytes()[..3]);
        }
    };
    put(12, gyro_dps);
    put(27, accel_g);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    #[test]
    fn crc_and_framing_round_trip() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let message = frame(IMU_STREAM, &[1]);
        assert_eq!(message.len(), 9);
        assert_eq!(&message[5..], &[4, 0, 0x19, 1]);
        assert_eq!(unframe(&message), Some((IMU_STREAM, &[1u8][..])));
        let mut bad = message.clone();
        bad[8] = 0;
        assert_eq!(unframe(&bad), None);
        assert_eq!(unframe(&message[..6]), None);
    }

    #[test]
    fn reports_decode_into_the_body_frame() {
        // Level and turning left at 30°/s: the sensor's up is z.
        let report = encode_report(7_000, [0.0, 0.0, 30.0], [0.0, 0.0, 1.0]);
        let Report::Imu(raw) = parse_report(&report) else {
            panic!("{:?}", parse_report(&report));
        };
        assert_eq!(raw.t_ns, 7_000);
        let sample = Calibration::default().apply(raw);
        assert!(
            (sample.gyro[1] - 30f32.to_radians()).abs() < 1e-4,
            "{sample:?}"
        );
        assert!((sample.accel[1] - GRAVITY).abs() < 1e-3, "{sample:?}");
        assert!(sample.gyro[0].abs() < 1e-6 && sample.accel[2].abs() < 1e-6);
        // Sensor x is left, y back.
        let raw = Raw {
            t_ns: 0,
            gyro_dps: [0.0; 3],
            accel_g: [1.0, 2.0, 0.0],
        };
        let sample = Calibration::default().apply(raw);
        assert_eq!(sample.accel[0], -GRAVITY);
        assert_eq!(sample.accel[2], 2.0 * GRAVITY);
        // Negative values survive the 24-bit fields.
        let Report::Imu(raw) = parse_report(&encode_report(1, [-250.5, 0.0, 0.0], [0.0; 3])) else {
            panic!()
        };
        assert!((raw.gyro_dps[0] + 250.5).abs() < 1e-3);
    }

    #[test]
    fn malformed_reports_are_refused() {
        let mut zero_divisor = encode_report(1, [1.0; 3], [0.0, 0.0, 1.0]);
        zero_divisor[14..18].fill(0);
        assert_eq!(parse_report(&zero_divisor), Report::Malformed);
        assert_eq!(parse_report(&[0x01, 0x02, 0, 0]), Report::Malformed);
        assert_eq!(parse_report(&[0x07; 64]), Report::Malformed);
        assert_eq!(parse_report(&frame(IMU_STREAM, &[])), Report::Reply);
    }

    #[test]
    fn factory_biases_come_from_the_json_and_are_removed() {
        let json = r#"{"IMU":{"device_1":{"gyro_bias":[0.01,0.02,-0.03],
            "accel_bias":[0.1,0.0,0.0],"scale_gyro":[1,1,1]}}}"#;
        let calibration = Calibration::from_json(json).unwrap();
        assert_eq!(calibration.gyro_bias, [0.01, 0.02, -0.03]);
        // A still sensor reading exactly its biases reads zero after calibration.
        let to_sensor = |f: [f32; 3]| [-f[0], -f[2], -f[1]];
        let raw = Raw {
            t_ns: 0,
            gyro_dps: to_sensor(calibration.gyro_bias).map(f32::to_degrees),
            accel_g: to_sensor([0.1 / GRAVITY, 0.0, 0.0]),
        };
        let sample = calibration.apply(raw);
        assert!(
            sample
                .gyro
                .iter()
                .chain(&sample.accel)
                .all(|v| v.abs() < 1e-6),
            "{sample:?}"
        );
        assert_eq!(Calibration::from_json("{}"), None);
        assert_eq!(Calibration::from_json("not json"), None);
    }

    /// Glasses that answer commands from a script of replies.
    struct Scripted {
        sent: Vec<Vec<u8>>,
        replies: VecDeque<Vec<u8>>,
    }

    impl Transport for Scripted {
        fn send(&mut self, report: &[u8]) -> io::Result<()> {
            self.sent.push(report.to_vec());
            Ok(())
        }
        fn receive(&mut self, buf: &mut [u8], _: Duration) -> io::Result<usize> {
            let reply = self
                .replies
                .pop_front()
                .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "silent"))?;
            buf[..reply.len()].copy_from_slice(&reply);
            Ok(reply.len())
        }
    }

    #[test]
    fn start_reads_the_calibration_among_imu_reports_and_never_stops_the_stream() {
        let json = br#"{"IMU":{"device_1":{"gyro_bias":[0.5,0,0],"accel_bias":[0,0,0]}}}"#;
        let (a, b) = json.split_at(30);
        let mut glasses = Scripted {
            sent: Vec::new(),
            replies: VecDeque::from([
                frame(GET_CALIBRATION_LENGTH, &(json.len() as u32).to_le_bytes()),
                frame(GET_CALIBRATION_SEGMENT, a),
                // Another reader's stream goes on meanwhile.
                encode_report(1, [0.0; 3], [0.0, 0.0, 1.0]).to_vec(),
                frame(GET_CALIBRATION_SEGMENT, b),
                frame(IMU_STREAM, &[]),
            ]),
        };
        let calibration = start(&mut glasses).unwrap();
        assert_eq!(calibration.gyro_bias, [0.5, 0.0, 0.0]);
        let ids: Vec<_> = glasses
            .sent
            .iter()
            .map(|m| unframe(m).unwrap())
            .map(|(id, data)| (id, data.to_vec()))
            .collect();
        // Never switched off; switched on last.
        assert!(!ids.contains(&(IMU_STREAM, vec![0])), "{ids:?}");
        assert_eq!(ids.last(), Some(&(IMU_STREAM, vec![1])));
        // Silent glasses: no start.
        let mut silent = Scripted {
            sent: Vec::new(),
            replies: VecDeque::new(),
        };
        assert!(start(&mut silent).is_err());
    }
}
