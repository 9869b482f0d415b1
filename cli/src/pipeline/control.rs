//! The running loop's control socket: `status`, `disable` and the view commands talk
//! to it with one JSON line each way.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use nix::unistd::geteuid;
use serde::{Deserialize, Serialize};

use xrdisplay_capture::view::driver::{self, Control};
use xrdisplay_model::Zoom;

use super::stats::Stats;
use super::transform::ViewStatus;
use crate::exit::{Error, Kind, Result};
use crate::pidlock::{PidLock, Refused};

/// What a client asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case")]
pub enum Request {
    Status,
    Stop,
    Recenter,
    /// Follow mode on or off; without `on`, toggled. `beyond` sets the threshold
    /// in degrees.
    Follow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        beyond: Option<f32>,
    },
    /// A curved screen (on) or a flat one; without `on`, toggled.
    Curved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<bool>,
    },
    Zoom {
        zoom: Zoom,
    },
    /// Hold the screen while the head is still (on) or not; without `on`, toggled.
    Steady {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<bool>,
    },
}

/// How long a view command waits for the render thread to apply it before the reply
/// goes out without the new state (a stalled or finishing loop).
const VIEW_APPLY_WAIT: Duration = Duration::from_secs(1);
/// A client has this long to send its whole request line; then it is dropped.
const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
/// How long a reply may wait for a client that does not read it.
const REPLY_TIMEOUT: Duration = Duration::from_secs(1);
/// How often a client's thread looks whether the loop is stopping.
const STOP_POLL: Duration = Duration::from_millis(100);
/// The longest request line read.
const MAX_REQUEST: usize = 4096;
/// Clients served at once; more are closed at once.
const MAX_CLIENTS: usize = 16;

/// What the loop is doing, for `status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoopStatus {
    pub pid: u32,
    /// The anchor: the output straight ahead at the recentred pose.
    pub output: String,
    pub method: String,
    /// Why this method and not a better one, when `auto` fell back.
    pub method_note: Option<String>,
    pub source: String,
    /// More outputs shown beside the anchor, as the RandR layout places them.
    #[serde(default)]
    pub also: Vec<AlsoShown>,
    pub present: String,
    pub renderer: String,
    /// The head-tracking state in words: off, ok, or why the pose is not used.
    pub tracking: String,
    /// The view settings and the tracking state, for scripts and the view commands.
    pub view: ViewStatus,
    pub stats: Option<super::stats::Report>,
}

/// An output shown beside the anchor, and which pixels are read for it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AlsoShown {
    pub output: String,
    pub source: String,
}

impl LoopStatus {
    /// Sets the source of the loop's `index`th output (0: the anchor).
    pub fn set_source(&mut self, index: usize, source: String) {
        match index.checked_sub(1) {
            None => self.source = source,
            Some(i) => {
                if let Some(also) = self.also.get_mut(i) {
                    also.source = source;
                }
            }
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    pub ok: bool,
    pub error: Option<String>,
    pub status: Option<LoopStatus>,
}

/// State shared by the loop's threads and the control socket.
#[derive(Default)]
pub struct Shared {
    pub stop: AtomicBool,
    pub status: Mutex<LoopStatus>,
    pub stats: Stats,
    /// The XR driver's directory (its pose, state and control files), when poses
    /// come from its file: recentring is then forwarded to it.
    pub driver_dir: OnceLock<PathBuf>,
    /// View commands not yet applied by the render thread.
    view_requests: Mutex<ViewQueue>,
    /// Signalled when the render thread applied view commands.
    view_applied: Condvar,
}

/// A view command for the render thread.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewCommand {
    /// Follow, curved, zoom or steady, as the client sent it.
    Request(Request),
    Recenter(Recentred),
}

/// How a recenter was carried out (decided and written by the client's thread, so
/// that the driver's file never stalls the render thread).
#[derive(Debug, Clone, PartialEq)]
pub enum Recentred {
    /// The XR driver was told to: its poses restart from its new zero.
    ByDriver,
    /// Here, in the loop; with why not by the driver when its files are there but
    /// were refused.
    Here { driver_refused: Option<String> },
}

/// View commands in flight, counted so that each client can wait for its own.
#[derive(Default)]
struct ViewQueue {
    pending: Vec<ViewCommand>,
    queued: u64,
    applied: u64,
}

impl Shared {
    pub fn status(&self) -> LoopStatus {
        let mut status = self
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        status.stats = Some(self.stats.last());
        status
    }

    pub fn set_status(&self, update: impl FnOnce(&mut LoopStatus)) {
        update(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }

    pub fn take_view_requests(&self) -> Vec<ViewCommand> {
        std::mem::take(
            &mut self
                .view_requests
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pending,
        )
    }

    /// The render thread applied `count` of the requests it took (and published the
    /// new state).
    pub fn view_requests_applied(&self, count: usize) {
        self.view_requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .applied += count as u64;
        self.view_applied.notify_all();
    }

    /// Queues a view command for the render thread; true once it has been applied,
    /// false when that took longer than [`VIEW_APPLY_WAIT`].
    fn queue_view(&self, command: ViewCommand) -> bool {
        let mut queue = self.view_requests.lock().unwrap_or_else(|e| e.into_inner());
        queue.pending.push(command);
        queue.queued += 1;
        let ticket = queue.queued;
        let (queue, _) = self
            .view_applied
            .wait_timeout_while(queue, VIEW_APPLY_WAIT, |q| q.applied < ticket)
            .unwrap_or_else(|e| e.into_inner());
        queue.applied >= ticket
    }

    fn answer(&self, request: Request) -> Reply {
        match request {
            Request::Status => Reply {
                ok: true,
                error: None,
                status: Some(self.status()),
            },
            Request::Stop => {
                self.stop.store(true, Ordering::Relaxed);
                Reply::ok()
            }
            view => {
                let command = match view {
                    Request::Recenter => ViewCommand::Recenter(self.recenter_in_driver()),
                    other => ViewCommand::Request(other),
                };
                let applied = self.queue_view(command);
                Reply {
                    ok: true,
                    error: None,
                    status: applied.then(|| self.status()),
                }
            }
        }
    }
}

impl Shared {
    /// Tells the XR driver to recentre when its state file says it runs; how it went.
    fn recenter_in_driver(&self) -> Recentred {
        let Some(dir) = self.driver_dir.get() else {
            return Recentred::Here {
                driver_refused: None,
            };
        };
        let state = dir.join(driver::STATE_FILE);
        if std::fs::symlink_metadata(&state).is_err() {
            return Recentred::Here {
                driver_refused: None,
            };
        }
        match driver::DriverState::read(&state)
            .and_then(|_| driver::send(&dir.join(driver::CONTROL_FILE), &[Control::Recenter]))
        {
            Ok(()) => Recentred::ByDriver,
            Err(e) => Recentred::Here {
                driver_refused: Some(e.to_string()),
            },
        }
    }
}

impl Reply {
    fn ok() -> Reply {
        Reply {
            ok: true,
            error: None,
            status: None,
        }
    }

    fn refused(error: String) -> Reply {
        Reply {
            ok: false,
            error: Some(error),
            status: None,
        }
    }
}

/// The listening socket, bound while holding an exclusive lock on the file beside it
/// (`….sock.lock`, never removed): only the holder removes a stale socket, binds, and
/// removes the socket again when dropped.
pub struct Server {
    listener: UnixListener,
    path: PathBuf,
    /// Released after the socket is removed (fields drop after `drop`).
    _lock: PidLock,
}

impl Server {
    /// Binds `path`; refuses when another loop holds its lock.
    pub fn bind(path: &Path) -> Result<Server> {
        // The lock sits beside the socket: taking it makes the directory (0700).
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock = match PidLock::acquire(Path::new(&lock_path)) {
            Ok(lock) => lock,
            Err(Refused::Held(pid)) => {
                let by = pid.map_or(String::new(), |pid| format!("pid {pid}, "));
                return Err(Error::usage(format!(
                    "a loop for this output is already running ({by}socket {}); stop it \
                     with `xrdisplay disable` or use `xrdisplay status`",
                    path.display()
                )));
            }
            Err(Refused::Failed(e)) => return Err(e),
        };
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path)
            .map_err(|e| Error::runtime(format!("cannot listen on {}: {e}", path.display())))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::runtime(format!("socket: {e}")))?;
        Ok(Server {
            listener,
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// Answers clients, each in its own thread, until `shared.stop` is set; returns
    /// once every client thread has ended (within [`STOP_POLL`] of the stop, or the
    /// reply's timeouts).
    pub fn serve(&self, shared: &Shared) {
        let active = &AtomicUsize::new(0);
        std::thread::scope(|scope| {
            while !shared.stop.load(Ordering::Relaxed) {
                match self.listener.accept() {
                    Ok((stream, _)) => {
                        if active.fetch_add(1, Ordering::Relaxed) >= MAX_CLIENTS {
                            active.fetch_sub(1, Ordering::Relaxed);
                            continue;
                        }
                        scope.spawn(move || {
                            let _ = answer_one(stream, shared);
                            active.fetch_sub(1, Ordering::Relaxed);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Serves one client: only the loop's own uid, one request line within
/// [`REQUEST_DEADLINE`] of connecting.
fn answer_one(stream: UnixStream, shared: &Shared) -> std::io::Result<()> {
    let peer = getsockopt(&stream, PeerCredentials)?.uid();
    let me = geteuid().as_raw();
    let reply = if peer == me {
        let line = read_request(&stream, Instant::now() + REQUEST_DEADLINE, &shared.stop)?;
        match serde_json::from_slice::<Request>(&line) {
            Ok(request) => shared.answer(request),
            Err(e) => Reply::refused(format!("bad request: {e}")),
        }
    } else {
        Reply::refused(format!("this loop serves uid {me} only, not uid {peer}"))
    };
    let mut text = serde_json::to_string(&reply).unwrap_or_default();
    text.push('\n');
    stream.set_read_timeout(None)?;
    stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
    (&stream).write_all(text.as_bytes())
}

/// The request line (up to the newline or the end), read by `deadline` at the
/// latest however the bytes trickle in; given up when the loop stops.
fn read_request(
    stream: &UnixStream,
    deadline: Instant,
    stop: &AtomicBool,
) -> std::io::Result<Vec<u8>> {
    // Accepted sockets do not inherit the listener's non-blocking mode.
    stream.set_nonblocking(false)?;
    let mut line = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        if let Some(end) = line.iter().position(|&b| b == b'\n') {
            line.truncate(end);
            return Ok(line);
        }
        if line.len() > MAX_REQUEST {
            return Err(std::io::Error::new(
                ErrorKind::InvalidData,
                "request too long",
            ));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stop.load(Ordering::Relaxed) {
            return Err(ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left.min(STOP_POLL)))?;
        match (&*stream).read(&mut chunk) {
            Ok(0) => return Ok(line),
            Ok(n) => line.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Sends one request to the loop at `path` and returns its reply.
pub fn request(path: &Path, request: &Request) -> Result<Reply> {
    let talk = || -> std::io::Result<Reply> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut text = serde_json::to_string(request).map_err(std::io::Error::other)?;
        text.push('\n');
        (&stream).write_all(text.as_bytes())?;
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line)?;
        serde_json::from_str(&line).map_err(std::io::Error::other)
    };
    talk().map_err(|e| {
        Error::new(
            Kind::NoLoop,
            format!(
                "no capture loop answers on {}: {e} (start one with `xrdisplay enable` or \
             `xrdisplay run`)",
                path.display()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_one_json_object_each() {
        let r: Request = serde_json::from_str(r#"{"cmd":"zoom","zoom":{"set":1.5}}"#).unwrap();
        assert_eq!(
            r,
            Request::Zoom {
                zoom: Zoom::Set(1.5)
            }
        );
        let r: Request = serde_json::from_str(r#"{"cmd":"follow","on":false}"#).unwrap();
        assert_eq!(
            r,
            Request::Follow {
                on: Some(false),
                beyond: None
            }
        );
        let toggle = serde_json::to_string(&Request::Follow {
            on: None,
            beyond: None,
        })
        .unwrap();
        assert_eq!(toggle, r#"{"cmd":"follow"}"#);
        let r: Request = serde_json::from_str(r#"{"cmd":"curved","on":true}"#).unwrap();
        assert_eq!(r, Request::Curved { on: Some(true) });
        let r: Request = serde_json::from_str(r#"{"cmd":"steady"}"#).unwrap();
        assert_eq!(r, Request::Steady { on: None });
        assert!(serde_json::from_str::<Request>(r#"{"cmd":"format-disk"}"#).is_err());
    }

    #[test]
    fn a_client_gets_the_status_and_a_stop_stops_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loop.sock");
        let server = Server::bind(&path).unwrap();
        let shared = Shared::default();
        shared.set_status(|s| s.method = "mmap".into());
        /// Stops the server threads also when an assertion fails, so the scope ends.
        struct StopOnDrop<'a>(&'a Shared);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.stop.store(true, Ordering::Relaxed);
            }
        }
        std::thread::scope(|scope| {
            let _stop = StopOnDrop(&shared);
            scope.spawn(|| server.serve(&shared));
            let reply = request(&path, &Request::Status).unwrap();
            assert_eq!(reply.status.unwrap().method, "mmap");
            assert!(Server::bind(&path).is_err(), "a second loop is refused");
            // Nothing applies it: the reply comes without a state.
            let reply = request(&path, &Request::Recenter).unwrap();
            assert!(reply.ok && reply.status.is_none());
            assert_eq!(
                shared.take_view_requests(),
                vec![ViewCommand::Recenter(Recentred::Here {
                    driver_refused: None
                })]
            );
            shared.view_requests_applied(1);
            // A render thread applying it: the reply carries the state it published.
            scope.spawn(|| {
                while !shared.stop.load(Ordering::Relaxed) {
                    let taken = shared.take_view_requests();
                    if !taken.is_empty() {
                        shared.set_status(|s| s.view.zoom = 2.0);
                        shared.view_requests_applied(taken.len());
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            });
            let zoom = Request::Zoom { zoom: Zoom::In };
            let reply = request(&path, &zoom).unwrap();
            assert_eq!(reply.status.unwrap().view.zoom, 2.0);
            request(&path, &Request::Stop).unwrap();
        });
    }

    #[test]
    fn of_two_loops_binding_at_once_one_wins_and_keeps_its_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loop.sock");
        for round in 0..100 {
            let barrier = std::sync::Barrier::new(2);
            let bind = || {
                barrier.wait();
                Server::bind(&path)
            };
            let results = std::thread::scope(|scope| {
                let first = scope.spawn(bind);
                let second = scope.spawn(bind);
                [first.join(), second.join()].map(|r| r.ok().and_then(|r| r.ok()))
            });
            let mut won: Vec<Server> = results.into_iter().flatten().collect();
            assert_eq!(won.len(), 1, "round {round}: both loops bound the socket");
            let winner = won.remove(0);
            // The socket at the path is the winner's own.
            let _client = UnixStream::connect(&path).unwrap();
            std::thread::sleep(Duration::from_millis(1));
            assert!(winner.listener.accept().is_ok(), "round {round}");
            drop(winner);
            assert!(
                !path.exists(),
                "round {round}: the socket outlived its loop"
            );
        }
    }

    #[test]
    fn a_second_loop_is_told_which_pid_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loop.sock");
        let _first = Server::bind(&path).unwrap();
        let Err(e) = Server::bind(&path) else {
            panic!("a second loop bound the socket");
        };
        let said = e.to_string();
        assert!(
            said.contains(&format!("already running (pid {}", std::process::id())),
            "{said}"
        );
        assert!(UnixStream::connect(&path).is_ok());
    }
}
