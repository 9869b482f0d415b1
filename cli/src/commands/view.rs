//! `recenter`, `follow`, `curved`, `zoom` and `steady`: view commands for the running
//! loop, over its control socket.

use crate::cli::{CurvedArgs, FollowArgs, SteadyArgs, Switch, ViewArgs, ZoomArgs};
use crate::commands::{print_json, Context};
use crate::exit::{Error, Kind, Result};
use crate::pipeline::control::{self, Request};
use crate::pipeline::transform::{steady_words, ViewStatus};
use crate::runtime;
use xrdisplay_model::Follow;

pub fn recenter(ctx: &Context, args: &ViewArgs) -> Result<()> {
    send(ctx, args, Request::Recenter, |view| {
        match &view.driver_refused {
            Some(why) => format!("recentred here, not by the XR driver: {why}"),
            None => "recentred".into(),
        }
    })
}

pub fn follow(ctx: &Context, args: &FollowArgs) -> Result<()> {
    if let Some(deg) = args.beyond {
        if args.switch == Switch::Off {
            return Err(Error::usage(
                "a follow threshold goes with `on` or `toggle`, not `off`",
            ));
        }
        Follow::Beyond(deg).check().map_err(Error::usage)?;
    }
    let request = Request::Follow {
        on: args.switch.on(),
        beyond: args.beyond,
    };
    send(ctx, &args.view, request, |view| {
        if view.follow {
            format!("follow on (beyond {:.0}°)", view.follow_deg)
        } else {
            "follow off".into()
        }
    })
}

pub fn curved(ctx: &Context, args: &CurvedArgs) -> Result<()> {
    let request = Request::Curved {
        on: args.switch.on(),
    };
    send(ctx, &args.view, request, |view| {
        if view.curved {
            "curved".into()
        } else {
            "flat".into()
        }
    })
}

pub fn zoom(ctx: &Context, args: &ZoomArgs) -> Result<()> {
    send(ctx, &args.view, Request::Zoom { zoom: args.zoom }, |view| {
        format!("zoom {:.2}", view.zoom)
    })
}

pub fn steady(ctx: &Context, args: &SteadyArgs) -> Result<()> {
    let request = Request::Steady {
        on: args.switch.on(),
    };
    send(ctx, &args.view, request, |view| steady_words(view).into())
}

/// Sends `request` to the loop serving the output and prints the view state it
/// reports after applying it.
fn send(
    ctx: &Context,
    args: &ViewArgs,
    request: Request,
    describe: impl Fn(&ViewStatus) -> String,
) -> Result<()> {
    let name = ctx.output_name(&args.output)?;
    let display = crate::randr::display_name(ctx.display.as_deref())?;
    let socket = runtime::loop_socket(&display, &name).ok_or_else(|| {
        Error::new(
            Kind::NoLoop,
            "XDG_RUNTIME_DIR is not set, so no render loop can be reached",
        )
    })?;
    let reply = control::request(&socket, &request)?;
    if !reply.ok {
        return Err(Error::runtime(format!(
            "the render loop refused the command: {}",
            reply.error.unwrap_or_default()
        )));
    }
    let view = reply.status.map(|s| s.view);
    if args.json {
        return print_json(&serde_json::json!({ "applied": view.is_some(), "view": view }));
    }
    match view {
        Some(view) => out!("{}", describe(&view)),
        None => out!("sent; the render loop has not applied it yet"),
    }
    Ok(())
}
