//! `xrdisplay install` / `uninstall` of the xorg.conf snippet and the autostart entry, on
//! real files in private directories; the entry is checked by the real
//! `desktop-file-validate` and parsed by GLib as a desktop session would.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;
use xrdisplay_harness::{repo_file, xrdisplay, Run};

const BIN: &str = env!("CARGO_BIN_EXE_xrdisplay");
const SNIPPET: &str = "20-xrdisplay-modesetting.conf";

fn cli(config_home: &Path, args: &[&str]) -> Run {
    xrdisplay(
        BIN,
        None,
        args,
        &[("XDG_CONFIG_HOME", config_home.to_str().unwrap())],
    )
}

#[test]
fn xorg_conf_installs_atomically_refuses_foreign_files_and_uninstalls_cleanly() {
    let home = TempDir::new().unwrap();
    let etc = TempDir::new().unwrap();
    let dir = etc.path().join("xorg.conf.d");
    let d = dir.to_str().unwrap();
    let target = dir.join(SNIPPET);

    let dry = cli(
        home.path(),
        &["install", "xorg-conf", "--dir", d, "--dry-run"],
    );
    assert!(dry.ok().contains("Driver \"modesetting\""), "{dry:?}");
    assert!(!dir.exists(), "--dry-run created {dir:?}");

    let out = cli(home.path(), &["install", "xorg-conf", "--dir", d]);
    assert!(out.ok().contains("restart the X session"), "{out:?}");
    let expected = std::fs::read_to_string(repo_file("xorg-conf/xrdisplay-modesetting.conf"));
    assert_eq!(std::fs::read_to_string(&target).ok(), expected.ok());
    // Only the file itself: the temporary file was renamed, not left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let again = cli(home.path(), &["install", "xorg-conf", "--dir", d]);
    assert!(again.ok().contains("nothing changed"), "{again:?}");

    // A file of the user's is neither replaced without --force nor removed.
    std::fs::write(&target, "Section \"Device\"\nEndSection\n").unwrap();
    let refused = cli(home.path(), &["install", "xorg-conf", "--dir", d]);
    assert!(refused.fails(2).contains("--force"), "{refused:?}");
    let kept = cli(home.path(), &["uninstall", "xorg-conf", "--dir", d]);
    assert!(kept.fails(2).contains("left in place"), "{kept:?}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "Section \"Device\"\nEndSection\n"
    );

    // --force keeps it as a backup, and uninstall puts it back.
    cli(
        home.path(),
        &["install", "xorg-conf", "--dir", d, "--force"],
    )
    .ok();
    let backup = dir.join(format!("{SNIPPET}.xrdisplay-backup"));
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        "Section \"Device\"\nEndSection\n"
    );
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .starts_with("# xrdisplay-managed"));
    let forced_again = cli(
        home.path(),
        &["install", "xorg-conf", "--dir", d, "--force"],
    );
    assert!(forced_again.ok().contains("nothing changed"));
    let out = cli(home.path(), &["uninstall", "xorg-conf", "--dir", d]);
    assert!(out.ok().contains("put back"), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "Section \"Device\"\nEndSection\n"
    );
    assert!(!backup.exists());

    // Our own file is removed without a trace.
    std::fs::remove_file(&target).unwrap();
    cli(home.path(), &["install", "xorg-conf", "--dir", d]).ok();
    assert!(cli(home.path(), &["uninstall", "xorg-conf", "--dir", d])
        .ok()
        .contains("removed"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    assert!(cli(home.path(), &["uninstall", "xorg-conf", "--dir", d])
        .ok()
        .contains("not installed"));
}

#[test]
fn an_update_keeps_the_files_mode_and_its_previous_version() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = TempDir::new().unwrap();
    let etc = TempDir::new().unwrap();
    let d = etc.path().to_str().unwrap();
    let target = etc.path().join(SNIPPET);
    let previous = etc.path().join(format!("{SNIPPET}.xrdisplay-previous"));
    cli(home.path(), &["install", "xorg-conf", "--dir", d]).ok();
    let ours = std::fs::read_to_string(&target).unwrap();

    // Edited by its owner, marker kept, and made private.
    let edited = format!("{ours}# my own note\n");
    std::fs::write(&target, &edited).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let dry = cli(
        home.path(),
        &["install", "xorg-conf", "--dir", d, "--dry-run"],
    );
    assert!(
        dry.ok().contains(&format!(
            "keeping the previous version as {}",
            previous.display()
        )),
        "{dry:?}"
    );
    assert!(!previous.exists());
    let out = cli(home.path(), &["install", "xorg-conf", "--dir", d]);
    assert!(
        out.ok().contains(&format!(
            "the previous version is kept as {}",
            previous.display()
        )),
        "{out:?}"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), ours);
    assert_eq!(std::fs::read_to_string(&previous).unwrap(), edited);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o600);

    // A second update replaces the copy; uninstall removes both.
    std::fs::write(&target, format!("{ours}# another\n")).unwrap();
    cli(home.path(), &["install", "xorg-conf", "--dir", d]).ok();
    assert_eq!(
        std::fs::read_to_string(&previous).unwrap(),
        format!("{ours}# another\n")
    );
    cli(home.path(), &["uninstall", "xorg-conf", "--dir", d]).ok();
    assert_eq!(std::fs::read_dir(etc.path()).unwrap().count(), 0);
}

#[test]
fn an_unwritable_directory_is_exit_code_6_with_one_line() {
    let home = TempDir::new().unwrap();
    // A regular file where the directory should be: no directory can be created there.
    let blocker = home.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let d = blocker.join("xorg.conf.d");
    let run = cli(
        home.path(),
        &["install", "xorg-conf", "--dir", d.to_str().unwrap()],
    );
    assert!(run.fails(6).contains("not-a-dir"), "{run:?}");
}

/// The Exec line as GLib parses it for launching (what XFCE's session manager uses).
fn glib_exec_argv(entry: &Path) -> Vec<String> {
    let script = "import gi, json, sys\n\
                  gi.require_version('Gio', '2.0')\n\
                  from gi.repository import Gio, GLib\n\
                  info = Gio.DesktopAppInfo.new_from_filename(sys.argv[1])\n\
                  print(json.dumps(GLib.shell_parse_argv(info.get_commandline())[1]))";
    let out = Command::new("/usr/bin/python3")
        .args(["-c", script, entry.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_autostart_entry_is_valid_runs_enable_and_is_removed_by_uninstall_all() {
    let home = TempDir::new().unwrap();
    let etc = TempDir::new().unwrap();
    // A binary path that needs quoting in Exec.
    let bin_dir = home.path().join("my bin $x");
    std::fs::create_dir(&bin_dir).unwrap();
    let bin = bin_dir.join("xrdisplay");
    std::fs::copy(BIN, &bin).unwrap();
    let run = |args: &[&str]| {
        xrdisplay(
            bin.to_str().unwrap(),
            None,
            args,
            &[("XDG_CONFIG_HOME", home.path().to_str().unwrap())],
        )
    };
    run(&["install", "autostart"]).ok();
    let entry = home.path().join("autostart/xrdisplay.desktop");
    let validate = Command::new("desktop-file-validate")
        .arg(&entry)
        .output()
        .expect("run desktop-file-validate (scripts/install-test-deps installs it)");
    let complaints = String::from_utf8_lossy(&validate.stdout).into_owned()
        + &String::from_utf8_lossy(&validate.stderr);
    assert!(
        validate.status.success() && complaints.is_empty(),
        "{complaints}"
    );
    assert_eq!(
        glib_exec_argv(&entry),
        [bin.to_str().unwrap().to_string(), "watch".to_string()]
    );

    let dir = etc.path().to_str().unwrap();
    run(&["install", "xorg-conf", "--dir", dir]).ok();
    let out = run(&["uninstall", "all", "--dir", dir]);
    let text = out.ok();
    assert!(text.contains("xorg-conf: removed"), "{text}");
    assert!(text.contains("autostart: removed"), "{text}");
    assert!(!entry.exists());
    assert_eq!(std::fs::read_dir(etc.path()).unwrap().count(), 0);
    assert!(run(&["uninstall", "all", "--dir", dir])
        .ok()
        .contains("autostart: "));
}

#[test]
fn udev_rules_print_install_and_go_with_uninstall_all() {
    let home = TempDir::new().unwrap();
    let etc = TempDir::new().unwrap();
    let rules = etc.path().join("rules.d");
    let r = rules.to_str().unwrap();
    let xorg = etc.path().join("xorg.conf.d");
    let x = xorg.to_str().unwrap();

    let dry = cli(
        home.path(),
        &["install", "udev-rules", "--rules-dir", r, "--dry-run"],
    );
    let printed = dry.ok();
    assert!(
        printed.contains("ATTRS{idVendor}==\"3318\"") && printed.contains("TAG+=\"uaccess\""),
        "{printed}"
    );
    assert!(!rules.exists(), "--dry-run created {rules:?}");

    let out = cli(home.path(), &["install", "udev-rules", "--rules-dir", r]);
    assert!(
        out.ok().contains("udevadm control --reload-rules"),
        "{out:?}"
    );
    let source = std::fs::read_to_string(repo_file("udev/70-xrdisplay-glasses.rules")).unwrap();
    let installed = std::fs::read_to_string(rules.join("70-xrdisplay-glasses.rules")).unwrap();
    assert_eq!(
        installed,
        format!("# xrdisplay-managed: udev-rules\n{source}")
    );

    let all = cli(
        home.path(),
        &["uninstall", "all", "--dir", x, "--rules-dir", r],
    );
    let text = all.ok();
    assert!(text.contains("udev-rules: removed"), "{text}");
    assert_eq!(std::fs::read_dir(&rules).unwrap().count(), 0);
    let again = cli(home.path(), &["uninstall", "udev-rules", "--rules-dir", r]);
    assert!(again.ok().contains("not installed"), "{again:?}");
}
