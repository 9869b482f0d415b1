//! SIGINT, SIGTERM and SIGHUP turned into a flag that long work checks at safe points:
//! the render loop between frames, a RandR transaction between requests (it then
//! restores the previous layout instead of dying half-applied).

use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

/// The last signal caught, 0 for none.
static CAUGHT: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: nix::libc::c_int) {
    CAUGHT.store(signal, Ordering::Relaxed);
}

/// From now on SIGINT, SIGTERM and SIGHUP set the flag instead of ending the process.
pub fn catch() {
    // No SA_RESTART: a blocking call the signal lands in returns early, so the work
    // reaches its next check soon.
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        let _ = unsafe { sigaction(signal, &action) };
    }
}

/// The signal caught since [`catch`], if any.
pub fn caught() -> Option<Signal> {
    match CAUGHT.load(Ordering::Relaxed) {
        0 => None,
        n => Signal::try_from(n).ok(),
    }
}
