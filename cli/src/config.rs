//! The configuration: defaults, overridden by `$XDG_CONFIG_HOME/xrdisplay/config.toml`,
//! overridden by flags.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exit::{Error, Result};
use crate::geometry::{Position, Size};
use crate::randr::layout::Placement;
use xrdisplay_model::{
    BackendKind, Follow, ImuChoice, ViewConfig, EYE_OFFSET_RANGE, FOV_RANGE, ZOOM_RANGE,
};

pub const DEFAULT_OUTPUT: &str = "XR-0";
pub const DEFAULT_SIZE: Size = Size {
    width: 1920,
    height: 1080,
};
pub const DEFAULT_REFRESH: u32 = 60;
/// Refresh rates a mode may ask for, in Hz.
pub const REFRESH_RANGE: std::ops::RangeInclusive<u32> = 1..=240;
/// Stillness thresholds a loop accepts: degrees per second, degrees, seconds.
const STEADY_SPEED_RANGE: std::ops::RangeInclusive<f32> = 0.01..=90.0;
const STEADY_RANGE_RANGE: std::ops::RangeInclusive<f32> = 0.01..=10.0;
const STEADY_QUIET_RANGE: std::ops::RangeInclusive<f32> = 0.05..=10.0;

/// The file's keys; every one optional, unknown keys refused (a typo must not pass silently).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<Position>,
    /// The head pose: `auto`, `glasses`, `file:PATH`, `replay:FILE`, `sway` or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imu: Option<ImuChoice>,
    /// The glasses' diagonal field of view, in degrees (poses read in-process).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fov: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoom: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curved: Option<bool>,
    /// Follow mode at start: true, false, or on beyond this many degrees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow: Option<Follow>,
    /// Side-by-side eye offset, in view pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eye_offset: Option<f32>,
    /// Hold the screen on whole pixels while the head is still.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steady: Option<bool>,
    /// Still below this angular speed, in degrees per second ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steady_speed: Option<f32>,
    /// ... within this range, in degrees ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steady_range: Option<f32>,
    /// ... for this many seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steady_quiet: Option<f32>,
}

impl FileConfig {
    /// The placement keys as one value; more than one of them is an error.
    pub fn placement(&self) -> std::result::Result<Option<Placement>, String> {
        let all = [
            self.right_of.clone().map(Placement::RightOf),
            self.left_of.clone().map(Placement::LeftOf),
            self.above.clone().map(Placement::Above),
            self.below.clone().map(Placement::Below),
            self.pos.map(Placement::At),
        ];
        let mut given = all.into_iter().flatten();
        let first = given.next();
        if given.next().is_some() {
            return Err("only one of right-of, left-of, above, below and pos may be given".into());
        }
        Ok(first)
    }

    /// Overlays `over` on `self`: every key `over` sets wins; placement keys replace as a group.
    pub fn overlay(mut self, over: FileConfig) -> FileConfig {
        if over.placement().ok().flatten().is_some() {
            self.right_of = None;
            self.left_of = None;
            self.above = None;
            self.below = None;
            self.pos = None;
        }
        FileConfig {
            output: over.output.or(self.output),
            size: over.size.or(self.size),
            refresh: over.refresh.or(self.refresh),
            backend: over.backend.or(self.backend),
            primary: over.primary.or(self.primary),
            right_of: over.right_of.or(self.right_of),
            left_of: over.left_of.or(self.left_of),
            above: over.above.or(self.above),
            below: over.below.or(self.below),
            pos: over.pos.or(self.pos),
            imu: over.imu.or(self.imu),
            fov: over.fov.or(self.fov),
            zoom: over.zoom.or(self.zoom),
            curved: over.curved.or(self.curved),
            follow: over.follow.or(self.follow),
            eye_offset: over.eye_offset.or(self.eye_offset),
            steady: over.steady.or(self.steady),
            steady_speed: over.steady_speed.or(self.steady_speed),
            steady_range: over.steady_range.or(self.steady_range),
            steady_quiet: over.steady_quiet.or(self.steady_quiet),
        }
    }

    /// Refuses view values a loop could not use; the message names the key.
    fn check_view(&self) -> std::result::Result<(), String> {
        if let Some(z) = self.zoom.filter(|z| !ZOOM_RANGE.contains(z)) {
            return Err(format!(
                " key `zoom`: {z} is out of range ({}-{})",
                ZOOM_RANGE.start(),
                ZOOM_RANGE.end()
            ));
        }
        if let Some(f) = self.fov.filter(|f| !FOV_RANGE.contains(f)) {
            return Err(format!(
                " key `fov`: {f}° is out of range ({}-{}°)",
                FOV_RANGE.start(),
                FOV_RANGE.end()
            ));
        }
        if let Some(follow) = self.follow {
            follow.check().map_err(|e| format!(" key `follow`: {e}"))?;
        }
        if let Some(e) = self.eye_offset.filter(|e| !EYE_OFFSET_RANGE.contains(e)) {
            return Err(format!(
                " key `eye-offset`: {e} is out of range ({} to {} pixels)",
                EYE_OFFSET_RANGE.start(),
                EYE_OFFSET_RANGE.end()
            ));
        }
        for (key, value, range) in [
            ("steady-speed", self.steady_speed, STEADY_SPEED_RANGE),
            ("steady-range", self.steady_range, STEADY_RANGE_RANGE),
            ("steady-quiet", self.steady_quiet, STEADY_QUIET_RANGE),
        ] {
            if let Some(v) = value.filter(|v| !range.contains(v)) {
                return Err(format!(
                    " key `{key}`: {v} is out of range ({}-{})",
                    range.start(),
                    range.end()
                ));
            }
        }
        Ok(())
    }
}

/// The settings in force after defaults, file and flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub output: String,
    pub size: Size,
    pub refresh: u32,
    pub backend: BackendKind,
    pub primary: bool,
    pub placement: Placement,
    pub view: ViewConfig,
}

impl Settings {
    pub fn resolve(config: &FileConfig) -> Result<Settings> {
        let refresh = config.refresh.unwrap_or(DEFAULT_REFRESH);
        if !REFRESH_RANGE.contains(&refresh) {
            return Err(Error::usage(format!(
                "refresh {refresh} Hz is out of range ({}-{} Hz)",
                REFRESH_RANGE.start(),
                REFRESH_RANGE.end()
            )));
        }
        Ok(Settings {
            output: config
                .output
                .clone()
                .unwrap_or_else(|| DEFAULT_OUTPUT.to_string()),
            size: config.size.unwrap_or(DEFAULT_SIZE),
            refresh,
            backend: config.backend.unwrap_or_default(),
            primary: config.primary.unwrap_or(false),
            placement: config
                .placement()
                .map_err(Error::usage)?
                .unwrap_or_default(),
            view: {
                config
                    .check_view()
                    .map_err(|e| Error::usage(e.trim_start().to_string()))?;
                let default = ViewConfig::default();
                ViewConfig {
                    imu: config.imu.clone().unwrap_or(default.imu),
                    fov: config.fov,
                    zoom: config.zoom.unwrap_or(default.zoom),
                    curved: config.curved.unwrap_or(default.curved),
                    follow: config.follow.unwrap_or(default.follow),
                    eye_offset: config.eye_offset.unwrap_or(default.eye_offset),
                    steady: config.steady.unwrap_or(default.steady),
                    steady_speed: config.steady_speed.unwrap_or(default.steady_speed),
                    steady_range: config.steady_range.unwrap_or(default.steady_range),
                    steady_quiet: config.steady_quiet.unwrap_or(default.steady_quiet),
                }
            },
        })
    }

    /// The settings written back as a configuration file would hold them.
    pub fn to_file_config(&self) -> FileConfig {
        let mut file = FileConfig {
            output: Some(self.output.clone()),
            size: Some(self.size),
            refresh: Some(self.refresh),
            backend: Some(self.backend),
            primary: Some(self.primary),
            imu: Some(self.view.imu.clone()),
            fov: self.view.fov,
            zoom: Some(self.view.zoom),
            curved: Some(self.view.curved),
            follow: Some(self.view.follow),
            eye_offset: Some(self.view.eye_offset),
            steady: Some(self.view.steady),
            steady_speed: Some(self.view.steady_speed),
            steady_range: Some(self.view.steady_range),
            steady_quiet: Some(self.view.steady_quiet),
            ..FileConfig::default()
        };
        match &self.placement {
            Placement::Auto => {}
            Placement::RightOf(o) => file.right_of = Some(o.clone()),
            Placement::LeftOf(o) => file.left_of = Some(o.clone()),
            Placement::Above(o) => file.above = Some(o.clone()),
            Placement::Below(o) => file.below = Some(o.clone()),
            Placement::At(p) => file.pos = Some(*p),
        }
        file
    }
}

/// `$XDG_CONFIG_HOME/xrdisplay/config.toml`, falling back to `~/.config`.
pub fn default_path() -> Option<PathBuf> {
    Some(
        crate::xdg::config_home()?
            .join("xrdisplay")
            .join("config.toml"),
    )
}

/// Reads the file at `path`; a missing file is an empty configuration.
pub fn load(path: &Path) -> Result<FileConfig> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(e) => return Err(Error::usage(format!("cannot read {}: {e}", path.display()))),
    };
    parse(&text).map_err(|e| Error::usage(format!("{}:{e}", path.display())))
}

/// Parses a configuration; errors read `LINE: key `KEY`: what is wrong`.
pub fn parse(text: &str) -> std::result::Result<FileConfig, String> {
    let config: FileConfig = toml::from_str(text).map_err(|e| {
        let line_start = e
            .span()
            .map_or(0, |s| text[..s.start].rfind('\n').map_or(0, |i| i + 1));
        let line = text[..line_start].matches('\n').count() + 1;
        let key = text[line_start..]
            .lines()
            .next()
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| format!(" key `{}`:", k.trim()))
            .unwrap_or_default();
        format!("{line}:{key} {}", e.message().trim())
    })?;
    config.placement()?;
    config.check_view()?;
    if let Some(r) = config.refresh.filter(|r| !REFRESH_RANGE.contains(r)) {
        return Err(format!(
            " key `refresh`: {r} Hz is out of range ({}-{} Hz)",
            REFRESH_RANGE.start(),
            REFRESH_RANGE.end()
        ));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let config = parse(
            "output = \"XR-1\"\nsize = \"2560x1440\"\nrefresh = 90\nbackend = \"spare-output\"\nright-of = \"eDP-1\"\n",
        )
        .unwrap();
        let settings = Settings::resolve(&config).unwrap();
        assert_eq!(settings.output, "XR-1");
        assert_eq!(
            settings.size,
            Size {
                width: 2560,
                height: 1440
            }
        );
        assert_eq!(settings.refresh, 90);
        assert_eq!(settings.backend, BackendKind::SpareOutput);
        assert_eq!(settings.placement, Placement::RightOf("eDP-1".into()));
    }

    #[test]
    fn view_keys_parse_and_flags_override_them() {
        let file = parse("imu = \"sway\"\nzoom = 1.5\ncurved = true\nfollow = 10\n").unwrap();
        let view = Settings::resolve(&file).unwrap().view;
        assert_eq!(view.imu, ImuChoice::Sway);
        assert_eq!((view.zoom, view.curved), (1.5, true));
        assert_eq!(view.follow, Follow::Beyond(10.0));
        let flags = FileConfig {
            zoom: Some(2.0),
            follow: Some(Follow::Switch(false)),
            ..FileConfig::default()
        };
        let view = Settings::resolve(&file.overlay(flags)).unwrap().view;
        assert_eq!((view.zoom, view.follow), (2.0, Follow::Switch(false)));
        assert_eq!(
            parse("follow = true\n").unwrap().follow,
            Some(Follow::Switch(true))
        );
        assert_eq!(
            parse("eye-offset = -12.5\n").unwrap().eye_offset,
            Some(-12.5)
        );
        let err = parse("eye-offset = 900\n").unwrap_err();
        assert!(err.contains("key `eye-offset`"), "{err}");
        let err = parse("zoom = 0\n").unwrap_err();
        assert!(err.contains("key `zoom`"), "{err}");
        let err = parse("follow = 400\n").unwrap_err();
        assert!(err.contains("key `follow`"), "{err}");
        let err = parse("follow = \"sometimes\"\n").unwrap_err();
        assert!(err.contains("threshold in degrees"), "{err}");
        let steady = parse("steady = false\nsteady-speed = 2.5\nsteady-quiet = 0.5\n").unwrap();
        let view = Settings::resolve(&steady).unwrap().view;
        assert_eq!((view.steady, view.steady_speed), (false, 2.5));
        assert_eq!((view.steady_range, view.steady_quiet), (0.5, 0.5));
        assert!(
            Settings::resolve(&FileConfig::default())
                .unwrap()
                .view
                .steady
        );
        let err = parse("steady-range = 0\n").unwrap_err();
        assert!(err.contains("key `steady-range`"), "{err}");
        let err = parse("steady-quiet = -1\n").unwrap_err();
        assert!(err.contains("key `steady-quiet`"), "{err}");
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let err = parse("output = \"XR-0\"\nsise = \"1920x1080\"\n").unwrap_err();
        assert!(err.starts_with("2: key `sise`:"), "{err}");
        assert!(err.contains("unknown field"), "{err}");
        let err = parse("\n\nrefresh = \"fast\"\n").unwrap_err();
        assert!(err.starts_with("3: key `refresh`:"), "{err}");
        let err = parse("size = \"0x0\"\n").unwrap_err();
        assert!(err.contains("too small"), "{err}");
        let err = parse("right-of = \"A\"\nabove = \"B\"\n").unwrap_err();
        assert!(err.contains("only one"), "{err}");
    }

    #[test]
    fn flags_override_the_file_and_placements_replace_as_a_group() {
        let file = parse("size = \"1280x720\"\nright-of = \"A\"\n").unwrap();
        let flags = FileConfig {
            above: Some("B".into()),
            refresh: Some(120),
            ..FileConfig::default()
        };
        let settings = Settings::resolve(&file.overlay(flags)).unwrap();
        assert_eq!(
            settings.size,
            Size {
                width: 1280,
                height: 720
            }
        );
        assert_eq!(settings.refresh, 120);
        assert_eq!(settings.placement, Placement::Above("B".into()));
        let round_trip = Settings::resolve(
            &parse(&toml::to_string(&settings.to_file_config()).unwrap()).unwrap(),
        );
        assert_eq!(round_trip.unwrap(), settings);
    }
}
