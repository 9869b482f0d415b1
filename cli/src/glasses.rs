//! Recognising XR glasses among the outputs by the monitor name in their EDID.

/// Monitor names (EDID descriptor 0xFC, at most 13 characters) of glasses, matched
/// case-insensitively as a prefix, longest first; then the model as users call it.
const KNOWN: &[(&str, &str)] = &[
    ("XREAL One Pro", "XREAL One Pro"),
    ("XREAL One", "XREAL One"),
    ("XREAL Air 2", "XREAL Air 2"),
    ("XREAL Air", "XREAL Air"),
    ("Air 2 Ultra", "XREAL Air 2 Ultra"),
    ("Air 2 Pro", "XREAL Air 2 Pro"),
    ("Air 2", "XREAL Air 2"),
    ("nreal air", "nreal Air"),
    ("NREAL", "nreal"),
    ("VITURE", "VITURE"),
    ("Rokid Max", "Rokid Max"),
    ("Rokid Air", "Rokid Air"),
    ("Rokid", "Rokid"),
    ("RayNeo", "RayNeo"),
    ("SmartGlasses", "TCL/RayNeo SmartGlasses"),
];

/// The model of glasses whose EDID this is, if any.
pub fn model(edid: &[u8]) -> Option<&'static str> {
    let name = monitor_name(edid)?;
    KNOWN
        .iter()
        .find(|(prefix, _)| {
            name.len() >= prefix.len()
                && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        })
        .map(|&(_, model)| model)
}

/// Which pair of glasses this is, as a file-name-safe id: the EDID's manufacturer,
/// product code and serial number (and the serial descriptor's text, when there is
/// one), e.g. `XRE-0424-00001234`.
pub fn pair_id(edid: &[u8]) -> Option<String> {
    monitor_name(edid)?;
    let maker = u16::from_be_bytes([edid[8], edid[9]]);
    let letter = |shift: u16| char::from(b'@' + ((maker >> shift) & 0x1f) as u8);
    let product = u16::from_le_bytes([edid[10], edid[11]]);
    let serial = u32::from_le_bytes([edid[12], edid[13], edid[14], edid[15]]);
    let mut id = format!(
        "{}{}{}-{product:04x}-{serial:08x}",
        letter(10),
        letter(5),
        letter(0)
    );
    if let Some(text) = descriptor_text(edid, 0xff) {
        id.push('-');
        id.extend(text.chars().filter(char::is_ascii_alphanumeric));
    }
    Some(id)
}

/// The EDID's monitor name: the text of its first 0xFC display descriptor.
pub fn monitor_name(edid: &[u8]) -> Option<String> {
    descriptor_text(edid, 0xfc)
}

/// The text of the EDID's first display descriptor of `tag` (0xFC name, 0xFF serial).
fn descriptor_text(edid: &[u8], tag: u8) -> Option<String> {
    const HEADER: [u8; 8] = [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0];
    if edid.len() < 128 || edid[..8] != HEADER {
        return None;
    }
    (0..4).find_map(|i| {
        let d = &edid[54 + i * 18..72 + i * 18];
        (d[..3] == [0, 0, 0] && d[3] == tag).then(|| {
            let text = &d[5..];
            let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
            String::from_utf8_lossy(&text[..end]).trim().to_string()
        })
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A minimal EDID block naming the monitor `name` in its second descriptor.
    pub fn edid_named(name: &str) -> Vec<u8> {
        let mut edid = vec![0u8; 128];
        edid[..8].copy_from_slice(&[0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]);
        let d = &mut edid[72..90];
        d[3] = 0xfc;
        let text = format!("{name}\n");
        let text = text.as_bytes();
        let n = text.len().min(13);
        d[5..5 + n].copy_from_slice(&text[..n]);
        d[5 + n..].fill(b' ');
        edid
    }

    #[test]
    fn glasses_are_known_by_their_monitor_name() {
        assert_eq!(model(&edid_named("Air 2 Pro")), Some("XREAL Air 2 Pro"));
        assert_eq!(model(&edid_named("XREAL One Pro")), Some("XREAL One Pro"));
        assert_eq!(model(&edid_named("nreal air")), Some("nreal Air"));
        assert_eq!(model(&edid_named("VITURE")), Some("VITURE"));
        assert_eq!(model(&edid_named("Rokid Max")), Some("Rokid Max"));
        assert_eq!(
            model(&edid_named("SmartGlasses")),
            Some("TCL/RayNeo SmartGlasses")
        );
        assert_eq!(model(&edid_named("DELL U2720Q")), None);
        assert_eq!(model(&[0u8; 64]), None);
        assert_eq!(monitor_name(&edid_named("Air 2")).as_deref(), Some("Air 2"));
    }

    #[test]
    fn a_pair_is_known_by_maker_product_and_serial() {
        let mut edid = edid_named("XREAL Air");
        // "XRE" packed in five-bit letters, product 0x0424, serial 0x1234.
        edid[8..10].copy_from_slice(&(((24u16) << 10) | (18 << 5) | 5).to_be_bytes());
        edid[10..12].copy_from_slice(&0x0424u16.to_le_bytes());
        edid[12..16].copy_from_slice(&0x1234u32.to_le_bytes());
        assert_eq!(pair_id(&edid).as_deref(), Some("XRE-0424-00001234"));
        edid[12] = 0x35;
        assert_eq!(pair_id(&edid).as_deref(), Some("XRE-0424-00001235"));
        assert_eq!(pair_id(&[0u8; 128]), None);
    }
}
