//! The replay format, which `imu record` writes and `--imu replay:FILE` plays: CSV
//! lines `t_ns,gx,gy,gz,ax,ay,az[,mx,my,mz]`, gyro in rad/s, accelerometer in m/s²,
//! magnetometer in µT, body frame (see [`super`]); a line starting with `#` is a
//! comment; blank lines are skipped.

use std::fmt;
use std::path::{Path, PathBuf};

use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::feed::Publisher;
use super::ImuSample;

/// The header `imu record` writes.
pub const HEADER: &str = "# xrdisplay IMU samples: t_ns,gx,gy,gz,ax,ay,az[,mx,my,mz]; \
rad/s, m/s², µT; body frame x right, y up, z back";

/// A replay file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayError {
    pub path: PathBuf,
    /// 1-based; 0 when the problem is the whole file.
    pub line: usize,
    pub why: String,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path.display(), self.why),
            n => write!(f, "{}:{n}: {}", self.path.display(), self.why),
        }
    }
}

impl std::error::Error for ReplayError {}

/// Reads a whole replay file: at least one sample, times strictly increasing.
pub fn read(path: &Path) -> Result<Vec<ImuSample>, ReplayError> {
    let error = |line, why: String| ReplayError {
        path: path.to_path_buf(),
        line,
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(0, e.to_string()))?;
    let mut samples: Vec<ImuSample> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(sample) = parse_line(line).map_err(|why| error(i + 1, why))? else {
            continue;
        };
        if let Some(last) = samples.last() {
            if sample.t_ns <= last.t_ns {
                return Err(error(
                    i + 1,
                    format!(
                        "t_ns {} is not after the previous {}",
                        sample.t_ns, last.t_ns
                    ),
                ));
            }
        }
        samples.push(sample);
    }
    if samples.is_empty() {
        return Err(error(0, "holds no samples".into()));
    }
    Ok(samples)
}

/// Plays `samples` into `publisher` at their timestamps (the first one now), then
/// marks the feed finished; stops early when nobody reads the feed.
pub fn play(samples: Vec<ImuSample>, mut publisher: Publisher) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let start = Instant::now();
        let first = samples.first().map_or(0, |s| s.t_ns);
        for sample in &samples {
            let due = start + Duration::from_nanos(sample.t_ns - first);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            if !publisher.sample(sample, SystemTime::now()) {
                return;
            }
        }
        publisher.finish();
    })
}

/// One line: a sample, `None` for a comment or blank line, or why it is not valid.
pub fn parse_line(line: &str) -> Result<Option<ImuSample>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    if fields.len() != 7 && fields.len() != 10 {
        return Err(format!(
            "{} fields, expected 7 (t_ns,gx,gy,gz,ax,ay,az) or 10 (with mx,my,mz)",
            fields.len()
        ));
    }
    let t_ns = fields[0]
        .parse::<u64>()
        .map_err(|_| format!("t_ns {:?} is not a whole number of nanoseconds", fields[0]))?;
    let mut values = [0.0f32; 9];
    for (value, text) in values.iter_mut().zip(&fields[1..]) {
        *value = text
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{text:?} is not a finite number"))?;
    }
    Ok(Some(ImuSample {
        t_ns,
        gyro: [values[0], values[1], values[2]],
        accel: [values[3], values[4], values[5]],
        mag: (fields.len() == 10).then(|| [values[6], values[7], values[8]]),
    }))
}

/// One sample as a line (without the newline); [`parse_line`] reads it back exactly.
pub fn format(s: &ImuSample) -> String {
    let mut line = format!(
        "{},{},{},{},{},{},{}",
        s.t_ns, s.gyro[0], s.gyro[1], s.gyro[2], s.accel[0], s.accel[1], s.accel[2]
    );
    if let Some(m) = s.mag {
        line.push_str(&format!(",{},{},{}", m[0], m[1], m[2]));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::Scratch;

    #[test]
    fn lines_round_trip_with_and_without_a_magnetometer() {
        let mut sample = ImuSample {
            t_ns: 12_345_678_901,
            gyro: [0.001, -0.25, 1e-7],
            accel: [0.0, 9.81, -0.125],
            mag: None,
        };
        assert_eq!(parse_line(&format(&sample)), Ok(Some(sample)));
        sample.mag = Some([22.5, -3.0, 41.0]);
        assert_eq!(parse_line(&format(&sample)), Ok(Some(sample)));
        assert_eq!(parse_line("  # comment"), Ok(None));
        assert_eq!(parse_line(""), Ok(None));
    }

    #[test]
    fn a_bad_line_is_named_by_file_and_number() {
        let dir = Scratch::new("replay");
        let path = dir.join("trace.csv");
        for (text, line, why) in [
            ("# c\n1,0,0,0,0,9.81,0\n2,0,0,0,0,9.81\n", 3, "6 fields"),
            ("1,0,0,0,0,9.81,0\n2,0,nan,0,0,9.81,0\n", 2, "not a finite"),
            ("-1,0,0,0,0,9.81,0\n", 1, "t_ns \"-1\""),
            ("5,0,0,0,0,9.81,0\n5,0,0,0,0,9.81,0\n", 2, "not after"),
            ("# only a comment\n", 0, "no samples"),
        ] {
            std::fs::write(&path, text).unwrap();
            let error = read(&path).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.why.contains(why), "{text:?}: {error}");
            let shown = error.to_string();
            assert!(shown.starts_with(&path.display().to_string()), "{shown}");
        }
        std::fs::write(
            &path,
            format!("{HEADER}\n1,0,0,0,0,9.81,0\n\n2,0,0,0,0,9.81,0\n"),
        )
        .unwrap();
        assert_eq!(read(&path).unwrap().len(), 2);
    }
}
