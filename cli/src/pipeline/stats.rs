//! `run --stats`: what each stage costs, once a second, from both threads.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::time::{clock_gettime, ClockId};
use serde::{Deserialize, Serialize};

/// The stages whose CPU time is measured per frame.
#[derive(Debug, Clone, Copy)]
pub enum Stage {
    Capture,
    Upload,
    Draw,
    Present,
}

const STAGES: usize = 4;

/// One second's figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub capture_fps: f64,
    pub render_fps: f64,
    /// Mean CPU time per frame of each stage, in milliseconds.
    pub capture_cpu_ms: f64,
    pub upload_cpu_ms: f64,
    pub draw_cpu_ms: f64,
    pub present_cpu_ms: f64,
    /// From the source's change (damage) to the presentation that showed it.
    pub frame_age_p50_ms: Option<f64>,
    pub frame_age_p99_ms: Option<f64>,
    /// From the pose's timestamp to the draw that used it (head tracking only).
    pub pose_age_p50_ms: Option<f64>,
    pub pose_age_p99_ms: Option<f64>,
    /// The prediction look-ahead of the last frame.
    pub lookahead_ms: Option<f64>,
    /// Of the frames drawn with a head pose, the share held still (steady), in
    /// percent.
    #[serde(default)]
    pub held_still_pct: Option<f64>,
}

#[derive(Default)]
struct Window {
    captures: u32,
    renders: u32,
    cpu: [Duration; STAGES],
    counts: [u32; STAGES],
    frame_ages: Vec<Duration>,
    pose_ages: Vec<Duration>,
    lookahead: Option<Duration>,
    /// Frames drawn with a held (still) pose.
    held: u32,
}

/// Figures gathered since the last report.
pub struct Stats {
    window: Mutex<(Instant, Window)>,
    /// The last full second's report, for `status`.
    last: Mutex<Report>,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            window: Mutex::new((Instant::now(), Window::default())),
            last: Mutex::new(Report::default()),
        }
    }
}

impl Stats {
    fn with(&self, f: impl FnOnce(&mut Window)) {
        let mut guard = self.window.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard.1);
    }

    /// Runs `work`, charging the calling thread's CPU time to `stage`.
    pub fn measure<T>(&self, stage: Stage, work: impl FnOnce() -> T) -> T {
        let start = thread_cpu();
        let result = work();
        let spent = thread_cpu().saturating_sub(start);
        self.with(|w| {
            w.cpu[stage as usize] += spent;
            w.counts[stage as usize] += 1;
        });
        result
    }

    pub fn captured(&self) {
        self.with(|w| w.captures += 1);
    }

    /// A frame was presented; `changed_at` is when the change it shows first was seen.
    pub fn presented(&self, changed_at: Option<Instant>) {
        let now = Instant::now();
        self.with(|w| {
            w.renders += 1;
            if let Some(at) = changed_at {
                w.frame_ages.push(now.saturating_duration_since(at));
            }
        });
    }

    /// A pose of age `age` was used with a look-ahead of `lookahead`; `still`: the
    /// screen was held.
    pub fn pose_used(&self, age: Duration, lookahead: Duration, still: bool) {
        self.with(|w| {
            w.pose_ages.push(age);
            w.lookahead = Some(lookahead);
            w.held += u32::from(still);
        });
    }

    /// The report of the window that ended, once a second has passed since it began.
    pub fn take_if_due(&self) -> Option<Report> {
        let mut guard = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = guard.0.elapsed();
        if elapsed < Duration::from_secs(1) {
            return None;
        }
        let window = std::mem::take(&mut guard.1);
        guard.0 = Instant::now();
        drop(guard);
        let report = window.report(elapsed);
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = report.clone();
        Some(report)
    }

    pub fn last(&self) -> Report {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Window {
    fn report(mut self, elapsed: Duration) -> Report {
        let secs = elapsed.as_secs_f64();
        let mean = |stage: Stage| {
            let i = stage as usize;
            match self.counts[i] {
                0 => 0.0,
                n => ms(self.cpu[i]) / f64::from(n),
            }
        };
        let (frame_p50, frame_p99) = percentiles(&mut self.frame_ages);
        let (pose_p50, pose_p99) = percentiles(&mut self.pose_ages);
        Report {
            capture_fps: f64::from(self.captures) / secs,
            render_fps: f64::from(self.renders) / secs,
            capture_cpu_ms: mean(Stage::Capture),
            upload_cpu_ms: mean(Stage::Upload),
            draw_cpu_ms: mean(Stage::Draw),
            present_cpu_ms: mean(Stage::Present),
            frame_age_p50_ms: frame_p50,
            frame_age_p99_ms: frame_p99,
            pose_age_p50_ms: pose_p50,
            pose_age_p99_ms: pose_p99,
            lookahead_ms: self.lookahead.map(ms),
            held_still_pct: (!self.pose_ages.is_empty())
                .then(|| 100.0 * f64::from(self.held) / self.pose_ages.len() as f64),
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let age = |p50: Option<f64>, p99: Option<f64>| match (p50, p99) {
            (Some(a), Some(b)) => format!("p50 {a:.1} ms p99 {b:.1} ms"),
            _ => "-".into(),
        };
        write!(
            f,
            "capture {:.1} fps ({:.2} ms CPU) | render {:.1} fps (upload {:.2}, draw {:.2}, \
             present {:.2} ms CPU) | frame age {}",
            self.capture_fps,
            self.capture_cpu_ms,
            self.render_fps,
            self.upload_cpu_ms,
            self.draw_cpu_ms,
            self.present_cpu_ms,
            age(self.frame_age_p50_ms, self.frame_age_p99_ms)
        )?;
        if self.pose_age_p50_ms.is_some() {
            write!(
                f,
                " | pose age {} look-ahead {:.1} ms",
                age(self.pose_age_p50_ms, self.pose_age_p99_ms),
                self.lookahead_ms.unwrap_or(0.0)
            )?;
        }
        if let Some(pct) = self.held_still_pct {
            write!(f, " | held still {pct:.0}%")?;
        }
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentiles(samples: &mut [Duration]) -> (Option<f64>, Option<f64>) {
    if samples.is_empty() {
        return (None, None);
    }
    samples.sort();
    let at = |q: f64| ms(samples[((samples.len() - 1) as f64 * q).round() as usize]);
    (Some(at(0.5)), Some(at(0.99)))
}

/// CPU time the calling thread has used.
pub fn thread_cpu() -> Duration {
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).map_or(Duration::ZERO, Duration::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_counts_frames_per_second_and_ages_by_percentile() {
        let w = Window {
            captures: 30,
            renders: 90,
            frame_ages: (1..=100).map(Duration::from_millis).collect(),
            ..Window::default()
        };
        let r = w.report(Duration::from_millis(500));
        assert_eq!((r.capture_fps, r.render_fps), (60.0, 180.0));
        assert_eq!(r.frame_age_p50_ms, Some(51.0));
        assert_eq!(r.frame_age_p99_ms, Some(99.0));
        assert_eq!(r.pose_age_p50_ms, None);
        assert_eq!(r.held_still_pct, None);
        let w = Window {
            pose_ages: vec![Duration::from_millis(2); 8],
            held: 6,
            ..Window::default()
        };
        let r = w.report(Duration::from_secs(1));
        assert_eq!(r.held_still_pct, Some(75.0));
        assert!(r.to_string().ends_with(" | held still 75%"), "{r}");
    }
}
