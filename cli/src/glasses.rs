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

/// The EDID's monitor name: the text of its first 0xFC display descriptor.
pub fn monitor_name(edid: &[u8]) -> Option<String> {
    const HEADER: [u8; 8] = [0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0];
    if edid.len() < 128 || edid[..8] != HEADER {
        return None;
    }
    (0..4).find_map(|i| {
        let d = &edid[54 + i * 18..72 + i * 18];
        (d[..3] == [0, 0, 0] && d[3] == 0xfc).then(|| {
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
}
