//! `xrdisplay bench`: capture cost next to references measured in the same run.

use std::os::fd::AsFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use serde::Serialize;
use xrdisplay_capture::counters;
use xrdisplay_capture::damage::DamageWatch;
use xrdisplay_capture::gpu::Renderer;
use xrdisplay_capture::present::Target;
use xrdisplay_capture::view::Placement;
use xrdisplay_model::Rect;

use crate::capture::{from_capture, Capture, Reader};
use crate::cli::BenchArgs;
use crate::commands::{print_json, Context};
use crate::exit::{Error, Result};
use crate::pipeline::stats::thread_cpu;
use crate::randr::Session;
use xrdisplay_model::CaptureMethod;

/// How long an idle desktop is watched for damage-driven copies.
const IDLE_WINDOW: Duration = Duration::from_millis(500);

#[derive(Serialize)]
struct Report {
    output: String,
    method: CaptureMethod,
    width: u32,
    height: u32,
    frames: u32,
    bytes_per_frame: usize,
    /// Wall time of one capture, in microseconds.
    copy_median_us: f64,
    copy_p99_us: f64,
    megabytes_per_second: f64,
    /// A plain memcpy of the same bytes in this process, the reference.
    memcpy_median_us: f64,
    copy_vs_memcpy: f64,
    /// CPU per frame in this process and in the X server (MIT-SHM copies there).
    client_cpu_us_per_frame: f64,
    server_cpu_us_per_frame: Option<f64>,
    ffmpeg_x11grab: Option<Ffmpeg>,
    /// Copies made while nothing was drawn (damage-driven; expected 0).
    idle_copies: u32,
    /// What DAMAGE saves: a change of 1 % of the output is read alone.
    small_change: Option<SmallChange>,
    /// For the DRM methods: what showing a frame costs the render thread.
    render: Option<RenderCost>,
    /// The capture loop's read of a damage batch, a frame per rectangle next to
    /// `read_into`.
    batches: Vec<BatchCost>,
}

/// One damage batch read into the output's frame both ways, in the same run.
#[derive(Serialize)]
struct BatchCost {
    batch: String,
    rects: usize,
    /// Damaged bytes per frame.
    bytes: usize,
    /// A frame per rectangle (look-up, map and copy each time), then copied into the
    /// output's frame: how the capture loop read before `read_into`.
    per_rect: BatchSeries,
    /// One look-up per batch, each rectangle copied straight into the output's frame.
    read_into: BatchSeries,
    /// Client CPU per frame, per rectangle over `read_into`.
    cpu_per_rect_vs_read_into: f64,
}

/// What reading one batch costs, per frame.
#[derive(Serialize)]
struct BatchSeries {
    cpu_us_per_frame: f64,
    server_cpu_us_per_frame: Option<f64>,
    /// Bytes this process copied over the damaged bytes.
    copies_per_frame: f64,
    ioctls_per_frame: f64,
    /// ShmGetImage round trips.
    x_reads_per_frame: f64,
    frames_allocated_per_frame: f64,
}

/// CPU time per frame of the render loop's two ways to get a DRM frame on screen,
/// measured in the same run (the GPU's own time is not counted).
#[derive(Serialize)]
struct RenderCost {
    renderer: String,
    /// Find the framebuffer, reuse its cached export and EGLImage, draw.
    import_cpu_us_per_frame: Option<f64>,
    /// Why there is no import figure (the renderer cannot import).
    import_unavailable: Option<String>,
    /// Copy the frame out of the mapping, upload it whole, draw.
    copy_upload_cpu_us_per_frame: f64,
}

/// ffmpeg's marginal cost per frame: two runs of different lengths, the difference
/// divided by the difference in frames, so its start-up (about 55 ms of CPU) is not
/// counted as capture cost.
#[derive(Serialize)]
struct Ffmpeg {
    cpu_us_per_frame: f64,
    server_cpu_us_per_frame: Option<f64>,
    /// The two runs' lengths, in frames.
    runs: (u32, u32),
    /// xrdisplay's total CPU per frame over ffmpeg's (both sides of the socket).
    xrdisplay_vs_ffmpeg: Option<f64>,
}

/// Reading a damaged tenth-by-tenth of the output (1 % of its pixels), as the loop
/// does when that is all that changed, next to reading the whole output.
#[derive(Serialize)]
struct SmallChange {
    width: u32,
    height: u32,
    copy_median_us: f64,
    /// xrdisplay + X server CPU per frame (coarse: the X server's is counted in ticks).
    cpu_us_per_frame: Option<f64>,
    /// The whole output's median read time over this one's: what DAMAGE saves.
    full_vs_small: f64,
}

pub fn run(ctx: &Context, args: &BenchArgs) -> Result<()> {
    let Capture {
        session,
        name,
        target,
        mut reader,
        method,
    } = ctx.open_capture(&args.capture)?;
    let rect = target.rect;
    let server_pid = server_pid(&session);
    let frames = args.frames;

    let full = measure(&mut reader, rect, frames, server_pid)?;
    let bytes = full.bytes;
    let client_cpu = full.client_cpu;
    let server_cpu = full.server_cpu;
    let mut times = full.times;
    let (copy_median, copy_p99) = percentiles(&mut times);
    let small_change = small_change(&mut reader, rect, frames, server_pid, copy_median)?;
    let memcpy_median = memcpy_reference(bytes, frames);
    let ffmpeg = (method == CaptureMethod::Shm)
        .then(|| ffmpeg_x11grab(&session.display, rect, frames, server_pid))
        .flatten()
        .map(|(runs, cpu, server)| Ffmpeg {
            cpu_us_per_frame: cpu,
            server_cpu_us_per_frame: server,
            runs,
            xrdisplay_vs_ffmpeg: server
                .zip(server_cpu)
                .map(|(s, ours)| (client_cpu + ours) / (cpu + s)),
        });
    let idle_copies = idle_copies(&session, rect)?;
    let render = match method {
        CaptureMethod::Dmabuf | CaptureMethod::Mmap => {
            Some(render_cost(&mut reader, rect, frames)?)
        }
        CaptureMethod::Auto | CaptureMethod::Shm => None,
    };
    let batches = damage_batches(&mut reader, rect, frames, server_pid)?;
    let report = Report {
        output: name,
        method,
        width: rect.width,
        height: rect.height,
        frames,
        bytes_per_frame: bytes,
        copy_median_us: copy_median,
        copy_p99_us: copy_p99,
        megabytes_per_second: bytes as f64 / copy_median,
        memcpy_median_us: memcpy_median,
        copy_vs_memcpy: copy_median / memcpy_median,
        client_cpu_us_per_frame: client_cpu,
        server_cpu_us_per_frame: server_cpu,
        ffmpeg_x11grab: ffmpeg,
        idle_copies,
        small_change,
        render,
        batches,
    };
    if args.json {
        return print_json(&report);
    }
    print_text(&report);
    Ok(())
}

fn print_text(r: &Report) {
    print_summary(r);
    for b in &r.batches {
        out!(
            "  damage batch  {} ({} rects, {} bytes): client CPU per frame  per rect {:.0} µs, read_into {:.0} µs  (per rect / read_into = {:.2})",
            b.batch,
            b.rects,
            b.bytes,
            b.per_rect.cpu_us_per_frame,
            b.read_into.cpu_us_per_frame,
            b.cpu_per_rect_vs_read_into
        );
        for (how, s) in [("per rect ", &b.per_rect), ("read_into", &b.read_into)] {
            out!(
                "    {how}  copies {:.2}, ioctls {:.1}, X reads {:.1}, frames allocated {:.1}, X server CPU {} per frame",
                s.copies_per_frame,
                s.ioctls_per_frame,
                s.x_reads_per_frame,
                s.frames_allocated_per_frame,
                s.server_cpu_us_per_frame
                    .map_or("-".to_string(), |v| format!("{v:.0} µs"))
            );
        }
    }
}

fn print_summary(r: &Report) {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0} µs"));
    out!(
        "{} {}x{} by {}, {} frames of {} bytes",
        r.output,
        r.width,
        r.height,
        r.method,
        r.frames,
        r.bytes_per_frame
    );
    out!(
        "  copy          median {:.0} µs, p99 {:.0} µs, {:.0} MB/s",
        r.copy_median_us,
        r.copy_p99_us,
        r.megabytes_per_second
    );
    out!(
        "  memcpy        median {:.0} µs  (copy / memcpy = {:.2})",
        r.memcpy_median_us,
        r.copy_vs_memcpy
    );
    out!(
        "  CPU per frame xrdisplay {:.0} µs + X server {}",
        r.client_cpu_us_per_frame,
        opt(r.server_cpu_us_per_frame)
    );
    match &r.ffmpeg_x11grab {
        Some(f) => out!(
            "  ffmpeg x11grab CPU per frame {:.0} µs + X server {}, marginal ({} minus {} frames)  (xrdisplay / ffmpeg = {})",
            f.cpu_us_per_frame,
            opt(f.server_cpu_us_per_frame),
            f.runs.1,
            f.runs.0,
            f.xrdisplay_vs_ffmpeg
                .map_or("-".into(), |v| format!("{v:.2}"))
        ),
        None if r.method == CaptureMethod::Shm => {
            out!("  ffmpeg x11grab: not measured (ffmpeg is not installed)")
        }
        None => {}
    }
    out!(
        "  idle desktop  {} copies in {} ms",
        r.idle_copies,
        IDLE_WINDOW.as_millis()
    );
    if let Some(c) = &r.small_change {
        out!(
            "  1 % changed   {}x{} read in {:.0} µs, CPU per frame {}  (whole output's read time / this = {})",
            c.width,
            c.height,
            c.copy_median_us,
            opt(c.cpu_us_per_frame),
            format!("{:.0}", c.full_vs_small)
        );
    }
    if let Some(render) = &r.render {
        out!("  render thread CPU per frame ({})", render.renderer);
        match (render.import_cpu_us_per_frame, &render.import_unavailable) {
            (Some(us), _) => out!(
                "    DMA-BUF import  {us:.0} µs  (copy + upload / import = {:.1})",
                render.copy_upload_cpu_us_per_frame / us
            ),
            (None, why) => out!(
                "    DMA-BUF import  not measured: {}",
                why.as_deref().unwrap_or("unavailable")
            ),
        }
        out!(
            "    copy + upload   {:.0} µs",
            render.copy_upload_cpu_us_per_frame
        );
    }
}

/// One measured series of reads of `rect`.
struct Series {
    times: Vec<Duration>,
    bytes: usize,
    /// CPU per frame, in microseconds: this process, and the X server when local.
    client_cpu: f64,
    server_cpu: Option<f64>,
}

fn measure(reader: &mut Reader, rect: Rect, frames: u32, server: Option<i32>) -> Result<Series> {
    reader.capture(rect)?; // warm-up: first touches of the mapping
    let cpu_before = self_cpu();
    let server_before = server.and_then(process_cpu);
    let mut times = Vec::with_capacity(frames as usize);
    let mut bytes = 0;
    for _ in 0..frames {
        let start = Instant::now();
        bytes = reader.capture(rect)?;
        times.push(start.elapsed());
    }
    Ok(Series {
        times,
        bytes,
        client_cpu: (self_cpu() - cpu_before) / f64::from(frames),
        server_cpu: server_before
            .zip(server.and_then(process_cpu))
            .map(|(before, after)| (after - before) / f64::from(frames)),
    })
}

/// The read of a centred tenth-by-tenth of `rect`; `None` when that is under a pixel.
fn small_change(
    reader: &mut Reader,
    rect: Rect,
    frames: u32,
    server: Option<i32>,
    full_median_us: f64,
) -> Result<Option<SmallChange>> {
    let (width, height) = (rect.width / 10, rect.height / 10);
    if width == 0 || height == 0 {
        return Ok(None);
    }
    let small = Rect::new(
        rect.x.saturating_add_unsigned((rect.width - width) / 2),
        rect.y.saturating_add_unsigned((rect.height - height) / 2),
        width,
        height,
    );
    let mut series = measure(reader, small, frames, server)?;
    let copy_median_us = percentiles(&mut series.times).0;
    Ok(Some(SmallChange {
        width,
        height,
        copy_median_us,
        cpu_us_per_frame: series.server_cpu.map(|s| s + series.client_cpu),
        full_vs_small: full_median_us / copy_median_us,
    }))
}

/// Damage batches as the capture loop reads them: 16 small rectangles scattered over
/// the output, 16 side by side (a line of text), and the whole output.
fn damage_batches(
    reader: &mut Reader,
    rect: Rect,
    frames: u32,
    server: Option<i32>,
) -> Result<Vec<BatchCost>> {
    let (cell_w, cell_h) = (rect.width / 4, rect.height / 4);
    let (w, h) = ((cell_w / 8).max(1), (cell_h / 8).max(1));
    let scattered: Vec<Rect> = (0..16u32)
        .map(|i| {
            let x = (i % 4) * cell_w + (cell_w - w) / 2;
            let y = (i / 4) * cell_h + (cell_h - h) / 2;
            Rect::new(x as i32, y as i32, w, h)
        })
        .collect();
    let row_w = (rect.width / 16).max(1);
    let in_a_row: Vec<Rect> = (0..16u32)
        .map(|i| Rect::new((i * row_w) as i32, 0, row_w, h))
        .filter(|r| r.fits((rect.width, rect.height)))
        .collect();
    let mut frame = reader.grab(rect)?;
    [
        (format!("16 scattered {w}x{h}"), scattered),
        (format!("16 in a row {row_w}x{h}"), in_a_row),
        ("whole output".to_string(), vec![rect.at(0, 0)]),
    ]
    .into_iter()
    .map(|(batch, rects)| {
        let bytes = rects.iter().map(Rect::area).sum::<u64>() as usize
            * frame.format.bytes_per_pixel as usize;
        let per_rect = batch_series(frames, bytes, server, || {
            for r in &rects {
                let part = reader.grab(Rect {
                    x: rect.x + r.x,
                    y: rect.y + r.y,
                    ..*r
                })?;
                frame.copy_rects(&part.data, part.layout(), (-r.x, -r.y), &[*r])?;
            }
            Ok(())
        })?;
        let read_into = batch_series(frames, bytes, server, || {
            Ok(reader.read_into(&mut frame, &rects)?)
        })?;
        Ok(BatchCost {
            batch,
            rects: rects.len(),
            bytes,
            cpu_per_rect_vs_read_into: per_rect.cpu_us_per_frame / read_into.cpu_us_per_frame,
            per_rect,
            read_into,
        })
    })
    .collect()
}

/// Reads one batch `frames` times (after one warm-up read) and divides the counts.
fn batch_series(
    frames: u32,
    bytes: usize,
    server: Option<i32>,
    mut read: impl FnMut() -> Result<()>,
) -> Result<BatchSeries> {
    read()?;
    let counts = counters::now();
    let cpu_before = self_cpu();
    let server_before = server.and_then(process_cpu);
    for _ in 0..frames {
        read()?;
    }
    let cpu = self_cpu() - cpu_before;
    let counted = counters::now().since(counts);
    let per_frame = |n: u64| n as f64 / f64::from(frames);
    Ok(BatchSeries {
        cpu_us_per_frame: cpu / f64::from(frames),
        server_cpu_us_per_frame: server_before
            .zip(server.and_then(process_cpu))
            .map(|(before, after)| (after - before) / f64::from(frames)),
        copies_per_frame: per_frame(counted.bytes_copied) / bytes.max(1) as f64,
        ioctls_per_frame: per_frame(counted.ioctls),
        x_reads_per_frame: per_frame(counted.x_requests),
        frames_allocated_per_frame: per_frame(counted.frames_allocated),
    })
}

/// Median and 99th percentile, in microseconds.
fn percentiles(times: &mut [Duration]) -> (f64, f64) {
    times.sort();
    let at = |q: f64| {
        let i = ((times.len() - 1) as f64 * q).round() as usize;
        times[i].as_secs_f64() * 1e6
    };
    (at(0.5), at(0.99))
}

/// The median time of copying `bytes` with a plain memcpy, in microseconds.
fn memcpy_reference(bytes: usize, frames: u32) -> f64 {
    let src: Vec<u8> = (0..bytes).map(|i| i as u8).collect();
    let mut dst = vec![0u8; bytes];
    dst.copy_from_slice(&src);
    let mut times: Vec<Duration> = (0..frames)
        .map(|_| {
            let start = Instant::now();
            dst.copy_from_slice(std::hint::black_box(&src));
            std::hint::black_box(&mut dst);
            start.elapsed()
        })
        .collect();
    percentiles(&mut times).0
}

/// This process's user + system CPU time, in microseconds.
fn self_cpu() -> f64 {
    cpu_of(UsageWho::RUSAGE_SELF)
}

fn cpu_of(who: UsageWho) -> f64 {
    getrusage(who).map_or(0.0, |u| {
        let us = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 * 1e6 + t.tv_usec() as f64;
        us(u.user_time()) + us(u.system_time())
    })
}

/// The X server's process, when it is local: the peer of our Unix socket.
fn server_pid(session: &Session) -> Option<i32> {
    let creds = getsockopt(&session.conn.stream().as_fd(), PeerCredentials).ok()?;
    Some(creds.pid()).filter(|&p| p > 0)
}

/// A process's user + system CPU time from /proc, in microseconds.
fn process_cpu(pid: i32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK).ok()??;
    Some(ticks * 1e6 / hz as f64)
}

/// ffmpeg's x11grab of the same region: its marginal CPU per frame and the X server's
/// during it, in microseconds, from runs of `frames` frames and of a seventh as many;
/// `None` when ffmpeg is not installed or fails.
fn ffmpeg_x11grab(
    display: &str,
    rect: Rect,
    frames: u32,
    server: Option<i32>,
) -> Option<((u32, u32), f64, Option<f64>)> {
    let short = (frames / 7).max(1);
    let long = frames.max(short + 1);
    let (short_cpu, short_server) = ffmpeg_least(display, rect, short, server)?;
    let (long_cpu, long_server) = ffmpeg_least(display, rect, long, server)?;
    let per_frame = |a: f64, b: f64| (a - b) / f64::from(long - short);
    Some((
        (short, long),
        per_frame(long_cpu, short_cpu),
        long_server.zip(short_server).map(|(l, s)| per_frame(l, s)),
    ))
}

/// The least CPU of three runs of `frames` frames, for ffmpeg and for the X server:
/// start-up varies by tens of milliseconds from run to run, more than the frames in a
/// short run cost, and the least is the run the rest of the machine disturbed least.
fn ffmpeg_least(
    display: &str,
    rect: Rect,
    frames: u32,
    server: Option<i32>,
) -> Option<(f64, Option<f64>)> {
    let runs = (0..3)
        .map(|_| ffmpeg_run(display, rect, frames, server))
        .collect::<Option<Vec<_>>>()?;
    let least = |values: Vec<f64>| values.into_iter().reduce(f64::min);
    Some((
        least(runs.iter().map(|r| r.0).collect())?,
        runs.iter()
            .map(|r| r.1)
            .collect::<Option<Vec<_>>>()
            .and_then(least),
    ))
}

/// One ffmpeg x11grab run of `frames` frames: its whole CPU and the X server's during
/// it, in microseconds.
fn ffmpeg_run(
    display: &str,
    rect: Rect,
    frames: u32,
    server: Option<i32>,
) -> Option<(f64, Option<f64>)> {
    let children_before = cpu_of(UsageWho::RUSAGE_CHILDREN);
    let server_before = server.and_then(process_cpu);
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "x11grab",
            "-draw_mouse",
            "0",
            "-framerate",
            "1000",
        ])
        .args(["-video_size", &format!("{}x{}", rect.width, rect.height)])
        .args(["-i", &format!("{display}+{},{}", rect.x, rect.y)])
        .args(["-frames:v", &frames.to_string(), "-f", "null", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    Some((
        cpu_of(UsageWho::RUSAGE_CHILDREN) - children_before,
        server_before
            .zip(server.and_then(process_cpu))
            .map(|(b, a)| a - b),
    ))
}

/// What showing a frame costs the render thread, by import and by copy and upload.
fn render_cost(reader: &mut Reader, rect: Rect, frames: u32) -> Result<RenderCost> {
    let size = (rect.width, rect.height);
    let mut renderer =
        Renderer::new(Target::Offscreen(size), reader.device_path()).map_err(from_capture)?;
    let view = [(Placement::flat(size, size), rect.at(0, 0))];
    let per_frame = |mut frame: Box<dyn FnMut() -> Result<()> + '_>| -> Result<f64> {
        frame()?; // warm-up: the first import or upload allocates
        let start = thread_cpu();
        for _ in 0..frames {
            frame()?;
        }
        Ok((thread_cpu() - start).as_secs_f64() * 1e6 / f64::from(frames))
    };
    let exported = reader.export()?.map(|b| (b.fourcc, b.modifier));
    let importable = match exported {
        Some((fourcc, modifier)) => renderer.can_import_dmabuf(fourcc, modifier),
        None => Err("no DMA-BUF export".into()),
    };
    let import = match importable {
        Ok(()) => Ok(per_frame(Box::new(|| {
            let buffer = reader
                .export()?
                .ok_or_else(|| Error::runtime("no export"))?;
            renderer
                .set_source_dmabuf(0, buffer, rect)
                .map_err(from_capture)?;
            renderer.draw(&view).map_err(from_capture)
        }))?),
        Err(why) => Err(why),
    };
    let copy_upload = per_frame(Box::new(|| {
        let frame = reader.grab(rect)?;
        renderer
            .upload(0, &frame.data, frame.layout(), &[])
            .map_err(from_capture)?;
        renderer.draw(&view).map_err(from_capture)
    }))?;
    Ok(RenderCost {
        renderer: renderer.describe(),
        import_cpu_us_per_frame: import.as_ref().ok().copied(),
        import_unavailable: import.err(),
        copy_upload_cpu_us_per_frame: copy_upload,
    })
}

/// Copies a damage-driven reader of `rect` makes while nothing is drawn.
fn idle_copies(session: &Session, rect: Rect) -> Result<u32> {
    let mut watch = DamageWatch::connect(Some(&session.display)).map_err(from_capture)?;
    // The first take reports everything; let it and any drawing in flight drain.
    while !watch
        .wait(rect, Duration::from_millis(50))
        .map_err(from_capture)?
        .is_empty()
    {}
    let deadline = Instant::now() + IDLE_WINDOW;
    let mut copies = 0;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if !watch.wait(rect, left).map_err(from_capture)?.is_empty() {
            copies += 1;
        }
    }
    Ok(copies)
}
