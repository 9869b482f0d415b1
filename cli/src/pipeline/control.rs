//! The running loop's control socket: `status`, `disable` and the view commands talk
//! to it with one JSON line each way.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::stats::Stats;
use super::transform::ViewStatus;
use crate::exit::{Error, Kind, Result};

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
}

/// How long a view command waits for the render thread to apply it before the reply
/// goes out without the new state (a stalled or finishing loop).
const VIEW_APPLY_WAIT: Duration = Duration::from_secs(1);

/// A zoom step or an absolute zoom factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zoom {
    In,
    Out,
    Set(f32),
}

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
    /// View commands not yet applied by the render thread.
    view_requests: Mutex<ViewQueue>,
    /// Signalled when the render thread applied view commands.
    view_applied: Condvar,
}

/// View commands in flight, counted so that each client can wait for its own.
#[derive(Default)]
struct ViewQueue {
    pending: Vec<Request>,
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

    pub fn take_view_requests(&self) -> Vec<Request> {
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
    fn queue_view(&self, request: Request) -> bool {
        let mut queue = self.view_requests.lock().unwrap_or_else(|e| e.into_inner());
        queue.pending.push(request);
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
                let applied = self.queue_view(view);
                Reply {
                    ok: true,
                    error: None,
                    status: applied.then(|| self.status()),
                }
            }
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
}

/// The listening socket; removed again when dropped.
pub struct Server {
    listener: UnixListener,
    path: PathBuf,
}

impl Server {
    /// Binds `path`, replacing a stale socket; refuses when a loop answers there.
    pub fn bind(path: &Path) -> Result<Server> {
        if UnixStream::connect(path).is_ok() {
            return Err(Error::usage(format!(
                "a loop for this output is already running (socket {}); stop it with \
                 `xrdisplay disable` or use `xrdisplay status`",
                path.display()
            )));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::runtime(format!("cannot create {}: {e}", dir.display())))?;
        }
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path)
            .map_err(|e| Error::runtime(format!("cannot listen on {}: {e}", path.display())))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::runtime(format!("socket: {e}")))?;
        Ok(Server {
            listener,
            path: path.to_path_buf(),
        })
    }

    /// Answers clients until `shared.stop` is set.
    pub fn serve(&self, shared: &Shared) {
        while !shared.stop.load(Ordering::Relaxed) {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    let _ = answer_one(stream, shared);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn answer_one(stream: UnixStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(1)))?;
    let mut line = String::new();
    BufReader::new((&stream).take(4096)).read_line(&mut line)?;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(request) => shared.answer(request),
        Err(e) => Reply {
            ok: false,
            error: Some(format!("bad request: {e}")),
            status: None,
        },
    };
    let mut text = serde_json::to_string(&reply).unwrap_or_default();
    text.push('\n');
    (&stream).write_all(text.as_bytes())
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
            assert_eq!(shared.take_view_requests(), vec![Request::Recenter]);
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
}
