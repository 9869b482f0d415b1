//! `xrdisplay install capture-helper` / `uninstall`: the helper lands with the file
//! capability cap_sys_admin+ep, cross-checked with libcap's real `getcap`, and
//! `uninstall capture-helper` and `uninstall all` take it away again (as root). A
//! directory another user could change (or one under such a directory) is refused,
//! and nothing there gets a capability.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

use tempfile::TempDir;
use xrdisplay_harness::{xrdisplay, Run};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");

fn cli(home: &Path, args: &[&str]) -> Run {
    xrdisplay(
        BIN,
        None,
        args,
        &[("XDG_CONFIG_HOME", home.to_str().unwrap())],
    )
}

fn getcap(path: &Path) -> String {
    let out = Command::new("getcap")
        .arg(path)
        .output()
        .expect("run getcap (libcap2-bin; scripts/install-test-deps installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_helper_is_installed_with_cap_sys_admin_and_uninstalled_with_it() {
    let home = TempDir::new().unwrap();
    let root = TempDir::new().unwrap();
    let dir = root.path().join("libexec/xrdisplay");
    let d = dir.to_str().unwrap();
    let target = dir.join("xrdisplay-kms");
    // Any executable stands in for the helper: what matters is the file and its xattr.
    let from = "/bin/true";
    let install = |extra: &[&str]| {
        let mut args = vec![
            "install",
            "capture-helper",
            "--helper-dir",
            d,
            "--from",
            from,
        ];
        args.extend_from_slice(extra);
        cli(home.path(), &args)
    };

    let dry = install(&["--dry-run"]);
    assert!(dry.ok().contains("would copy /bin/true"), "{dry:?}");
    assert!(!dir.exists(), "--dry-run created {dir:?}");

    let out = install(&[]);
    assert!(out.ok().contains("with cap_sys_admin+ep"), "{out:?}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(from).unwrap()
    );
    for path in [&target, &dir] {
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o755, "{path:?}");
    }
    let caps = getcap(&target);
    assert!(caps.contains("cap_sys_admin=ep"), "getcap: {caps:?}");
    // Only the file itself: the temporary file was renamed, not left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    assert!(install(&[]).ok().contains("nothing changed"));

    // A copy that lost its capability (e.g. rewritten) is installed again.
    Command::new("setcap")
        .arg("-r")
        .arg(&target)
        .status()
        .unwrap();
    assert_eq!(getcap(&target), "");
    assert!(install(&[]).ok().contains("updated"));
    assert!(getcap(&target).contains("cap_sys_admin=ep"));

    let missing = cli(
        home.path(),
        &[
            "install",
            "capture-helper",
            "--helper-dir",
            d,
            "--from",
            "/nonexistent",
        ],
    );
    assert!(missing.fails(2).contains("--from"), "{missing:?}");

    let out = cli(
        home.path(),
        &["uninstall", "capture-helper", "--helper-dir", d],
    );
    assert!(out.ok().contains("capture-helper: removed"), "{out:?}");
    assert!(!dir.exists(), "the emptied directory is removed too");
    let again = cli(
        home.path(),
        &["uninstall", "capture-helper", "--helper-dir", d],
    );
    assert!(again.ok().contains("not installed"), "{again:?}");

    install(&[]).ok();
    let etc = TempDir::new().unwrap();
    let all = cli(
        home.path(),
        &[
            "uninstall",
            "all",
            "--dir",
            etc.path().to_str().unwrap(),
            "--helper-dir",
            d,
        ],
    );
    let text = all.ok();
    assert!(text.contains("capture-helper: removed"), "{text}");
    assert!(text.contains("xorg-conf: "), "{text}");
    assert!(!target.exists());
}

#[test]
fn a_helper_dir_other_users_can_change_is_refused_and_gets_no_capability() {
    let home = TempDir::new().unwrap();
    let root = TempDir::new().unwrap();
    let install = |dir: &Path| {
        cli(
            home.path(),
            &[
                "install",
                "capture-helper",
                "--helper-dir",
                dir.to_str().unwrap(),
                "--from",
                "/bin/true",
            ],
        )
    };
    let mode = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let refused = |dir: &Path, why: &str| {
        for extra in [&[][..], &["--dry-run"][..]] {
            let mut args = vec!["install", "capture-helper", "--from", "/bin/true"];
            args.extend_from_slice(&["--helper-dir", dir.to_str().unwrap()]);
            args.extend_from_slice(extra);
            let out = cli(home.path(), &args);
            let message = out.fails(2);
            assert!(message.contains("refusing --helper-dir"), "{out:?}");
            assert!(message.contains(why), "{why}: {out:?}");
        }
        let target = dir.join("xrdisplay-kms");
        assert!(!target.exists(), "{target:?} was written");
        assert_eq!(getcap(&target), "");
        assert_eq!(getcap(dir), "");
    };

    // World-writable: another user could swap the file before or after setxattr.
    let open = root.path().join("open");
    std::fs::create_dir(&open).unwrap();
    mode(&open, 0o777);
    refused(&open, "(mode 0777)");
    // Group-writable.
    mode(&open, 0o775);
    refused(&open, "writable by group or others (mode 0775)");
    // Safe itself, but under a directory others may rename it in (no sticky bit); the
    // same for a directory install would create there.
    mode(&open, 0o755);
    let parent = root.path().join("parent");
    let inner = parent.join("inner");
    std::fs::create_dir_all(&inner).unwrap();
    mode(&parent, 0o777);
    refused(&inner, &format!("{} is writable", parent.display()));
    refused(
        &inner.join("new"),
        &format!("{} is writable", parent.display()),
    );
    // Owned by another user.
    mode(&parent, 0o755);
    nix::unistd::chown(&inner, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
    refused(&inner, "is owned by uid 65534, not root");

    // A root-owned 0755 directory under a sticky world-writable one (like /tmp) is
    // fine: others can neither rename nor remove what root owns there.
    let sticky = root.path().join("sticky");
    std::fs::create_dir(&sticky).unwrap();
    mode(&sticky, 0o1777);
    let dir = sticky.join("libexec");
    let out = install(&dir);
    assert!(out.ok().contains("with cap_sys_admin+ep"), "{out:?}");
    assert!(getcap(&dir.join("xrdisplay-kms")).contains("cap_sys_admin=ep"));
    // ... but not as the directory itself.
    refused(&sticky, "(mode 1777)");
}
