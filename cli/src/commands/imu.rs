//! `xrdisplay imu list|show|record`: the glasses as xrdisplay sees them.

use std::io::Write as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use xrdisplay_capture::imu::feed::{self, Feed};
use xrdisplay_capture::imu::glasses::{self, Watch, MODELS};
use xrdisplay_capture::imu::replay;
use xrdisplay_capture::view::quat::Quat;

use crate::cli::{ImuArgs, ImuWhat};
use crate::exit::{Error, Result};

/// How often `imu show` prints.
const SHOW_EVERY: Duration = Duration::from_millis(500);
/// `imu record` gives up when no sample came within this.
const FIRST_SAMPLE_WITHIN: Duration = Duration::from_secs(5);

pub fn run(args: &ImuArgs) -> Result<()> {
    let watch = Watch::default();
    match &args.what {
        ImuWhat::List(a) => list(&watch, a.json),
        ImuWhat::Show(a) => show(watch, a.seconds),
        ImuWhat::Record(a) => record(watch, &a.file, a.seconds),
    }
}

/// One hidraw node of supported glasses, as `imu list --json` prints it.
#[derive(Debug, Serialize)]
struct Listed {
    model: &'static str,
    node: String,
    interface: Option<u8>,
    /// This node streams the IMU.
    imu: bool,
    readable: bool,
    /// Why it cannot be opened, and what to do.
    problem: Option<String>,
}

fn list(watch: &Watch, json: bool) -> Result<()> {
    let listed: Vec<Listed> = glasses::find(&watch.sys, &watch.dev)
        .into_iter()
        .map(|f| Listed {
            model: f.model.name,
            node: f.node.display().to_string(),
            interface: f.interface,
            imu: f.is_imu(),
            readable: f.access.is_ok(),
            problem: f.access.err(),
        })
        .collect();
    if json {
        return super::print_json(&listed);
    }
    if listed.is_empty() {
        let names: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        out!("no supported glasses found ({})", names.join(", "));
        return Ok(());
    }
    for g in &listed {
        let role = if g.imu { "the IMU" } else { "not the IMU" };
        let interface = g
            .interface
            .map_or("no USB interface".into(), |n| format!("interface {n}"));
        let access = match &g.problem {
            None => "readable".to_string(),
            Some(why) => why.clone(),
        };
        out!("{}  {}  {interface} ({role})  {access}", g.model, g.node);
    }
    Ok(())
}

/// A feed of the glasses' fused IMU, read by a thread of its own.
fn open(watch: Watch, tap: Option<mpsc::Sender<xrdisplay_capture::imu::ImuSample>>) -> Feed {
    let display = feed::Display {
        size: (1920, 1080),
        fov_diagonal_deg: 46.0,
        delay_ms: 0.0,
    };
    let (feed, mut publisher) = feed::channel(display, "looking for the glasses");
    if let Some(tap) = tap {
        publisher.tap(tap);
    }
    glasses::spawn_reader(watch, publisher);
    feed
}

/// Yaw (right positive) and pitch (up positive) of an NWU orientation, degrees.
fn yaw_pitch(q: Quat) -> (f32, f32) {
    let f = q.rotate([1.0, 0.0, 0.0]);
    (
        -f[1].atan2(f[0]).to_degrees(),
        f[2].clamp(-1.0, 1.0).asin().to_degrees(),
    )
}

fn show(watch: Watch, seconds: Option<f64>) -> Result<()> {
    crate::interrupt::catch();
    let feed = open(watch, None);
    let start = Instant::now();
    let until = seconds.map(|s| start + Duration::from_secs_f64(s.max(0.0)));
    while crate::interrupt::caught().is_none() && until.is_none_or(|t| Instant::now() < t) {
        std::thread::sleep(SHOW_EVERY);
        let report = feed.report();
        let pose = match feed.pose(SystemTime::now()) {
            Ok(pose) => {
                let (yaw, pitch) = yaw_pitch(pose.orientation());
                format!("yaw {yaw:+6.1}° pitch {pitch:+6.1}°")
            }
            Err(problem) => problem.to_string(),
        };
        let bias = report.bias.map(f32::to_degrees);
        out!(
            "{pose}  {:.0} Hz  gyro bias ({:+.2}, {:+.2}, {:+.2})°/s  {} dropped",
            report.rate_hz,
            bias[0],
            bias[1],
            bias[2],
            report.dropped
        );
    }
    Ok(())
}

fn record(watch: Watch, path: &Path, seconds: f64) -> Result<()> {
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(Error::usage("--seconds must be more than 0"));
    }
    crate::interrupt::catch();
    let (tx, rx) = mpsc::channel();
    let feed = open(watch, Some(tx));
    let fail = |e: std::io::Error| Error::runtime(format!("cannot write {}: {e}", path.display()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(fail)?);
    writeln!(out, "{}", replay::HEADER).map_err(fail)?;
    let started = Instant::now();
    let span_ns = (seconds * 1e9) as u64;
    let (mut first, mut last, mut count) = (None, 0u64, 0u64);
    while crate::interrupt::caught().is_none() {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(sample) => {
                let t0 = *first.get_or_insert(sample.t_ns);
                if sample.t_ns <= last && count > 0 {
                    continue;
                }
                if sample.t_ns.saturating_sub(t0) > span_ns {
                    break;
                }
                writeln!(out, "{}", replay::format(&sample)).map_err(fail)?;
                last = sample.t_ns;
                count += 1;
            }
            Err(_) if count == 0 && started.elapsed() > FIRST_SAMPLE_WITHIN => {
                return Err(Error::runtime(format!(
                    "no IMU samples: {}",
                    feed.report().state
                )));
            }
            Err(_) => {}
        }
    }
    out.flush().map_err(fail)?;
    let span = (last.saturating_sub(first.unwrap_or(last))) as f64 / 1e9;
    out!(
        "recorded {count} samples ({span:.1} s) to {}; play them with `xrdisplay run --imu replay:{}`",
        path.display(),
        path.display()
    );
    Ok(())
}
