//! The planner against hand-built screens: what each backend sends, where outputs and
//! monitors go, what disable undoes, and the patched driver's quirks. A plan is pure
//! data, so every rule is checked here without an X server; the integration tests
//! apply the same plans to real servers.

use crate::exit::Kind;
use crate::geometry::{Position, Size};
use crate::randr::backend::{plan_disable, plan_enable, EnableRequest, XrTarget};
use crate::randr::fixture::{rect, Screen};
use crate::randr::layout::Placement;
use crate::randr::ops::{CrtcRef, ModeRef, Op};
use crate::randr::state::{Crtc, Mode, Monitor};
use crate::randr::transaction::XR_MANAGER;
use xrdisplay_model::BackendKind;

/// DUMMY0 at 1920x1080+0+0 (primary), DUMMY1..3 free.
fn desk() -> Screen {
    Screen::new()
        .output("DUMMY0", true, Some(rect(1920, 1080, 0, 0)))
        .output("DUMMY1", false, None)
        .output("DUMMY2", false, None)
        .output("DUMMY3", false, None)
        .primary("DUMMY0")
}

fn request(output: &str, width: u32, height: u32) -> EnableRequest {
    EnableRequest {
        output: output.into(),
        size: Size { width, height },
        refresh: 60,
        placement: Placement::Auto,
        primary: false,
        backend: BackendKind::Auto,
        glasses: None,
    }
}

fn count(ops: &[Op], what: impl Fn(&Op) -> bool) -> usize {
    ops.iter().filter(|op| what(op)).count()
}

#[test]
fn without_glasses_auto_drives_the_first_spare_output_and_names_it() {
    let state = desk().0;
    let plan = plan_enable(&state, &request("XR-0", 1280, 720)).unwrap();
    assert_eq!(plan.backend, BackendKind::SpareOutput);
    assert_eq!(plan.output.as_deref(), Some("DUMMY1"));
    assert_eq!(plan.rect, rect(1280, 720, 1920, 0));
    let ops = &plan.plan.ops;
    let position = |what: &dyn Fn(&Op) -> bool| ops.iter().position(what).expect("sent");
    let mode =
        position(&|op| matches!(op, Op::CreateMode { name, .. } if name == "xr-1280x720@60"));
    let grow = position(&|op| {
        matches!(
            op,
            Op::SetScreenSize {
                width: 3200,
                height: 1080,
                ..
            }
        )
    });
    let on = position(
        &|op| matches!(op, Op::SetCrtc { config: Some(c), .. } if c.outputs == ["DUMMY1"]),
    );
    assert!(mode < on && grow < on, "{ops:?}");
    assert!(ops.iter().any(
        |op| matches!(op, Op::SetMonitor { name, outputs, .. } if name == "XR-0" && *outputs == ["DUMMY1"])
    ));
    assert_eq!(plan.plan.expect.outputs["DUMMY1"], plan.rect);
    assert_eq!(plan.plan.expect.monitors["XR-0"], plan.rect);
    // A free connector is disconnected: GTK will not list it.
    assert!(!plan.target.visible_to_gtk(&state));
}

#[test]
fn connected_glasses_anchor_a_monitor_without_a_crtc() {
    let state = desk()
        .edit("DUMMY1", |o| o.connected = true)
        .output("DUMMY4", true, None)
        .0;
    let mut req = request("XR-0", 1280, 720);
    req.glasses = Some("DUMMY1".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.backend, BackendKind::Anchored);
    assert_eq!(plan.output, None);
    let ops = &plan.plan.ops;
    assert_eq!(
        count(ops, |op| matches!(
            op,
            Op::SetCrtc { .. } | Op::CreateMode { .. }
        )),
        0
    );
    assert!(ops.iter().any(
        |op| matches!(op, Op::SetMonitor { name, outputs, .. } if name == "XR-0" && *outputs == ["DUMMY1"])
    ));
    assert!(plan.target.visible_to_gtk(&state));
}

#[test]
fn the_xr_manager_output_comes_first_in_auto() {
    let state = desk().output(XR_MANAGER, false, None).0;
    let mut req = request("XR-0", 1920, 1080);
    req.glasses = Some("DUMMY1".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.backend, BackendKind::XrManager);
    assert!(
        matches!(&plan.plan.ops[0], Op::CreateXrOutput { value, .. } if value == "XR-0:1920:1080:60")
    );
    assert!(plan.plan.ops.iter().any(|op| matches!(
        op,
        Op::SetCrtc { crtc: CrtcRef::OfOutput(o), config: Some(c) } if o == "XR-0" && c.mode == ModeRef::PreferredOf("XR-0".into())
    )));
}

#[test]
fn glasses_anchor_one_monitor_only() {
    let state = desk()
        .edit("DUMMY1", |o| o.connected = true)
        .monitor("XR-0", rect(800, 600, 1920, 0), &["DUMMY1"])
        .0;
    let mut req = request("XR-1", 800, 600);
    req.glasses = Some("DUMMY1".into());
    req.backend = BackendKind::Anchored;
    let refused = plan_enable(&state, &req).unwrap_err();
    assert_eq!(refused.kind, Kind::Unsupported);
    assert!(
        refused.message.contains("already anchors XR-0"),
        "{}",
        refused.message
    );
    req.backend = BackendKind::Auto;
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.backend, BackendKind::SpareOutput);
    // Beside XR-0's own area, not over it.
    assert_eq!(plan.rect, rect(800, 600, 2720, 0));
}

#[test]
fn non_desktop_glasses_cannot_anchor() {
    let state = desk()
        .edit("DUMMY1", |o| {
            o.connected = true;
            o.non_desktop = true;
        })
        .0;
    let mut req = request("XR-0", 800, 600);
    req.glasses = Some("DUMMY1".into());
    assert_ne!(
        plan_enable(&state, &req).unwrap().backend,
        BackendKind::Anchored
    );
}

#[test]
fn right_of_moves_the_outputs_beyond_aside_and_their_monitors_with_them() {
    let state = desk()
        .output("DUMMY4", true, Some(rect(1024, 768, 1920, 0)))
        .monitor("XR-9", rect(1024, 768, 1920, 0), &["DUMMY4"])
        .0;
    let mut req = request("XR-0", 800, 600);
    req.placement = Placement::RightOf("DUMMY0".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.rect, rect(800, 600, 1920, 0));
    let moved = rect(1024, 768, 2720, 0);
    assert_eq!(plan.plan.expect.outputs["DUMMY4"], moved);
    assert_eq!(plan.plan.expect.monitors["XR-9"], moved);
    let ops = &plan.plan.ops;
    assert!(ops.iter().any(|op| matches!(
        op,
        Op::SetCrtc { config: Some(c), .. } if c.outputs == ["DUMMY4"] && (c.x, c.y) == (2720, 0)
    )));
    let redefine = ops
        .iter()
        .position(|op| matches!(op, Op::DeleteMonitor { name } if name == "XR-9"))
        .expect("the monitor is redefined");
    assert!(
        matches!(&ops[redefine + 1], Op::SetMonitor { name, rect: r, .. } if name == "XR-9" && *r == moved)
    );
}

#[test]
fn an_anchored_monitor_in_the_way_moves_by_its_own_rectangle() {
    let state = desk()
        .output("DUMMY4", true, Some(rect(1024, 768, 1920, 0)))
        .monitor("XR-0", rect(1280, 720, 2944, 0), &["DUMMY4"])
        .0;
    let mut req = request("XR-1", 640, 480);
    req.placement = Placement::RightOf("DUMMY0".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.plan.expect.outputs["DUMMY4"], rect(1024, 768, 2560, 0));
    assert_eq!(plan.plan.expect.monitors["XR-0"], rect(1280, 720, 3584, 0));
    assert_eq!(plan.plan.expect.screen, (4864, 1080));
}

#[test]
fn left_of_puts_the_xr_output_at_the_origin_and_shifts_the_rest() {
    let state = desk().0;
    let mut req = request("XR-0", 1280, 720);
    req.placement = Placement::LeftOf("DUMMY0".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.rect, rect(1280, 720, 0, 0));
    assert_eq!(
        plan.plan.expect.outputs["DUMMY0"],
        rect(1920, 1080, 1280, 0)
    );
}

#[test]
fn disable_closes_the_gap_and_removes_only_its_own_modes() {
    let enabled = desk().0;
    let plan = plan_enable(&enabled, &request("XR-0", 1280, 720)).unwrap();
    assert!(plan
        .plan
        .ops
        .iter()
        .any(|op| matches!(op, Op::AddOutputMode { .. })));
    // The same screen after that plan ran.
    let mut state = desk().0;
    let mode = 0x99;
    state.modes.insert(
        mode,
        Mode {
            id: mode,
            name: "xr-1280x720@60".into(),
            width: 1280,
            height: 720,
            refresh: 59.86,
        },
    );
    let dummy1 = state.output("DUMMY1").unwrap().clone();
    let crtc = dummy1.crtcs[0];
    for c in &mut state.crtcs {
        if c.id == crtc {
            *c = Crtc {
                id: crtc,
                x: 1920,
                y: 0,
                width: 1280,
                height: 720,
                mode,
                rotation: 1,
                outputs: vec![dummy1.id],
            };
        }
    }
    for o in &mut state.outputs {
        if o.name == "DUMMY1" {
            o.crtc = crtc;
            o.modes.push(mode);
        }
    }
    state.width = 3200;
    state.monitors.push(Monitor {
        name: "XR-0".into(),
        primary: false,
        automatic: false,
        rect: rect(1280, 720, 1920, 0),
        mm: (100, 100),
        outputs: vec![dummy1.id],
    });
    assert_eq!(
        XrTarget::find(&state, "XR-0"),
        XrTarget::Spare {
            output: "DUMMY1".into(),
            alias: Some("XR-0".into())
        }
    );
    let undo = plan_disable(&state, "XR-0")
        .unwrap()
        .expect("something to undo");
    let ops = &undo.ops;
    assert!(matches!(&ops[0], Op::DeleteMonitor { name } if name == "XR-0"));
    assert!(ops
        .iter()
        .any(|op| matches!(op, Op::SetCrtc { config: None, crtc: CrtcRef::Id(c) } if *c == crtc)));
    assert!(ops.iter().any(|op| matches!(
        op,
        Op::SetScreenSize {
            width: 1920,
            height: 1080,
            ..
        }
    )));
    assert!(ops.iter().any(
        |op| matches!(op, Op::DestroyMode { mode: ModeRef::Existing { id, .. } } if *id == mode)
    ));
    assert_eq!(undo.expect.screen, (1920, 1080));
    assert!(!undo.expect.outputs.contains_key("DUMMY1"));
    assert!(!undo.expect.monitors.contains_key("XR-0"));
}

#[test]
fn disable_of_an_output_already_off_has_nothing_to_do() {
    let state = desk().edit("DUMMY2", |o| o.connected = true).0;
    assert!(plan_disable(&state, "DUMMY2").unwrap().is_none());
    assert!(plan_disable(&state, "XR-0").unwrap().is_none());
}

#[test]
fn disable_refuses_a_monitor_that_is_not_an_xr_output() {
    let state = desk().0;
    let refused = plan_disable(&state, "DUMMY0").unwrap_err();
    assert_eq!(refused.kind, Kind::Usage);
}

#[test]
fn the_primary_role_goes_to_the_output_nearest_the_origin() {
    let state = desk()
        .output("DUMMY4", true, Some(rect(1024, 768, 1920, 0)))
        .output("DUMMY5", true, Some(rect(1024, 768, 0, 1080)))
        .0;
    let mut req = request("DUMMY2", 800, 600);
    req.primary = true;
    req.placement = Placement::At(Position { x: 0, y: 2160 });
    let plan = plan_enable(&state, &req).unwrap();
    assert!(plan
        .plan
        .ops
        .iter()
        .any(|op| matches!(op, Op::SetPrimary { output: Some(o) } if o == "DUMMY2")));
    assert_eq!(plan.plan.expect.primary.as_deref(), Some("DUMMY2"));
}

#[test]
fn a_new_name_must_be_xr_n_and_a_typo_lists_the_outputs() {
    let state = desk().0;
    let typo = plan_enable(&state, &request("HDMI-9", 800, 600)).unwrap_err();
    assert_eq!(typo.kind, Kind::Usage);
    assert!(
        typo.message.contains("DUMMY0, DUMMY1, DUMMY2, DUMMY3"),
        "{}",
        typo.message
    );
    for bad in ["XR-", "XR-a", "xr-0", "XR-0:1", "XR-1000"] {
        assert_eq!(
            plan_enable(&state, &request(bad, 800, 600))
                .unwrap_err()
                .kind,
            Kind::Usage,
            "{bad}"
        );
    }
    assert!(plan_enable(&state, &request("XR-12", 800, 600)).is_ok());
}

#[test]
fn enabling_what_is_enabled_sends_nothing() {
    let state = desk()
        .output("DUMMY4", true, None)
        .edit("DUMMY4", |o| o.connected = true)
        .monitor("XR-0", rect(1280, 720, 1920, 0), &["DUMMY4"])
        .0;
    let mut state = state;
    state.width = 3200;
    let mut req = request("XR-0", 1280, 720);
    req.glasses = Some("DUMMY4".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.backend, BackendKind::Anchored);
    assert!(plan.plan.ops.is_empty(), "{:?}", plan.plan.ops);
}

#[test]
fn a_screen_larger_than_the_server_allows_is_refused() {
    let mut state = desk().0;
    state.max_size = (2048, 2048);
    let refused = plan_enable(&state, &request("XR-0", 1920, 1080)).unwrap_err();
    assert_eq!(refused.kind, Kind::Unsupported);
    assert!(
        refused.message.contains("maximum 2048x2048"),
        "{}",
        refused.message
    );
}

/// The patched driver's XR-0, on at 1920x1080 right of DUMMY0 through its own CRTC.
fn patched_with_xr0() -> Screen {
    desk()
        .output(XR_MANAGER, false, None)
        .output("XR-0", true, Some(rect(1920, 1080, 1920, 0)))
        .edit("XR-0", |o| o.virtual_output = true)
}

#[test]
fn the_virtual_crtc_is_off_while_the_screen_changes_size() {
    let state = patched_with_xr0().0;
    let plan = plan_enable(&state, &request("XR-0", 2560, 1440)).unwrap();
    assert_eq!(plan.backend, BackendKind::XrManager);
    let ops = &plan.plan.ops;
    let off = ops
        .iter()
        .position(|op| matches!(op, Op::SetCrtc { config: None, .. }))
        .expect("turned off first");
    let resize = ops
        .iter()
        .position(|op| matches!(op, Op::SetScreenSize { .. }))
        .expect("resized");
    let on = ops
        .iter()
        .position(|op| matches!(op, Op::SetCrtc { config: Some(c), .. } if c.outputs == ["XR-0"]))
        .expect("set again");
    assert!(off < resize && resize < on, "{ops:?}");
}

#[test]
fn a_reprobed_virtual_output_is_refused_with_what_to_do() {
    let state = patched_with_xr0().edit("XR-0", |o| o.crtcs.clear()).0;
    let refused = plan_enable(&state, &request("XR-0", 2560, 1440)).unwrap_err();
    assert!(refused.message.contains("re-probed"), "{}", refused.message);
}

#[test]
fn a_recreated_output_listing_a_freed_crtc_is_refused() {
    let state = desk()
        .output(XR_MANAGER, false, None)
        .output("XR-0", true, None)
        .edit("XR-0", |o| {
            o.virtual_output = true;
            o.crtcs = vec![0x7777];
        })
        .0;
    let refused = plan_enable(&state, &request("XR-0", 1920, 1080)).unwrap_err();
    assert!(
        refused.message.contains("restart the X server"),
        "{}",
        refused.message
    );
}

#[test]
fn an_output_less_monitor_takes_room_and_disable_moves_it_back() {
    let state = desk().monitor("XR-0", rect(1280, 720, 1920, 0), &[]).0;
    let mut state = state;
    state.width = 3200;
    let mut req = request("XR-1", 800, 600);
    req.backend = BackendKind::Monitor;
    req.placement = Placement::RightOf("DUMMY0".into());
    let plan = plan_enable(&state, &req).unwrap();
    assert_eq!(plan.rect, rect(800, 600, 1920, 0));
    assert_eq!(plan.plan.expect.monitors["XR-0"], rect(1280, 720, 2720, 0));
    let undo = plan_disable(&state, "XR-0")
        .unwrap()
        .expect("a monitor to delete");
    assert_eq!(
        undo.ops[0],
        Op::DeleteMonitor {
            name: "XR-0".into()
        }
    );
    assert_eq!(undo.expect.screen, (1920, 1080));
}
