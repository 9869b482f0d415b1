//! Dressing an output up as XR glasses: an EDID property naming a known model, set
//! through RandR as a kernel driver would publish it, so that glasses detection runs
//! on the dummy driver's outputs.

use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, PropMode};

/// A 128-byte EDID base block with `name` (at most 13 bytes) as its monitor name
/// (display descriptor 0xFC) and a valid checksum.
pub fn edid_named(name: &str) -> Vec<u8> {
    edid_of_pair(name, 0)
}

/// [`edid_named`] with `serial` as the EDID's serial number: another pair of the same
/// model.
pub fn edid_of_pair(name: &str, serial: u32) -> Vec<u8> {
    assert!(name.len() <= 13, "an EDID monitor name holds 13 bytes");
    let mut edid = vec![0u8; 128];
    edid[..8].copy_from_slice(&[0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]);
    // EDID 1.4.
    edid[18] = 1;
    edid[19] = 4;
    edid[12..16].copy_from_slice(&serial.to_le_bytes());
    let descriptor = &mut edid[54..72];
    descriptor[3] = 0xfc;
    let mut text = name.as_bytes().to_vec();
    text.push(b'\n');
    text.resize(13, b' ');
    descriptor[5..18].copy_from_slice(&text);
    let sum = edid[..127].iter().fold(0u8, |s, b| s.wrapping_add(*b));
    edid[127] = 0u8.wrapping_sub(sum);
    edid
}

/// Sets `output`'s EDID property on `display` to [`edid_named`]`(name)`.
pub fn set_edid(display: &str, output: &str, name: &str) {
    set_edid_of_pair(display, output, name, 0);
}

/// Sets `output`'s EDID property to [`edid_of_pair`]`(name, serial)`: glasses plugged in.
pub fn set_edid_of_pair(display: &str, output: &str, name: &str, serial: u32) {
    change_edid(display, output, Some(&edid_of_pair(name, serial)));
}

/// Deletes `output`'s EDID property: the glasses are unplugged.
pub fn delete_edid(display: &str, output: &str) {
    change_edid(display, output, None);
}

fn change_edid(display: &str, output: &str, edid: Option<&[u8]>) {
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect");
    let root = conn.setup().roots[screen].root;
    conn.randr_query_version(1, 6).unwrap().reply().unwrap();
    let resources = conn
        .randr_get_screen_resources_current(root)
        .unwrap()
        .reply()
        .unwrap();
    let id = resources
        .outputs
        .iter()
        .copied()
        .find(|&o| {
            let info = conn.randr_get_output_info(o, 0).unwrap().reply().unwrap();
            info.name == output.as_bytes()
        })
        .unwrap_or_else(|| panic!("no output {output}"));
    let atom = conn
        .intern_atom(false, b"EDID")
        .unwrap()
        .reply()
        .unwrap()
        .atom;
    match edid {
        Some(edid) => conn
            .randr_change_output_property(
                id,
                atom,
                AtomEnum::INTEGER.into(),
                8,
                PropMode::REPLACE,
                edid.len() as u32,
                edid,
            )
            .unwrap()
            .check()
            .expect("set the EDID property"),
        None => conn
            .randr_delete_output_property(id, atom)
            .unwrap()
            .check()
            .expect("delete the EDID property"),
    }
}

/// Plugs glasses into the dummy driver's `output` as a kernel driver would show them:
/// a 1920x1080 mode, a probe (the server's reaction to a hotplug), the desktop turning
/// the new monitor on right of DUMMY0, and an EDID naming "XREAL Air".
pub fn plug_glasses(server: &crate::XServer, output: &str) {
    let mode = [
        "148.50", "1920", "2008", "2052", "2200", "1080", "1084", "1089", "1125", "+hsync",
        "+vsync",
    ];
    let newmode = [&["--newmode", "glasses"][..], &mode[..]].concat();
    for args in [
        &newmode[..],
        &["--addmode", output, "glasses"],
        &[],
        &[
            "--output",
            output,
            "--mode",
            "glasses",
            "--right-of",
            "DUMMY0",
        ],
    ] {
        let out = server.run("xrandr", args);
        assert!(out.status.success(), "xrandr {args:?}: {out:?}");
    }
    // After the probe: the dummy driver's probe drops a client-set EDID.
    set_edid(server.display(), output, "XREAL Air");
}
