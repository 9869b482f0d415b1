//! `cargo bench -p xrdisplay-capture --bench imu`: the in-process head tracker at the
//! glasses' 1000 Hz. A reader thread feeds a synthetic trace (noise, bias, turns) at
//! its timestamps into the feed, as the hidraw reader does, while the main thread
//! takes a pose 60 times a second, as the render loop does. Reports the sample-to-pose
//! latency (from a sample's arrival until the fused pose is there for the next frame)
//! and the reader thread's CPU.

use std::time::{Duration, Instant, SystemTime};

use nix::sys::resource::{getrusage, UsageWho};
use xrdisplay_capture::imu::feed::{self, Display};
use xrdisplay_capture::imu::synthetic::{Motion, Trace};

const SECONDS: f32 = 10.0;

fn main() {
    let mut motion = vec![Motion::Still(2.0)];
    while motion.len() < 40 {
        motion.push(Motion::Turn {
            degrees: 30.0,
            rate_dps: 60.0,
        });
        motion.push(Motion::Turn {
            degrees: -30.0,
            rate_dps: 60.0,
        });
    }
    let mut trace = Trace::generate(&motion, 1000.0, 0.5, 1);
    trace.samples.truncate((SECONDS * 1000.0) as usize);
    let display = Display {
        size: (1920, 1080),
        fov_diagonal_deg: 46.0,
        delay_ms: 0.0,
    };
    let (feed, mut publisher) = feed::channel(display, "starting");
    let reader = std::thread::spawn(move || {
        let cpu = || {
            let usage = getrusage(UsageWho::RUSAGE_THREAD).expect("getrusage");
            let (u, s) = (usage.user_time(), usage.system_time());
            Duration::new(u.tv_sec() as u64, u.tv_usec() as u32 * 1000)
                + Duration::new(s.tv_sec() as u64, s.tv_usec() as u32 * 1000)
        };
        let (start, cpu_start) = (Instant::now(), cpu());
        let first = trace.samples[0].t_ns;
        let mut latencies = Vec::with_capacity(trace.samples.len());
        for sample in &trace.samples {
            let due = start + Duration::from_nanos(sample.t_ns - first);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let arrived = Instant::now();
            publisher.sample(sample, SystemTime::now());
            latencies.push(arrived.elapsed());
        }
        let busy = cpu() - cpu_start;
        (latencies, busy, start.elapsed())
    });
    let mut poses = 0u32;
    while !reader.is_finished() {
        if feed.pose(SystemTime::now()).is_ok() {
            poses += 1;
        }
        std::thread::sleep(Duration::from_micros(16_667));
    }
    let (mut latencies, busy, wall) = reader.join().expect("reader thread");
    latencies.sort();
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "imu bench: {} samples in {:.1} s ({:.0} Hz); sample-to-pose latency p50 {:.1} µs, \
         p99 {:.1} µs, max {:.1} µs; reader thread CPU {:.2} % of a core \
         ({:.1} µs per sample, sleeping included); {poses} poses taken",
        latencies.len(),
        wall.as_secs_f64(),
        latencies.len() as f64 / wall.as_secs_f64(),
        at(0.5).as_secs_f64() * 1e6,
        at(0.99).as_secs_f64() * 1e6,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e6,
        busy.as_secs_f64() / wall.as_secs_f64() * 100.0,
        busy.as_secs_f64() / latencies.len() as f64 * 1e6,
    );
}
