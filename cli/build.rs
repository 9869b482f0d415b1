//! Tells the integration tests which optional test servers this machine has, so that a
//! test whose server is missing is reported as ignored, never as passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(xr_xorg)");
    // scripts/vm/install-deps unpacks the patched X server here when ../shared has it;
    // /opt's own time stamp changes when it appears or goes.
    println!("cargo::rerun-if-changed=/opt");
    if std::path::Path::new("/opt/xr-xorg/bin/Xorg").exists() {
        println!("cargo::rustc-cfg=xr_xorg");
    }
}
