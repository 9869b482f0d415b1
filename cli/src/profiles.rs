//! What each pair of glasses showed last: its XR outputs with their size, refresh,
//! placement and backend, kept per pair (by EDID maker, product and serial) under
//! `$XDG_STATE_HOME/xrdisplay/pairs/` so that `watch` brings a pair's own layout back
//! when it is plugged in again. `enable` and `disable` with the glasses connected
//! update it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::exit::{Error, Result};
use crate::randr::backend::EnableRequest;
use crate::randr::layout::Placement;

/// The `enable` flags that make `req`'s XR output again.
pub fn enable_args(req: &EnableRequest) -> Vec<String> {
    let mut args = vec![
        "enable".into(),
        "--output".into(),
        req.output.clone(),
        "--size".into(),
        req.size.to_string(),
        "--refresh".into(),
        req.refresh.to_string(),
        "--backend".into(),
        req.backend.to_string(),
    ];
    let (flag, value) = match &req.placement {
        Placement::Auto => (None, String::new()),
        Placement::RightOf(o) => (Some("--right-of"), o.clone()),
        Placement::LeftOf(o) => (Some("--left-of"), o.clone()),
        Placement::Above(o) => (Some("--above"), o.clone()),
        Placement::Below(o) => (Some("--below"), o.clone()),
        Placement::At(p) => (Some("--pos"), format!("{},{}", p.x, p.y)),
    };
    if let Some(flag) = flag {
        args.extend([flag.to_string(), value]);
    }
    if req.primary {
        args.push("--primary".into());
    }
    args
}

/// One pair's remembered layout, XR outputs in the order they were enabled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub model: Option<String>,
    pub outputs: Vec<EnableRequest>,
}

fn dir() -> Result<PathBuf> {
    crate::xdg::state_home()
        .map(|state| state.join("xrdisplay").join("pairs"))
        .ok_or_else(|| {
            Error::usage(
                "neither XDG_STATE_HOME nor HOME is set: no place for the glasses' layouts",
            )
        })
}

fn path(pair: &str) -> Result<PathBuf> {
    Ok(dir()?.join(format!("{pair}.json")))
}

/// The pair's profile; `None` when it has none.
pub fn load(pair: &str) -> Result<Option<Profile>> {
    let path = path(pair)?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::runtime(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        Error::usage(format!(
            "{} is not a layout xrdisplay wrote: {e}",
            path.display()
        ))
    })
}

fn save(pair: &str, profile: &Profile) -> Result<()> {
    let path = path(pair)?;
    let text = serde_json::to_string_pretty(profile)
        .map_err(|e| Error::runtime(format!("cannot encode the layout: {e}")))?;
    let dir = dir()?;
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let tmp = tempfile::NamedTempFile::new_in(&dir)?;
        std::fs::write(tmp.path(), text)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    });
    written.map_err(|e| Error::runtime(format!("cannot write {}: {e}", path.display())))
}

/// Records `entry` in the pair's profile, replacing the same output's.
pub fn remember(pair: &str, model: Option<&str>, entry: EnableRequest) -> Result<()> {
    let mut profile = load(pair)?.unwrap_or_default();
    profile.model = model.map(str::to_string).or(profile.model);
    match profile
        .outputs
        .iter_mut()
        .find(|e| e.output == entry.output)
    {
        Some(old) => *old = entry,
        None => profile.outputs.push(entry),
    }
    save(pair, &profile)
}

/// Drops `output` from the pair's profile.
pub fn drop_output(pair: &str, output: &str) -> Result<()> {
    let Some(mut profile) = load(pair)? else {
        return Ok(());
    };
    profile.outputs.retain(|e| e.output != output);
    save(pair, &profile)
}

/// Every remembered pair, by id.
pub fn list() -> Result<Vec<(String, Profile)>> {
    let dir = dir()?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::runtime(format!(
                "cannot read {}: {e}",
                dir.display()
            )))
        }
    };
    let mut pairs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(pair) = name.strip_suffix(".json") {
            if let Some(profile) = load(pair)? {
                pairs.push((pair.to_string(), profile));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(pairs)
}

/// Forgets a pair; false when there was nothing to forget.
pub fn forget(pair: &str) -> Result<bool> {
    let path = path(pair)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::runtime(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Position, Size};
    use xrdisplay_model::BackendKind;

    #[test]
    fn an_entry_gives_back_the_enable_flags_that_made_it() {
        let entry = EnableRequest {
            output: "XR-1".into(),
            size: Size {
                width: 1280,
                height: 720,
            },
            refresh: 90,
            placement: Placement::At(Position { x: 0, y: 1080 }),
            primary: true,
            backend: BackendKind::Anchored,
            glasses: Some("DUMMY1".into()),
        };
        assert_eq!(
            enable_args(&entry).join(" "),
            "enable --output XR-1 --size 1280x720 --refresh 90 --backend anchored --pos 0,1080 --primary"
        );
        let text = serde_json::to_string(&Profile {
            model: Some("XREAL Air".into()),
            outputs: vec![entry.clone()],
        })
        .unwrap();
        let back: Profile = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back.outputs[0].glasses, None,
            "found anew, never remembered"
        );
        assert_eq!(
            back.outputs[0],
            EnableRequest {
                glasses: None,
                ..entry
            }
        );
    }
}
