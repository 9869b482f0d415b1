//! The patched modesetting driver's virtual outputs, created and deleted through string
//! properties on its `XR-Manager` control output.

use crate::exit::{Error, Result};
use crate::randr::state::{Output, ScreenState};
use crate::randr::transaction::{no_usable_crtc, XR_MANAGER};

/// Whether this server runs the patched driver.
pub fn available(state: &ScreenState) -> std::result::Result<(), String> {
    match state.output(XR_MANAGER) {
        Some(_) => Ok(()),
        None => Err("no XR-Manager output (the patched modesetting driver is not running)".into()),
    }
}

/// The CRTC that drives a virtual output: its current one, else the first one it lists
/// that the server really has. After an output is deleted and created again, the patched
/// driver lists a CRTC it already freed, and setting that one crashes the server.
pub fn crtc_for(state: &ScreenState, output: &Output) -> Result<u32> {
    if output.crtc != 0 {
        return Ok(output.crtc);
    }
    if let Some(&crtc) = output.crtcs.iter().find(|&&c| state.crtc(c).is_some()) {
        return Ok(crtc);
    }
    match output.crtcs.first() {
        Some(stale) => Err(Error::runtime(format!(
            "{} lists CRTC 0x{stale:x}, which the X server no longer has: the patched driver does \
             this after an output is deleted and created again; restart the X server (log out and in)",
            output.name
        ))),
        None => Err(no_usable_crtc(&output.name)),
    }
}

/// Whether a client's re-probe (RRGetScreenResources) has wiped this virtual output:
/// the patched driver then drops its CRTC from the output's CRTC list or replaces its
/// modes with defaults that lack the mode on screen, and refuses every change to it.
pub fn reprobed(state: &ScreenState, output: &Output) -> bool {
    let crtc_gone = output.crtc != 0 && !output.crtcs.contains(&output.crtc);
    let mode_gone = state
        .active_crtc_of(output)
        .is_some_and(|c| !output.modes.contains(&c.mode));
    output.virtual_output && (output.crtcs.is_empty() || crtc_gone || mode_gone)
}

/// The `CREATE_XR_OUTPUT` value: `NAME:WIDTH:HEIGHT:REFRESH` (refresh in whole Hz).
pub fn create_value(name: &str, width: u32, height: u32, refresh: u32) -> String {
    format!("{name}:{width}:{height}:{refresh}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::randr::state::single_u32;
    use x11rb::protocol::randr::GetOutputPropertyReply;
    use x11rb::protocol::xproto::AtomEnum;

    /// Reads a `CREATE_XR_OUTPUT` value back the way the driver parses it; refresh defaults to 60.
    fn parse_create_value(value: &str) -> Option<(String, u32, u32, u32)> {
        let mut parts = value.split(':');
        let name = parts.next().filter(|n| !n.is_empty())?.to_string();
        let width = parts.next()?.parse().ok()?;
        let height = parts.next()?.parse().ok()?;
        let refresh = match parts.next() {
            Some(r) => r.parse().ok()?,
            None => 60,
        };
        parts
            .next()
            .is_none()
            .then_some((name, width, height, refresh))
    }

    #[test]
    fn create_values_round_trip_in_the_drivers_string_form() {
        let value = create_value("XR-0", 1920, 1080, 60);
        assert_eq!(value, "XR-0:1920:1080:60");
        assert_eq!(
            parse_create_value(&value),
            Some(("XR-0".into(), 1920, 1080, 60))
        );
        assert_eq!(
            parse_create_value("XR-1:3840:1080"),
            Some(("XR-1".into(), 3840, 1080, 60))
        );
        for bad in ["", "XR-0", ":1920:1080", "XR-0:x:1080", "XR-0:1:2:3:4"] {
            assert_eq!(parse_create_value(bad), None, "{bad:?}");
        }
    }

    fn reply(type_: AtomEnum, format: u8, data: Vec<u8>) -> GetOutputPropertyReply {
        let num_items = if format == 0 {
            0
        } else {
            data.len() as u32 / (u32::from(format) / 8)
        };
        GetOutputPropertyReply {
            format,
            sequence: 1,
            length: 0,
            type_: type_.into(),
            bytes_after: 0,
            num_items,
            data,
        }
    }

    #[test]
    fn framebuffer_id_decodes_only_a_single_32_bit_integer() {
        let ok = reply(AtomEnum::INTEGER, 32, 42u32.to_ne_bytes().to_vec());
        assert_eq!(single_u32(&ok), Some(42));
        let two = reply(
            AtomEnum::INTEGER,
            32,
            [1u32, 2].iter().flat_map(|v| v.to_ne_bytes()).collect(),
        );
        assert_eq!(single_u32(&two), None);
        assert_eq!(
            single_u32(&reply(AtomEnum::STRING, 8, b"42".to_vec())),
            None
        );
        assert_eq!(single_u32(&reply(AtomEnum::INTEGER, 16, vec![42, 0])), None);
        assert_eq!(single_u32(&reply(AtomEnum::NONE, 0, vec![])), None);
    }
}
