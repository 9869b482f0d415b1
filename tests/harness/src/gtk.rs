//! What GTK 3, and so XFCE, lists as monitors.

use crate::{repo_file, XServer};

/// The monitors GTK lists on `server`, as "MODEL WxH+X+Y". `probes` is what
/// [`XServer::probes`] said right after the change under test: a probing `xrandr`
/// since then would make the dummy driver show outputs GTK would otherwise skip, so it
/// fails the test instead of proving nothing.
pub fn gtk_monitors(server: &XServer, probes: usize) -> Vec<String> {
    assert_eq!(
        server.probes(),
        probes,
        "a probing xrandr ran between the change and the GTK query"
    );
    let script = repo_file("tests/gtk_monitors.py");
    let out = server.run("/usr/bin/python3", &[script.to_str().expect("UTF-8 path")]);
    assert!(
        out.status.success(),
        "GTK: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("GTK's JSON");
    list.as_array()
        .expect("a list of monitors")
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["model"].as_str().unwrap_or(""),
                m["geometry"].as_str().unwrap_or("?")
            )
        })
        .collect()
}
