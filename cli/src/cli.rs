//! The command line, declared with clap; doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use xrdisplay_model::{
    BackendKind, CaptureMethod, Choice, Follow, ImuChoice, PresentChoice, SourceChoice, XfceMode,
    Zoom,
};

use crate::config::FileConfig;
use crate::geometry::{Position, Size};

/// Examples, backends and the exit codes (the table in `exit.rs`), under `--help`.
pub const AFTER_HELP: &str = "\
Examples:
  xrdisplay enable                         XR-0 at 1920x1080, right of every output
  xrdisplay enable --size 3840x1080 --right-of eDP-1 --refresh 90
  xrdisplay enable --output DUMMY1         drive a spare output as the XR screen
  xrdisplay enable --dry-run               print the RandR requests, change nothing
  xrdisplay status --json                  everything, for scripts
  xrdisplay disable                        turn XR-0 off and remove what was added

Backends (chosen with --backend, default auto, in this order), and whether GTK/XFCE
see the XR screen (GTK lists a monitor only if its first output is connected):
  xr-manager    the patched modesetting driver's virtual output (XR-Manager); seen
  anchored      a RandR 1.5 monitor over a grown screen, named by the connected
                glasses' output (found by its EDID); no CRTC spent; seen
  spare-output  an unused RandR output (e.g. HDMI-2, Virtual-2, DUMMY1) on a free
                CRTC; seen only if that connector is connected, which a free one is not
  monitor       a RandR 1.5 monitor over a grown screen, no output; not seen

Configuration: $XDG_CONFIG_HOME/xrdisplay/config.toml (see `xrdisplay config`);
flags override it.

Exit codes:
  0  success (also when there was nothing to change)
  1  the X server refused a change or it did not verify; the previous layout was restored
  2  usage or configuration error; nothing was changed
  3  the X server is unreachable or the connection was lost
  4  not supported by this X server (backend, output, size); nothing was changed
  5  a change failed and the previous layout could not be fully restored
  6  a desktop file or setting (xorg.conf snippet, autostart entry, capture helper,
     XFCE display profile, keyboard shortcuts) could not be written or removed; any
     RandR change was kept
  7  no render loop runs for the output (recenter, follow, curved, zoom, steady)";

/// Create, place and remove a virtual XR monitor (XR-0) on an X11 desktop.
///
/// xrdisplay drives RandR so that XR glasses get a monitor of their own: a virtual
/// output of the patched modesetting driver, a RandR monitor anchored on the glasses'
/// output, a spare output, or a RandR monitor.
/// Every change is a transaction: if any step fails, the previous layout is restored.
#[derive(Debug, Parser)]
#[command(name = "xrdisplay", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// X display to use, e.g. :0 [default: $DISPLAY]
    #[arg(long, global = true, value_name = "DISPLAY")]
    pub display: Option<String>,

    /// Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]
    #[arg(long, global = true, env = "XRDISPLAY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the X server, the backends, every output and the XR output's state.
    #[command(after_help = "Examples:\n  xrdisplay status\n  xrdisplay status --json | jq .xr")]
    Status(StatusArgs),

    /// Save what the XR output shows as a PNG.
    ///
    /// Reads the output's rectangle of the screen through the X server (MIT-SHM), which
    /// works everywhere; the DRM methods read the scanout framebuffer itself.
    #[command(
        after_help = "Examples:\n  xrdisplay snapshot -o xr.png\n  xrdisplay snapshot --output DUMMY1 --method shm -o dummy1.png"
    )]
    Snapshot(SnapshotArgs),

    /// Measure a capture method against references measured in the same run.
    ///
    /// Reports the per-frame copy time (median, p99) and throughput next to a plain
    /// memcpy of the same bytes; for MIT-SHM also the CPU time per frame on both sides of
    /// the socket (the copy runs in the X server) next to ffmpeg's x11grab of the same
    /// region, when ffmpeg is installed, by its marginal cost (runs of two lengths, so
    /// its start-up is not counted). And what DAMAGE saves: copies on an idle desktop,
    /// and the read of a change of 1 % of the output next to the whole output's.
    #[command(
        after_help = "Examples:\n  xrdisplay bench\n  xrdisplay bench --method shm --frames 300 --json"
    )]
    Bench(BenchArgs),

    /// Show the XR output on the glasses: capture, place (flat or head-tracked), present.
    ///
    /// Runs in the foreground until interrupted, the output goes away or --frames are
    /// shown; `enable` starts it in the background. Capture follows the screen's
    /// damage; rendering runs at the glasses' refresh and always shows the newest
    /// picture. With --present none it renders offscreen, for benchmarks and tests.
    #[command(
        after_help = "Examples:\n  xrdisplay run --stats\n  xrdisplay run --present-on HDMI-1\n  xrdisplay run --present none --frames 60 --save-frame glasses.png"
    )]
    Run(RunArgs),

    /// Put the screen straight ahead, where you look now.
    ///
    /// Tells the running loop (`xrdisplay run`, or the one `enable` started), which
    /// forwards it to the XR driver when poses come from its file.
    #[command(after_help = "Examples:\n  xrdisplay recenter\n  xrdisplay recenter --output XR-1")]
    Recenter(ViewArgs),

    /// Turn follow mode on or off: the screen eases back in front of you when you look
    /// further away than the follow threshold (`follow` in the configuration, default
    /// 15°; a number after the switch sets it).
    #[command(
        after_help = "Examples:\n  xrdisplay follow on\n  xrdisplay follow on 25       (beyond 25° from now on)\n  xrdisplay follow toggle      (a keyboard shortcut's command)\n  xrdisplay follow off --json"
    )]
    Follow(FollowArgs),

    /// Bend the screen around you (on) or make it flat (off), while the loop runs
    /// (`curved` in the configuration sets how it starts).
    #[command(after_help = "Examples:\n  xrdisplay curved on\n  xrdisplay curved toggle")]
    Curved(CurvedArgs),

    /// Make the screen look larger or smaller: `+` and `-` step by 10 %, a number sets
    /// the factor (1 fills the view, 2 is twice as large; 0.1 to 10).
    #[command(
        after_help = "Examples:\n  xrdisplay zoom +\n  xrdisplay zoom -\n  xrdisplay zoom 1.5\n  xrdisplay zoom 1          (back to filling the view)"
    )]
    Zoom(ZoomArgs),

    /// Hold the screen still and sharp while your head is still (on), or draw every
    /// head movement (off), while the loop runs (`steady` in the configuration sets
    /// how it starts; on by default).
    ///
    /// The head counts as still once it turns slower than `steady-speed` (°/s) within
    /// `steady-range` (°) for `steady-quiet` seconds; the screen is then held at the
    /// middle of that range and, flat at zoom 1, placed on whole pixels (one screen
    /// pixel per glasses pixel). Moving clearly more than that eases back to the
    /// live pose.
    #[command(
        after_help = "Examples:\n  xrdisplay steady off\n  xrdisplay steady toggle     (a keyboard shortcut's command)\n  xrdisplay steady on --json"
    )]
    Steady(SteadyArgs),

    /// Create (if needed), size, place and turn on the XR output.
    ///
    /// Idempotent: enabling what is already enabled with the same settings changes
    /// nothing. The mode is computed here (CVT reduced blanking, as `cvt -r`), the screen
    /// grows as needed, outputs beyond the new one move aside, and the result is read
    /// back and verified.
    #[command(
        after_help = "Examples:\n  xrdisplay enable\n  xrdisplay enable --size 2560x1440 --left-of HDMI-1 --primary\n  xrdisplay enable --backend monitor --pos 1920,0\n  xrdisplay enable --dry-run"
    )]
    Enable(EnableArgs),

    /// Watch for XR glasses and bring each pair's own layout back when it is plugged in.
    ///
    /// A long-running session process (one per X display; `install autostart` starts
    /// it at login). It listens to RandR events, never probing. When glasses appear
    /// (an output whose EDID names known glasses), it enables the XR outputs remembered
    /// for that pair (by EDID maker, product and serial), else the configured one, and
    /// the render loop starts on them; when the glasses go, it stops the loop and turns
    /// those XR outputs off, so no screen area is left where nobody can see it.
    /// `enable` and `disable` while a pair is plugged in update its layout (see
    /// `xrdisplay profile`). A render loop that dies is started again, waiting longer
    /// each time. Exits 0 on SIGTERM or SIGINT, 3 when the X server goes away.
    #[command(after_help = "Examples:\n  xrdisplay watch\n  xrdisplay watch --output XR-1")]
    Watch(WatchArgs),

    /// List or forget the layouts remembered for each pair of glasses.
    #[command(
        after_help = "Examples:\n  xrdisplay profile list\n  xrdisplay profile list --json\n  xrdisplay profile forget XRE-0424-00001234"
    )]
    Profile(ProfileArgs),

    /// Turn the XR output off, delete it or its monitor, shrink the screen back and
    /// remove the modes xrdisplay added. Idempotent.
    #[command(
        after_help = "Examples:\n  xrdisplay disable\n  xrdisplay disable --output DUMMY1 --dry-run"
    )]
    Disable(DisableArgs),

    /// Print the effective configuration (defaults, then the file, then flags) as TOML.
    #[command(
        after_help = "Example config.toml:\n  output = \"XR-0\"\n  size = \"1920x1080\"\n  refresh = 60\n  backend = \"auto\"\n  right-of = \"eDP-1\"   # or left-of, above, below, pos = \"1920,0\"\n  imu = \"auto\"        # or \"glasses\", \"file:/dev/shm/breezy_desktop_imu\", \"replay:FILE\", \"sway\", \"none\"\n  fov = 46            # the glasses' diagonal field of view, degrees\n  zoom = 1.0\n  curved = false\n  follow = 15          # or true, false\n  steady = true        # hold the screen while the head is still\n  steady-speed = 1.5   # still: slower than this (°/s) ...\n  steady-range = 0.5   # ... within this range (°) ...\n  steady-quiet = 1.0   # ... for this long (s)"
    )]
    Config(ConfigArgs),

    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  xrdisplay completions bash > ~/.local/share/bash-completion/completions/xrdisplay"
    )]
    Completions(CompletionsArgs),

    /// Find the glasses, watch their head tracking, record their IMU.
    ///
    /// xrdisplay reads the IMU of XREAL Air, Air 2, Air 2 Pro and Air 2 Ultra and of
    /// Rokid Air / Max glasses itself, over USB (hidraw): no XR driver and no licence.
    #[command(after_help = "Examples:
  xrdisplay imu list
  xrdisplay imu show --seconds 10
  xrdisplay imu record turn.csv --seconds 20
  xrdisplay run --imu replay:turn.csv --present none --save-frame last.png")]
    Imu(ImuArgs),

    /// Install desktop integration: the xorg.conf snippet selecting the modesetting
    /// driver, the autostart entry that starts the glasses watcher at login, the capture
    /// helper that reads DRM framebuffers for an unprivileged xrdisplay, XFCE
    /// keyboard shortcuts for recenter, follow, zoom, curved and steady, or the udev
    /// rules that let you read the glasses without root.
    ///
    /// Files are written atomically and marked as xrdisplay's; a file xrdisplay did not
    /// write is only replaced with --force, which keeps it as FILE.xrdisplay-backup.
    /// Updating its own file keeps the file's mode, and the version it replaces as
    /// FILE.xrdisplay-previous.
    #[command(
        after_help = "Examples:\n  sudo xrdisplay install xorg-conf --dry-run\n  sudo xrdisplay install xorg-conf\n  xrdisplay install autostart\n  sudo xrdisplay install capture-helper\n  xrdisplay install shortcuts\n  sudo xrdisplay install udev-rules --dry-run"
    )]
    Install(InstallArgs),

    /// Remove what `install` installed; files xrdisplay did not write are left alone, and
    /// a file `install --force` replaced is put back.
    #[command(
        after_help = "Examples:\n  xrdisplay uninstall autostart\n  xrdisplay uninstall shortcuts\n  sudo xrdisplay uninstall xorg-conf\n  sudo xrdisplay uninstall capture-helper\n  sudo xrdisplay uninstall udev-rules\n  sudo xrdisplay uninstall all"
    )]
    Uninstall(UninstallArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Name of the XR output to report on [default: from the config, else XR-0]
    #[arg(long, short)]
    pub output: Option<String>,

    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// What to capture and how: shared by snapshot, bench and run.
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The output to capture [default: from the config, else XR-0]
    #[arg(long)]
    pub output: Option<String>,

    /// How to read the pixels
    #[arg(long, value_parser = choice::<CaptureMethod>(), default_value_t = CaptureMethod::Auto)]
    pub method: CaptureMethod,

    /// Which framebuffer the DRM methods read
    #[arg(long, value_parser = choice::<SourceChoice>(), default_value_t = SourceChoice::Auto)]
    pub source: SourceChoice,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub capture: CaptureArgs,

    /// The PNG file to write
    #[arg(short = 'o', long = "out", value_name = "FILE.png")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub capture: CaptureArgs,

    /// Frames to measure
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub frames: u32,

    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub capture: CaptureArgs,

    /// More XR outputs to show beside the first, each where the RandR layout puts it
    /// (`--also XR-1` with XR-1 right of XR-0: turn your head right to see it)
    #[arg(long, value_name = "OUTPUT", value_delimiter = ',')]
    pub also: Vec<String>,

    /// Where to show the picture
    #[arg(long, value_parser = choice::<PresentChoice>(), default_value_t = PresentChoice::Auto)]
    pub present: PresentChoice,

    /// Present on this output instead of the glasses found by EDID
    #[arg(long, value_name = "OUTPUT")]
    pub present_on: Option<String>,

    /// Render rate of an offscreen view, in Hz (a window follows its output's vsync)
    #[arg(long, value_name = "HZ", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub refresh: u32,

    /// Size of an offscreen view [default: the XR output's size]
    #[arg(long, value_name = "WxH")]
    pub view_size: Option<Size>,

    /// Print capture and render figures once a second
    #[arg(long)]
    pub stats: bool,

    /// Stop after presenting this many frames
    #[arg(long, value_name = "N")]
    pub frames: Option<u64>,

    /// On exit, save the last presented picture (what the glasses show) as a PNG
    #[arg(long, value_name = "FILE.png")]
    pub save_frame: Option<PathBuf>,

    /// Head pose: `auto` (the glasses if found and readable, else the XR driver's
    /// file), `glasses` (their IMU, read in-process), `file:PATH` (a layout-5 pose
    /// file such as /dev/shm/breezy_desktop_imu; a bare path works too),
    /// `replay:FILE` (recorded samples, played at their timestamps; the loop then
    /// exits once the final pose is drawn), `sway` (a synthetic swaying head, for
    /// demos) or `none` (a flat screen) [default: the `imu` key, else auto]
    #[arg(long, value_name = "SOURCE")]
    pub imu: Option<ImuChoice>,

    /// The glasses' diagonal field of view in degrees, for poses read in-process
    /// (a pose file gives its own) [default: the `fov` key, else the model's; 46 for
    /// a replay]
    #[arg(long, value_name = "DEG")]
    pub fov: Option<f32>,

    /// Apparent size of the screen, 0.1-10: 1 fills the view, 2 is twice as large
    /// [default: the `zoom` key, else 1]
    #[arg(long, value_name = "FACTOR")]
    pub zoom: Option<f32>,

    /// Bend the screen around the viewer instead of a flat plane [default: the
    /// `curved` key, else flat]
    #[arg(long, overrides_with = "flat")]
    pub curved: bool,

    /// A flat screen, whatever the configuration says
    #[arg(long, overrides_with = "curved")]
    pub flat: bool,

    /// Follow mode: on, off, or on beyond this many degrees (the screen eases back in
    /// front of you when you look further away; `xrdisplay follow` switches it live)
    /// [default: the `follow` key, else off]
    #[arg(long, value_name = "on|off|DEGREES")]
    pub follow: Option<Follow>,

    /// Side-by-side glasses: move each eye's image this many pixels toward the middle,
    /// as for a screen at a finite distance (0: at infinity) [default: the `eye-offset`
    /// key, else 0]
    #[arg(long, value_name = "PIXELS", allow_negative_numbers = true)]
    pub eye_offset: Option<f32>,

    /// Hold the screen still on whole pixels while the head is still (`xrdisplay
    /// steady` switches it live) [default: the `steady` key, else on]
    #[arg(long, overrides_with = "no_steady")]
    pub steady: bool,

    /// Draw every head movement, however small
    #[arg(long, overrides_with = "steady")]
    pub no_steady: bool,
}

impl RunArgs {
    /// The flags as a configuration layer over the file.
    pub fn as_config(&self) -> FileConfig {
        FileConfig {
            output: self.capture.output.clone(),
            imu: self.imu.clone(),
            fov: self.fov,
            zoom: self.zoom,
            curved: match (self.curved, self.flat) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            follow: self.follow,
            eye_offset: self.eye_offset,
            steady: match (self.steady, self.no_steady) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            ..FileConfig::default()
        }
    }
}

/// Which running loop a view command talks to, and how it answers.
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// The XR output whose loop to tell [default: from the config, else XR-0]
    #[arg(long, short)]
    pub output: Option<String>,

    /// Print the loop's view state as JSON
    #[arg(long)]
    pub json: bool,
}

/// What `follow`, `curved` and `steady` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
    /// On when off, off when on
    Toggle,
}

impl Switch {
    /// On or off, or `None` to toggle.
    pub fn on(self) -> Option<bool> {
        match self {
            Switch::On => Some(true),
            Switch::Off => Some(false),
            Switch::Toggle => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct FollowArgs {
    #[arg(value_enum, value_name = "on|off|toggle")]
    pub switch: Switch,

    /// The follow threshold from now on, in degrees (more than 0, at most 180)
    #[arg(value_name = "DEGREES")]
    pub beyond: Option<f32>,

    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct CurvedArgs {
    #[arg(value_enum, value_name = "on|off|toggle")]
    pub switch: Switch,

    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct SteadyArgs {
    #[arg(value_enum, value_name = "on|off|toggle")]
    pub switch: Switch,

    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct ZoomArgs {
    /// `+` (or `in`), `-` (or `out`), or a factor from 0.1 to 10
    #[arg(value_name = "+|-|FACTOR", allow_hyphen_values = true)]
    pub zoom: Zoom,

    #[command(flatten)]
    pub view: ViewArgs,
}

#[derive(Debug, Args)]
pub struct EnableArgs {
    /// Name of a new XR output (XR-<n>), or an existing spare output to drive
    /// [default: XR-0]
    #[arg(long, short)]
    pub output: Option<String>,

    /// Size in pixels [default: 1920x1080]
    #[arg(long, value_name = "WxH")]
    pub size: Option<Size>,

    /// Refresh rate in Hz, 1-240 [default: 60]
    #[arg(long, value_name = "HZ", value_parser = clap::value_parser!(u32).range(1..=240))]
    pub refresh: Option<u32>,

    #[command(flatten)]
    pub placement: PlacementArgs,

    /// Make it the primary output
    #[arg(long)]
    pub primary: bool,

    /// How to get the output [default: auto]
    #[arg(long, value_parser = choice::<BackendKind>())]
    pub backend: Option<BackendKind>,

    /// Print the RandR requests it would send and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,

    /// Keep XFCE's display profile in step [default: auto, only inside an XFCE session]
    #[arg(long, value_parser = choice::<XfceMode>(), value_name = "WHEN", default_value_t = XfceMode::Auto, hide_default_value = true)]
    pub xfce: XfceMode,
}

/// Where to put the XR output; without one it goes right of every output.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct PlacementArgs {
    /// Place it right of OUTPUT (outputs beyond move right)
    #[arg(long, value_name = "OUTPUT")]
    pub right_of: Option<String>,

    /// Place it left of OUTPUT
    #[arg(long, value_name = "OUTPUT")]
    pub left_of: Option<String>,

    /// Place it above OUTPUT
    #[arg(long, value_name = "OUTPUT")]
    pub above: Option<String>,

    /// Place it below OUTPUT
    #[arg(long, value_name = "OUTPUT")]
    pub below: Option<String>,

    /// Place its top-left corner at X,Y (non-negative; must not overlap another output)
    #[arg(long, value_name = "X,Y", allow_hyphen_values = true)]
    pub pos: Option<Position>,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The XR output to enable for glasses with no remembered layout [default: from the
    /// config, else XR-0]
    #[arg(long, short)]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(subcommand)]
    pub action: ProfileAction,
}

#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Every pair with a remembered layout
    List {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Drop a pair's layout: it gets the configured one when plugged in again
    Forget {
        /// The pair, as `profile list` names it
        pair: String,
    },
}

#[derive(Debug, Args)]
pub struct DisableArgs {
    /// Name of the XR output [default: from the config, else XR-0]
    #[arg(long, short)]
    pub output: Option<String>,

    /// Print the RandR requests it would send and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,

    /// Keep XFCE's display profile in step [default: auto, only inside an XFCE session]
    #[arg(long, value_parser = choice::<XfceMode>(), value_name = "WHEN", default_value_t = XfceMode::Auto, hide_default_value = true)]
    pub xfce: XfceMode,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print JSON instead of TOML
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

impl EnableArgs {
    /// The flags as a configuration layer over the file.
    pub fn as_config(&self) -> FileConfig {
        FileConfig {
            output: self.output.clone(),
            size: self.size,
            refresh: self.refresh,
            backend: self.backend,
            primary: self.primary.then_some(true),
            right_of: self.placement.right_of.clone(),
            left_of: self.placement.left_of.clone(),
            above: self.placement.above.clone(),
            below: self.placement.below.clone(),
            pos: self.placement.pos,
            ..FileConfig::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    #[command(subcommand)]
    pub what: InstallWhat,
}

#[derive(Debug, Subcommand)]
pub enum InstallWhat {
    /// The xorg.conf snippet that makes the X server use the modesetting driver, whose
    /// virtual outputs xrdisplay needs; takes effect when the X session restarts.
    XorgConf(XorgConfInstallArgs),
    /// $XDG_CONFIG_HOME/autostart/xrdisplay.desktop, running `xrdisplay watch` (the glasses watcher) at login.
    Autostart(FileInstallArgs),
    /// xrdisplay-kms with the file capability cap_sys_admin+ep: xrdisplay then reads
    /// DRM framebuffers through it by itself, without running as root.
    CaptureHelper(CaptureHelperInstallArgs),
    /// XFCE keyboard shortcuts (xfconf channel xfce4-keyboard-shortcuts):
    /// Super+Alt+C recenter, Super+Alt+F follow toggle, Super+Alt+= zoom +,
    /// Super+Alt+- zoom -, Super+Alt+V curved toggle, Super+Alt+S steady toggle. Keys
    /// already bound to something else are left alone.
    Shortcuts(ShortcutsArgs),
    /// The udev rules that give the user at the seat the supported glasses' USB and
    /// hidraw nodes (TAG+="uaccess"), so that xrdisplay reads their IMU without root.
    UdevRules(UdevRulesInstallArgs),
}

#[derive(Debug, Args)]
pub struct UdevRulesInstallArgs {
    #[command(flatten)]
    pub dir: UdevRulesDirArgs,

    #[command(flatten)]
    pub file: FileInstallArgs,
}

#[derive(Debug, Args)]
pub struct UdevRulesDirArgs {
    /// Where the udev rules are installed
    #[arg(long = "rules-dir", value_name = "DIR", default_value = crate::desktop::udev_rules::DEFAULT_DIR)]
    pub rules_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ShortcutsArgs {
    /// Print what would be bound and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CaptureHelperInstallArgs {
    /// The helper binary to install [default: xrdisplay-kms next to this xrdisplay]
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    #[command(flatten)]
    pub dir: CaptureHelperDirArgs,

    /// Print what would be done and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct CaptureHelperDirArgs {
    /// Where the capture helper is installed. `install` refuses it (exit 2) unless it
    /// and every directory above it are owned by root and not writable by group or
    /// others (a sticky directory above it, like /tmp, is accepted)
    #[arg(long = "helper-dir", value_name = "DIR", default_value = crate::desktop::capture_helper::DEFAULT_DIR)]
    pub helper_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct XorgConfInstallArgs {
    /// The X server's configuration directory
    #[arg(long, value_name = "DIR", default_value = crate::desktop::xorg_conf::DEFAULT_DIR)]
    pub dir: PathBuf,

    #[command(flatten)]
    pub file: FileInstallArgs,
}

#[derive(Debug, Args)]
pub struct FileInstallArgs {
    /// Print what would be written and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Replace a file xrdisplay did not write, keeping it as FILE.xrdisplay-backup
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    #[command(subcommand)]
    pub what: UninstallWhat,
}

#[derive(Debug, Subcommand)]
pub enum UninstallWhat {
    /// Remove the xorg.conf snippet (restoring a file it replaced)
    XorgConf(XorgConfDirArgs),
    /// Remove the autostart entry
    Autostart,
    /// Remove the capture helper (and so its capability)
    CaptureHelper(CaptureHelperDirArgs),
    /// Remove the XFCE keyboard shortcuts that run xrdisplay (keys rebound since are
    /// left alone)
    Shortcuts,
    /// Remove the udev rules for the glasses
    UdevRules(UdevRulesDirArgs),

    /// Remove everything xrdisplay installed and report each
    All(UninstallAllArgs),
}

#[derive(Debug, Args)]
pub struct UninstallAllArgs {
    #[command(flatten)]
    pub xorg: XorgConfDirArgs,

    #[command(flatten)]
    pub helper: CaptureHelperDirArgs,

    #[command(flatten)]
    pub udev: UdevRulesDirArgs,
}

#[derive(Debug, Args)]
pub struct XorgConfDirArgs {
    /// The X server's configuration directory
    #[arg(long, value_name = "DIR", default_value = crate::desktop::xorg_conf::DEFAULT_DIR)]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImuArgs {
    #[command(subcommand)]
    pub what: ImuWhat,
}

#[derive(Debug, Subcommand)]
pub enum ImuWhat {
    /// The supported glasses plugged in: model, hidraw node, which interface carries
    /// the IMU, and whether you may read it (and how to fix it when not)
    List(ImuListArgs),
    /// Live head tracking from the glasses: orientation, sample rate, gyro bias,
    /// dropped reports (keep them still for the first second: calibration)
    Show(ImuShowArgs),
    /// Record the glasses' raw IMU samples to FILE in the replay format
    /// (`t_ns,gx,gy,gz,ax,ay,az`; rad/s, m/s²; x right, y up, z back), for
    /// `run --imu replay:FILE`
    Record(ImuRecordArgs),
}

#[derive(Debug, Args)]
pub struct ImuListArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImuShowArgs {
    /// Stop after this many seconds [default: until interrupted]
    #[arg(long, value_name = "N")]
    pub seconds: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ImuRecordArgs {
    /// The CSV file to write
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// How long to record
    #[arg(long, value_name = "N", default_value_t = 10.0)]
    pub seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_config(args: &[&str]) -> FileConfig {
        let cli = Cli::try_parse_from([&["xrdisplay", "run"], args].concat()).unwrap();
        match cli.command {
            Command::Run(run) => run.as_config(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn steady_flags_override_the_configuration_and_the_last_one_wins() {
        assert_eq!(run_config(&[]).steady, None);
        assert_eq!(run_config(&["--no-steady"]).steady, Some(false));
        assert_eq!(run_config(&["--no-steady", "--steady"]).steady, Some(true));
        assert_eq!(run_config(&["--steady", "--no-steady"]).steady, Some(false));
        let cli = Cli::try_parse_from(["xrdisplay", "steady", "sometimes"]);
        assert!(cli.is_err());
    }
}

/// clap's view of a model [`Choice`]: its names with their help (for `--help`, man
/// pages and completions) and the parse; the model itself knows nothing of clap.
#[derive(Clone, Copy)]
pub struct ChoiceParser<T>(std::marker::PhantomData<T>);

/// The value parser for a model [`Choice`] flag.
pub fn choice<T: Choice>() -> ChoiceParser<T> {
    ChoiceParser(std::marker::PhantomData)
}

impl<T: Choice + Send + Sync> clap::builder::TypedValueParser for ChoiceParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let names = T::ALL.iter().map(|(_, name, _)| *name);
        let name = clap::builder::PossibleValuesParser::new(names).parse_ref(cmd, arg, value)?;
        T::parse(&name).map_err(|e| clap::Error::raw(clap::error::ErrorKind::InvalidValue, e))
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(T::ALL.iter().map(|(_, name, help)| {
            clap::builder::PossibleValue::new(*name).help(*help)
        })))
    }
}
