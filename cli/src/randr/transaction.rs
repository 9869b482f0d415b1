//! Applying a plan as a transaction: snapshot, send, verify, and restore the snapshot
//! if any step fails or the result is not what was planned.

use std::collections::BTreeMap;

use x11rb::protocol::randr::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{AtomEnum, PropMode};

use crate::exit::{Error, Kind, Result};
use crate::randr::events::OUTPUT_TIMEOUT;
use crate::randr::ops::{CrtcConfig, CrtcRef, ModeRef, Op};
use crate::randr::state::{atom, Crtc, Monitor, ScreenState};
use crate::randr::{Arrangement, Session};

/// The name of the patched driver's control output.
pub const XR_MANAGER: &str = "XR-Manager";

/// A planned change: the requests, and what the screen must look like afterwards.
#[derive(Debug, Clone)]
pub struct Plan {
    pub ops: Vec<Op>,
    pub expect: Arrangement,
    /// The output whose mode must have this refresh rate (Hz) afterwards.
    pub expect_refresh: Option<(String, f64)>,
}

/// Failure injection for the transaction tests, read from the environment, built only
/// with the `test-hooks` feature:
/// `XRDISPLAY_TEST_FAIL_AFTER=N` fails the request after the first N;
/// `XRDISPLAY_TEST_PAUSE_AFTER=N` waits for a line on stdin after N requests.
#[cfg(feature = "test-hooks")]
#[derive(Debug, Default)]
struct TestHooks {
    fail_after: Option<usize>,
    pause_after: Option<usize>,
}

#[cfg(feature = "test-hooks")]
impl TestHooks {
    fn from_env() -> TestHooks {
        let read = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
        TestHooks {
            fail_after: read("XRDISPLAY_TEST_FAIL_AFTER"),
            pause_after: read("XRDISPLAY_TEST_PAUSE_AFTER"),
        }
    }

    fn before(&self, sent: usize) -> Result<()> {
        use std::io::BufRead as _;
        if self.pause_after == Some(sent) {
            eprintln!("xrdisplay: paused after {sent} requests (XRDISPLAY_TEST_PAUSE_AFTER)");
            let _ = std::io::stdin().lock().read_line(&mut String::new());
        }
        if self.fail_after == Some(sent) {
            return Err(Error::runtime(format!(
                "injected failure after {sent} requests (XRDISPLAY_TEST_FAIL_AFTER)"
            )));
        }
        Ok(())
    }
}

#[cfg(not(feature = "test-hooks"))]
struct TestHooks;

#[cfg(not(feature = "test-hooks"))]
impl TestHooks {
    fn from_env() -> TestHooks {
        TestHooks
    }

    fn before(&self, _sent: usize) -> Result<()> {
        Ok(())
    }
}

/// Stops a transaction between two requests once SIGINT, SIGTERM or SIGHUP came, so
/// that it is rolled back rather than left half-applied.
fn not_interrupted() -> Result<()> {
    match crate::interrupt::caught() {
        Some(signal) => Err(Error::runtime(format!("interrupted by {signal}"))),
        None => Ok(()),
    }
}

/// Applies `plan`; on failure restores the layout read just before and says so.
pub fn apply(session: &Session, plan: &Plan) -> Result<()> {
    let snapshot = session.read()?;
    let mut tx = Transaction {
        session,
        state: snapshot.clone(),
        created_modes: BTreeMap::new(),
    };
    let hooks = TestHooks::from_env();
    let result = plan
        .ops
        .iter()
        .enumerate()
        .try_for_each(|(sent, op)| {
            hooks.before(sent)?;
            not_interrupted()?;
            tx.execute(op)
                .map_err(|e| Error::new(e.kind, format!("{op}: {e}")))
        })
        .and_then(|()| tx.verify(plan));
    let Err(error) = result else {
        return Ok(());
    };
    if error.kind == Kind::Server {
        return Err(error);
    }
    match tx.restore(&snapshot) {
        Ok(()) => Err(Error::new(
            error.kind,
            format!("{error}; the previous layout was restored"),
        )),
        Err(restore) => Err(Error::new(
            if restore.kind == Kind::Server {
                Kind::Server
            } else {
                Kind::RestoreFailed
            },
            format!("{error}; restoring the previous layout failed too: {restore}"),
        )),
    }
}

struct Transaction<'a> {
    session: &'a Session,
    /// The server's state as of the last request that changes outputs.
    state: ScreenState,
    /// Modes this transaction created, by name.
    created_modes: BTreeMap<String, u32>,
}

impl Transaction<'_> {
    fn execute(&mut self, op: &Op) -> Result<()> {
        let conn = &self.session.conn;
        let root = self.session.root;
        match op {
            Op::CreateXrOutput { name, value } => {
                self.xr_manager_request("CREATE_XR_OUTPUT", value)?;
                self.wait_for_output(name, true)?;
            }
            Op::DeleteXrOutput { name } => {
                self.xr_manager_request("DELETE_XR_OUTPUT", name)?;
                self.wait_for_output(name, false)?;
            }
            Op::CreateMode { name, timings } => {
                let info = randr::ModeInfo {
                    id: 0,
                    width: to_u16(timings.hdisplay)?,
                    height: to_u16(timings.vdisplay)?,
                    dot_clock: timings.clock_khz * 1000,
                    hsync_start: to_u16(timings.hsync_start)?,
                    hsync_end: to_u16(timings.hsync_end)?,
                    htotal: to_u16(timings.htotal)?,
                    hskew: 0,
                    vsync_start: to_u16(timings.vsync_start)?,
                    vsync_end: to_u16(timings.vsync_end)?,
                    vtotal: to_u16(timings.vtotal)?,
                    name_len: u16::try_from(name.len())
                        .map_err(|_| Error::usage(format!("mode name {name:?} is too long")))?,
                    mode_flags: randr::ModeFlag::HSYNC_POSITIVE | randr::ModeFlag::VSYNC_NEGATIVE,
                };
                let id = conn
                    .randr_create_mode(root, info, name.as_bytes())?
                    .reply()?
                    .mode;
                self.created_modes.insert(name.clone(), id);
            }
            Op::AddOutputMode { output, mode } => {
                conn.randr_add_output_mode(self.output_id(output)?, self.mode_id(mode)?)?
                    .check()?;
            }
            Op::DeleteOutputMode { output, mode } => {
                conn.randr_delete_output_mode(self.output_id(output)?, self.mode_id(mode)?)?
                    .check()?;
            }
            Op::DestroyMode { mode } => {
                conn.randr_destroy_mode(self.mode_id(mode)?)?.check()?;
            }
            Op::SetScreenSize { width, height, mm } => {
                conn.randr_set_screen_size(root, to_u16(*width)?, to_u16(*height)?, mm.0, mm.1)?
                    .check()?;
            }
            Op::SetCrtc { crtc, config } => {
                let crtc = self.crtc_id(crtc)?;
                match config {
                    None => self.set_crtc(crtc, 0, 0, 0, 1, &[])?,
                    Some(c) => self.set_crtc_config(crtc, c)?,
                }
            }
            Op::SetPrimary { output } => {
                let id = output.as_deref().map(|o| self.output_id(o)).transpose()?;
                conn.randr_set_output_primary(root, id.unwrap_or(0))?
                    .check()?;
            }
            Op::SetMonitor {
                name,
                rect,
                mm,
                primary,
                outputs,
            } => {
                let outputs = outputs
                    .iter()
                    .map(|o| self.output_id(o))
                    .collect::<Result<Vec<_>>>()?;
                let monitor = Monitor {
                    name: name.clone(),
                    primary: *primary,
                    automatic: false,
                    rect: *rect,
                    mm: *mm,
                    outputs,
                };
                set_monitor(self.session, &monitor)?;
            }
            Op::DeleteMonitor { name } => {
                conn.randr_delete_monitor(root, atom(conn, name)?)?
                    .check()?;
            }
        }
        Ok(())
    }

    fn set_crtc_config(&mut self, crtc: u32, c: &CrtcConfig) -> Result<()> {
        let outputs = c
            .outputs
            .iter()
            .map(|o| self.output_id(o))
            .collect::<Result<Vec<_>>>()?;
        let mode = self.mode_id(&c.mode)?;
        self.set_crtc(crtc, to_i16(c.x)?, to_i16(c.y)?, mode, c.rotation, &outputs)
    }

    /// `RRSetCrtcConfig`, retried once with fresh timestamps if the layout changed under us.
    fn set_crtc(
        &mut self,
        crtc: u32,
        x: i16,
        y: i16,
        mode: u32,
        rotation: u16,
        outputs: &[u32],
    ) -> Result<()> {
        for attempt in 0..2 {
            let status = self
                .session
                .conn
                .randr_set_crtc_config(
                    crtc,
                    x11rb::CURRENT_TIME,
                    self.state.config_timestamp,
                    x,
                    y,
                    mode,
                    randr::Rotation::from(rotation),
                    outputs,
                )?
                .reply()?
                .status;
            match status {
                randr::SetConfig::SUCCESS => return Ok(()),
                randr::SetConfig::INVALID_CONFIG_TIME if attempt == 0 => {
                    self.state = self.session.read()?;
                }
                other => {
                    return Err(Error::runtime(format!("the X server answered {other:?}")));
                }
            }
        }
        Err(Error::runtime("the X server's configuration kept changing"))
    }

    fn xr_manager_request(&mut self, property: &str, value: &str) -> Result<()> {
        let manager = self.output_id(XR_MANAGER).map_err(|_| {
            Error::unsupported("the X server has no XR-Manager output (the patched modesetting driver is not running)")
        })?;
        let conn = &self.session.conn;
        self.session.watch_layout()?;
        let property = atom(conn, property)?;
        conn.randr_change_output_property(
            manager,
            property,
            u32::from(AtomEnum::STRING),
            8,
            PropMode::REPLACE,
            u32::try_from(value.len())
                .map_err(|_| Error::usage(format!("{value:?} is too long for the driver")))?,
            value.as_bytes(),
        )?
        .check()
        .map_err(|e| match Error::from(e) {
            e if e.kind == Kind::Server => e,
            e => Error::runtime(format!("the driver refused {value:?}: {e}")),
        })?;
        Ok(())
    }

    /// Waits for the output `name` to appear (or disappear), then refreshes the state.
    fn wait_for_output(&mut self, name: &str, present: bool) -> Result<()> {
        let mut latest = None;
        let done = self.session.wait_until(OUTPUT_TIMEOUT, |session| {
            let state = session.read()?;
            let ok = state.output(name).is_some() == present;
            latest = Some(state);
            Ok(ok)
        })?;
        if let Some(state) = latest {
            self.state = state;
        }
        if done {
            Ok(())
        } else {
            Err(Error::runtime(format!(
                "the driver did not {} {name} within {} s",
                if present { "create" } else { "delete" },
                OUTPUT_TIMEOUT.as_secs()
            )))
        }
    }

    fn output_id(&self, name: &str) -> Result<u32> {
        self.state
            .output(name)
            .map(|o| o.id)
            .ok_or_else(|| Error::runtime(format!("output {name} disappeared")))
    }

    fn mode_id(&self, mode: &ModeRef) -> Result<u32> {
        match mode {
            ModeRef::Existing { id, .. } => Ok(*id),
            ModeRef::New(name) => self
                .created_modes
                .get(name)
                .copied()
                .ok_or_else(|| Error::runtime(format!("mode {name:?} was not created"))),
            ModeRef::PreferredOf(output) => self
                .state
                .output(output)
                .and_then(|o| o.modes.first().copied())
                .ok_or_else(|| Error::runtime(format!("{output} has no modes"))),
        }
    }

    fn crtc_id(&self, crtc: &CrtcRef) -> Result<u32> {
        match crtc {
            CrtcRef::Id(id) => Ok(*id),
            CrtcRef::OfOutput(name) => {
                let output = self
                    .state
                    .output(name)
                    .ok_or_else(|| Error::runtime(format!("output {name} disappeared")))?;
                crate::randr::backend::xr_manager::crtc_for(&self.state, output)
            }
        }
    }

    fn verify(&mut self, plan: &Plan) -> Result<()> {
        self.state = self.session.read()?;
        let actual = self.state.arrangement();
        if actual != plan.expect {
            return Err(Error::runtime(format!(
                "the result did not verify: expected {}, found {actual}",
                plan.expect
            )));
        }
        if let Some((name, refresh)) = &plan.expect_refresh {
            let actual = self
                .state
                .output(name)
                .and_then(|o| self.state.active_crtc_of(o))
                .and_then(|c| self.state.modes.get(&c.mode))
                .map(|m| m.refresh);
            if !actual.is_some_and(|a| (a - refresh).abs() < 0.5) {
                return Err(Error::runtime(format!(
                    "the result did not verify: {name} should refresh at {refresh:.2} Hz, found {actual:?}"
                )));
            }
        }
        Ok(())
    }

    /// Puts back the snapshot's CRTCs, screen size, primary output and monitors, and
    /// removes the modes and XR outputs this transaction created; every step is tried,
    /// and the failures are reported together.
    fn restore(&mut self, snapshot: &ScreenState) -> Result<()> {
        self.state = self.session.read()?;
        let steps = plan_restore(&self.state, snapshot, &self.created_modes);
        let mut failures: Vec<String> = steps
            .iter()
            .filter_map(|step| {
                self.undo(step)
                    .err()
                    .map(|e| format!("{}: {e}", step.describe()))
            })
            .collect();
        let after = self.session.read()?;
        if after.arrangement() != snapshot.arrangement() {
            failures.push(format!(
                "the layout is now {} instead of {}",
                after.arrangement(),
                snapshot.arrangement()
            ));
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(Error::new(Kind::RestoreFailed, failures.join("; ")))
        }
    }

    fn undo(&mut self, step: &Undo) -> Result<()> {
        let conn = &self.session.conn;
        let root = self.session.root;
        match step {
            Undo::DeleteMonitor(name) => Ok(conn
                .randr_delete_monitor(root, atom(conn, name)?)?
                .check()?),
            Undo::CrtcOff(crtc) => self.set_crtc(*crtc, 0, 0, 0, 1, &[]),
            Undo::ScreenSize { size, mm } => Ok(conn
                .randr_set_screen_size(root, size.0, size.1, mm.0, mm.1)?
                .check()?),
            Undo::Crtc(c) => self.set_crtc(c.id, c.x, c.y, c.mode, c.rotation, &c.outputs),
            Undo::Primary(output) => Ok(conn.randr_set_output_primary(root, *output)?.check()?),
            Undo::Monitor(monitor) => set_monitor(self.session, monitor),
            Undo::OutputMode { output, mode, .. } => {
                Ok(conn.randr_delete_output_mode(*output, *mode)?.check()?)
            }
            Undo::Mode { mode, .. } => Ok(conn.randr_destroy_mode(*mode)?.check()?),
            Undo::XrOutput(name) => self.xr_manager_request("DELETE_XR_OUTPUT", name),
        }
    }
}

/// One request of a restore.
#[derive(Debug, Clone, PartialEq)]
enum Undo {
    /// A monitor the transaction added or changed.
    DeleteMonitor(String),
    /// A CRTC the transaction lit or moved, turned off before the screen shrinks.
    CrtcOff(u32),
    ScreenSize {
        size: (u16, u16),
        mm: (u32, u32),
    },
    /// A CRTC as the snapshot had it.
    Crtc(Crtc),
    Primary(u32),
    /// A monitor as the snapshot had it.
    Monitor(Monitor),
    /// A mode the transaction created, taken off an output that lists it.
    OutputMode {
        output: u32,
        name: String,
        mode: u32,
    },
    /// A mode the transaction created.
    Mode {
        name: String,
        mode: u32,
    },
    /// An XR output the transaction created (patched driver).
    XrOutput(String),
}

impl Undo {
    fn describe(&self) -> String {
        match self {
            Undo::DeleteMonitor(name) => format!("deleting monitor {name}"),
            Undo::CrtcOff(crtc) => format!("turning off CRTC 0x{crtc:x}"),
            Undo::ScreenSize { size, .. } => {
                format!("setting the screen size to {}x{}", size.0, size.1)
            }
            Undo::Crtc(c) => format!("restoring CRTC 0x{:x}", c.id),
            Undo::Primary(_) => "restoring the primary output".into(),
            Undo::Monitor(m) => format!("restoring monitor {}", m.name),
            Undo::OutputMode { name, .. } => format!("removing a new mode from {name}"),
            Undo::Mode { name, .. } => format!("destroying mode {name:?}"),
            Undo::XrOutput(name) => format!("deleting {name}"),
        }
    }
}

/// What brings `now` back to `snapshot`, in the order the server accepts it: monitors
/// out of the way, changed CRTCs off, the screen resized (it cannot shrink under a lit
/// CRTC), the snapshot's CRTCs, primary and monitors back, then the modes and XR
/// outputs this transaction created removed. What did not change is not touched.
fn plan_restore(
    now: &ScreenState,
    snapshot: &ScreenState,
    created_modes: &BTreeMap<String, u32>,
) -> Vec<Undo> {
    let mut steps: Vec<Undo> = now
        .monitors
        .iter()
        .filter(|m| !m.automatic && snapshot.monitor(&m.name) != Some(*m))
        .map(|m| Undo::DeleteMonitor(m.name.clone()))
        .collect();
    steps.extend(
        now.crtcs
            .iter()
            .filter(|c| c.is_active() && snapshot.crtc(c.id) != Some(*c))
            .map(|c| Undo::CrtcOff(c.id)),
    );
    if (now.width, now.height) != (snapshot.width, snapshot.height) {
        steps.push(Undo::ScreenSize {
            size: (snapshot.width, snapshot.height),
            mm: (snapshot.mm_width, snapshot.mm_height),
        });
    }
    steps.extend(
        snapshot
            .crtcs
            .iter()
            .filter(|c| c.is_active() && now.crtc(c.id) != Some(*c))
            .map(|c| Undo::Crtc(c.clone())),
    );
    if now.primary != snapshot.primary {
        steps.push(Undo::Primary(snapshot.primary));
    }
    steps.extend(
        snapshot
            .monitors
            .iter()
            .filter(|m| !m.automatic && now.monitor(&m.name) != Some(*m))
            .map(|m| Undo::Monitor(m.clone())),
    );
    for output in &now.outputs {
        for &mode in output
            .modes
            .iter()
            .filter(|m| created_modes.values().any(|c| c == *m))
        {
            steps.push(Undo::OutputMode {
                output: output.id,
                name: output.name.clone(),
                mode,
            });
        }
    }
    steps.extend(created_modes.iter().map(|(name, &mode)| Undo::Mode {
        name: name.clone(),
        mode,
    }));
    steps.extend(
        now.outputs
            .iter()
            .filter(|o| o.virtual_output && snapshot.output(&o.name).is_none())
            .map(|o| Undo::XrOutput(o.name.clone())),
    );
    steps
}

fn set_monitor(session: &Session, monitor: &Monitor) -> Result<()> {
    let conn = &session.conn;
    let info = randr::MonitorInfo {
        name: atom(conn, &monitor.name)?,
        primary: monitor.primary,
        automatic: false,
        x: to_i16(monitor.rect.x)?,
        y: to_i16(monitor.rect.y)?,
        width: to_u16(monitor.rect.width)?,
        height: to_u16(monitor.rect.height)?,
        width_in_millimeters: monitor.mm.0,
        height_in_millimeters: monitor.mm.1,
        outputs: monitor.outputs.clone(),
    };
    conn.randr_set_monitor(session.root, info)?.check()?;
    Ok(())
}

/// What to tell a user whose XR output lost its CRTC.
pub fn no_usable_crtc(name: &str) -> Error {
    Error::runtime(format!(
        "{name} cannot be changed: it has no usable CRTC, because a client re-probed the outputs \
         (RRGetScreenResources, sent by a plain `xrandr` or GTK, makes the patched driver wipe its \
         virtual outputs' modes and CRTCs) or because a hardware CRTC is free and {name} borrowed it; \
         run `xrdisplay disable --output {name}` and enable it again (use `xrandr --current` meanwhile)"
    ))
}

fn to_u16(v: u32) -> Result<u16> {
    u16::try_from(v)
        .map_err(|_| Error::usage(format!("{v} does not fit in a RandR field (max 65535)")))
}

fn to_i16(v: i32) -> Result<i16> {
    i16::try_from(v).map_err(|_| {
        Error::usage(format!(
            "{v} does not fit in a RandR coordinate (max 32767)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::randr::fixture::{rect, Screen};
    use xrdisplay_model::Rect;

    /// DUMMY0 lit and primary, DUMMY1 free: the layout before every change below.
    fn before() -> ScreenState {
        Screen::new()
            .output("DUMMY0", true, Some(rect(1920, 1080, 0, 0)))
            .output("DUMMY1", false, None)
            .primary("DUMMY0")
            .0
    }

    fn crtc_of(state: &ScreenState, output: &str) -> u32 {
        state.output(output).expect("a fixture output").crtcs[0]
    }

    fn position(steps: &[Undo], what: impl Fn(&Undo) -> bool) -> usize {
        steps
            .iter()
            .position(what)
            .unwrap_or_else(|| panic!("missing from {steps:?}"))
    }

    /// `before()` with DUMMY1 lit at `at` in a mode this transaction created, the
    /// screen grown to hold it, and monitor XR-0 on it.
    fn enabled_beside(at: Rect) -> (ScreenState, BTreeMap<String, u32>) {
        let now = Screen::new()
            .output("DUMMY0", true, Some(rect(1920, 1080, 0, 0)))
            .output("DUMMY1", false, Some(at))
            .primary("DUMMY0")
            .monitor("XR-0", at, &["DUMMY1"])
            .0;
        let mode = now.output("DUMMY1").expect("a fixture output").modes[0];
        (now, BTreeMap::from([("xr-1280x720@60".to_string(), mode)]))
    }

    #[test]
    fn an_unchanged_screen_needs_nothing() {
        let state = before();
        assert_eq!(plan_restore(&state, &state, &BTreeMap::new()), vec![]);
    }

    #[test]
    fn a_spare_output_goes_off_before_the_screen_shrinks_and_its_mode_goes_last() {
        let (now, created) = enabled_beside(rect(1280, 720, 1920, 0));
        let snapshot = before();
        let steps = plan_restore(&now, &snapshot, &created);
        let dummy1 = crtc_of(&now, "DUMMY1");
        let monitor = position(&steps, |s| *s == Undo::DeleteMonitor("XR-0".into()));
        let off = position(&steps, |s| *s == Undo::CrtcOff(dummy1));
        let shrink = position(&steps, |s| {
            *s == Undo::ScreenSize {
                size: (1920, 1080),
                mm: (508, 286),
            }
        });
        let unlisted = position(
            &steps,
            |s| matches!(s, Undo::OutputMode { name, .. } if name == "DUMMY1"),
        );
        let destroyed = position(
            &steps,
            |s| matches!(s, Undo::Mode { name, .. } if name == "xr-1280x720@60"),
        );
        assert!(monitor < off && off < shrink && shrink < unlisted && unlisted < destroyed);
        assert!(
            !steps
                .iter()
                .any(|s| matches!(s, Undo::Crtc(_) | Undo::Primary(_) | Undo::XrOutput(_))),
            "DUMMY0, the primary and the outputs were untouched: {steps:?}"
        );
    }

    #[test]
    fn outputs_moved_aside_go_back_after_the_resize() {
        // `--left-of DUMMY0`: XR on DUMMY1 at 0,0 and DUMMY0 pushed to 1280.
        let (mut now, created) = enabled_beside(rect(1280, 720, 0, 0));
        let dummy0 = crtc_of(&now, "DUMMY0");
        let c = now.crtcs.iter_mut().find(|c| c.id == dummy0).expect("lit");
        c.x = 1280;
        now.width = 3200;
        let snapshot = before();
        let steps = plan_restore(&now, &snapshot, &created);
        let off = position(&steps, |s| *s == Undo::CrtcOff(dummy0));
        let shrink = position(&steps, |s| matches!(s, Undo::ScreenSize { .. }));
        let back = position(
            &steps,
            |s| matches!(s, Undo::Crtc(c) if c.id == dummy0 && c.x == 0),
        );
        assert!(off < shrink && shrink < back, "{steps:?}");
    }

    #[test]
    fn the_primary_is_handed_back() {
        let (now, created) = enabled_beside(rect(1280, 720, 1920, 0));
        let now = Screen(now).primary("DUMMY1").0;
        let snapshot = before();
        let dummy0 = snapshot.output("DUMMY0").expect("fixture").id;
        let steps = plan_restore(&now, &snapshot, &created);
        assert!(steps.contains(&Undo::Primary(dummy0)), "{steps:?}");
    }

    #[test]
    fn a_users_monitor_is_put_back_after_the_crtcs_and_automatic_ones_are_left_alone() {
        let mine = rect(1920, 1080, 0, 0);
        let snapshot = Screen(before()).monitor("desk", mine, &["DUMMY0"]).0;
        let (now, created) = enabled_beside(rect(1280, 720, 1920, 0));
        let mut now = Screen(now)
            .monitor("desk", rect(1280, 720, 1920, 0), &["DUMMY1"])
            .0;
        now.monitors.push(Monitor {
            name: "DUMMY0".into(),
            primary: true,
            automatic: true,
            rect: mine,
            mm: (508, 286),
            outputs: vec![],
        });
        let steps = plan_restore(&now, &snapshot, &created);
        let deleted = position(&steps, |s| *s == Undo::DeleteMonitor("desk".into()));
        let shrink = position(&steps, |s| matches!(s, Undo::ScreenSize { .. }));
        let restored = position(
            &steps,
            |s| matches!(s, Undo::Monitor(m) if m.name == "desk" && m.rect == mine),
        );
        assert!(deleted < shrink && shrink < restored, "{steps:?}");
        assert!(
            !steps.contains(&Undo::DeleteMonitor("DUMMY0".into())),
            "the server's own monitor is not a client's to delete: {steps:?}"
        );
    }

    #[test]
    fn only_xr_outputs_this_change_created_are_deleted() {
        // The patched driver: XR-0 existed before (re-created outputs keep their
        // name), XR-1 is new.
        let xr = |o: &mut crate::randr::state::Output| o.virtual_output = true;
        let snapshot = Screen(before())
            .output("XR-0", false, None)
            .edit("XR-0", xr)
            .0;
        let now = Screen(before())
            .output("XR-0", false, None)
            .edit("XR-0", xr)
            .output("XR-1", true, Some(rect(1280, 720, 1920, 0)))
            .edit("XR-1", xr)
            .0;
        let steps = plan_restore(&now, &snapshot, &BTreeMap::new());
        assert_eq!(
            steps.last(),
            Some(&Undo::XrOutput("XR-1".into())),
            "{steps:?}"
        );
        assert!(!steps.contains(&Undo::XrOutput("XR-0".into())), "{steps:?}");
    }
}
