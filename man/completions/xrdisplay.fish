# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_xrdisplay_global_optspecs
    string join \n display= config= h/help V/version
end

function __fish_xrdisplay_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_xrdisplay_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_xrdisplay_using_subcommand
    set -l cmd (__fish_xrdisplay_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -s V -l version -d 'Print version'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "status" -d 'Show the X server, the backends, every output and the XR output\'s state'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "snapshot" -d 'Save what the XR output shows as a PNG'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "bench" -d 'Measure a capture method against references measured in the same run'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "run" -d 'Show the XR output on the glasses: capture, place (flat or head-tracked), present'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "recenter" -d 'Put the screen straight ahead, where you look now'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "follow" -d 'Turn follow mode on or off: the screen eases back in front of you when you look further away than the follow threshold (`follow` in the configuration, default 15°; a number after the switch sets it)'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "curved" -d 'Bend the screen around you (on) or make it flat (off), while the loop runs (`curved` in the configuration sets how it starts)'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "zoom" -d 'Make the screen look larger or smaller: `+` and `-` step by 10 %, a number sets the factor (1 fills the view, 2 is twice as large; 0.1 to 10)'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "steady" -d 'Hold the screen still and sharp while your head is still (on), or draw every head movement (off), while the loop runs (`steady` in the configuration sets how it starts; on by default)'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "enable" -d 'Create (if needed), size, place and turn on the XR output'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "watch" -d 'Watch for XR glasses and bring each pair\'s own layout back when it is plugged in'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "profile" -d 'List or forget the layouts remembered for each pair of glasses'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "disable" -d 'Turn the XR output off, delete it or its monitor, shrink the screen back and remove the modes xrdisplay added. Idempotent'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "config" -d 'Print the effective configuration (defaults, then the file, then flags) as TOML'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "imu" -d 'Find the glasses, watch their head tracking, record their IMU'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "install" -d 'Install desktop integration: the xorg.conf snippet selecting the modesetting driver, the autostart entry that starts the glasses watcher at login, the capture helper that reads DRM framebuffers for an unprivileged xrdisplay, XFCE keyboard shortcuts for recenter, follow, zoom, curved and steady, or the udev rules that let you read the glasses without root'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "uninstall" -d 'Remove what `install` installed; files xrdisplay did not write are left alone, and a file `install --force` replaced is put back'
complete -c xrdisplay -n "__fish_xrdisplay_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand status" -s o -l output -d 'Name of the XR output to report on [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand status" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand status" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand status" -l json -d 'Print JSON instead of text'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand status" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -l output -d 'The output to capture [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -l method -d 'How to read the pixels' -r -f -a "auto\t'The best available: dmabuf, then mmap, then shm'
dmabuf\t'Export the DRM framebuffer as DMA-BUF and map that'
mmap\t'Map the DRM framebuffer (linear buffers only)'
shm\t'Ask the X server (MIT-SHM); needs no DRM access'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -l source -d 'Which framebuffer the DRM methods read' -r -f -a "auto\t'The front buffer; a running loop moves to the FRAMEBUFFER_ID buffer once that property changes (the driver started drawing there)'
front\t'The screen\'s front buffer (what the CRTCs scan out) at the output\'s position'
framebuffer-id\t'The buffer behind the output\'s FRAMEBUFFER_ID property (patched driver only; it stays black while the driver draws XR-0 into the front buffer)'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -s o -l out -d 'The PNG file to write' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand snapshot" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l output -d 'The output to capture [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l method -d 'How to read the pixels' -r -f -a "auto\t'The best available: dmabuf, then mmap, then shm'
dmabuf\t'Export the DRM framebuffer as DMA-BUF and map that'
mmap\t'Map the DRM framebuffer (linear buffers only)'
shm\t'Ask the X server (MIT-SHM); needs no DRM access'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l source -d 'Which framebuffer the DRM methods read' -r -f -a "auto\t'The front buffer; a running loop moves to the FRAMEBUFFER_ID buffer once that property changes (the driver started drawing there)'
front\t'The screen\'s front buffer (what the CRTCs scan out) at the output\'s position'
framebuffer-id\t'The buffer behind the output\'s FRAMEBUFFER_ID property (patched driver only; it stays black while the driver draws XR-0 into the front buffer)'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l frames -d 'Frames to measure' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -l json -d 'Print JSON instead of text'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand bench" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l output -d 'The output to capture [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l method -d 'How to read the pixels' -r -f -a "auto\t'The best available: dmabuf, then mmap, then shm'
dmabuf\t'Export the DRM framebuffer as DMA-BUF and map that'
mmap\t'Map the DRM framebuffer (linear buffers only)'
shm\t'Ask the X server (MIT-SHM); needs no DRM access'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l source -d 'Which framebuffer the DRM methods read' -r -f -a "auto\t'The front buffer; a running loop moves to the FRAMEBUFFER_ID buffer once that property changes (the driver started drawing there)'
front\t'The screen\'s front buffer (what the CRTCs scan out) at the output\'s position'
framebuffer-id\t'The buffer behind the output\'s FRAMEBUFFER_ID property (patched driver only; it stays black while the driver draws XR-0 into the front buffer)'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l also -d 'More XR outputs to show beside the first, each where the RandR layout puts it (`--also XR-1` with XR-1 right of XR-0: turn your head right to see it)' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l present -d 'Where to show the picture' -r -f -a "auto\t'A window on the glasses found by their EDID (or on --present-on); a lease when they are marked non-desktop'
window\t'A borderless window covering an output (--present-on, else the glasses)'
none\t'Offscreen, at --refresh (benchmarks, tests, --save-frame)'
lease\t'A RandR lease of the output (glasses marked non-desktop, or any output that is off): xrdisplay sets its mode and shows frames by page flips'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l present-on -d 'Present on this output instead of the glasses found by EDID' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l refresh -d 'Render rate of an offscreen view, in Hz (a window follows its output\'s vsync)' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l view-size -d 'Size of an offscreen view [default: the XR output\'s size]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l frames -d 'Stop after presenting this many frames' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l save-frame -d 'On exit, save the last presented picture (what the glasses show) as a PNG' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l imu -d 'Head pose: `auto` (the glasses if found and readable, else the XR driver\'s file), `glasses` (their IMU, read in-process), `file:PATH` (a layout-5 pose file such as /dev/shm/breezy_desktop_imu; a bare path works too), `replay:FILE` (recorded samples, played at their timestamps; the loop then exits once the final pose is drawn), `sway` (a synthetic swaying head, for demos) or `none` (a flat screen) [default: the `imu` key, else auto]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l fov -d 'The glasses\' diagonal field of view in degrees, for poses read in-process (a pose file gives its own) [default: the `fov` key, else the model\'s; 46 for a replay]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l zoom -d 'Apparent size of the screen, 0.1-10: 1 fills the view, 2 is twice as large [default: the `zoom` key, else 1]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l follow -d 'Follow mode: on, off, or on beyond this many degrees (the screen eases back in front of you when you look further away; `xrdisplay follow` switches it live) [default: the `follow` key, else off]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l eye-offset -d 'Side-by-side glasses: move each eye\'s image this many pixels toward the middle, as for a screen at a finite distance (0: at infinity) [default: the `eye-offset` key, else 0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l stats -d 'Print capture and render figures once a second'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l curved -d 'Bend the screen around the viewer instead of a flat plane [default: the `curved` key, else flat]'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l flat -d 'A flat screen, whatever the configuration says'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l steady -d 'Hold the screen still on whole pixels while the head is still (`xrdisplay steady` switches it live) [default: the `steady` key, else on]'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -l no-steady -d 'Draw every head movement, however small'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand recenter" -s o -l output -d 'The XR output whose loop to tell [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand recenter" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand recenter" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand recenter" -l json -d 'Print the loop\'s view state as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand recenter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand follow" -s o -l output -d 'The XR output whose loop to tell [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand follow" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand follow" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand follow" -l json -d 'Print the loop\'s view state as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand follow" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand curved" -s o -l output -d 'The XR output whose loop to tell [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand curved" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand curved" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand curved" -l json -d 'Print the loop\'s view state as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand curved" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand zoom" -s o -l output -d 'The XR output whose loop to tell [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand zoom" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand zoom" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand zoom" -l json -d 'Print the loop\'s view state as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand zoom" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand steady" -s o -l output -d 'The XR output whose loop to tell [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand steady" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand steady" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand steady" -l json -d 'Print the loop\'s view state as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand steady" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -s o -l output -d 'Name of a new XR output (XR-<n>), or an existing spare output to drive [default: XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l size -d 'Size in pixels [default: 1920x1080]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l refresh -d 'Refresh rate in Hz, 1-240 [default: 60]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l right-of -d 'Place it right of OUTPUT (outputs beyond move right)' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l left-of -d 'Place it left of OUTPUT' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l above -d 'Place it above OUTPUT' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l below -d 'Place it below OUTPUT' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l pos -d 'Place its top-left corner at X,Y (non-negative; must not overlap another output)' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l backend -d 'How to get the output [default: auto]' -r -f -a "auto\t'xr-manager if the patched driver runs, else anchored on connected glasses, else a free spare output, else a monitor'
xr-manager\t'A virtual output of the patched modesetting driver (XR-Manager)'
anchored\t'A RandR 1.5 monitor over a grown screen area, named by the glasses\' connected output: no CRTC, and GTK/XFCE see it'
spare-output\t'An unused RandR output driven by a free CRTC (GTK/XFCE see it only if connected)'
monitor\t'A RandR 1.5 monitor over a grown screen area, with no output (invisible to GTK/XFCE)'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l xfce -d 'Keep XFCE\'s display profile in step [default: auto, only inside an XFCE session]' -r -f -a "auto\t'Only inside an XFCE session (XDG_CURRENT_DESKTOP names XFCE) with xfconf reachable'
on\t'Always; failing to reach xfconf is an error'
off\t'Never touch XFCE\'s settings'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l primary -d 'Make it the primary output'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l dry-run -d 'Print the RandR requests it would send and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -l json -d 'Print the result as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand watch" -s o -l output -d 'The XR output to enable for glasses with no remembered layout [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand watch" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand watch" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and not __fish_seen_subcommand_from list forget help" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and not __fish_seen_subcommand_from list forget help" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and not __fish_seen_subcommand_from list forget help" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and not __fish_seen_subcommand_from list forget help" -f -a "list" -d 'Every pair with a remembered layout'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and not __fish_seen_subcommand_from list forget help" -f -a "forget" -d 'Drop a pair\'s layout: it gets the configured one when plugged in again'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and not __fish_seen_subcommand_from list forget help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from list" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from list" -l json -d 'Print JSON instead of text'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from forget" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from forget" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every pair with a remembered layout'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Drop a pair\'s layout: it gets the configured one when plugged in again'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -s o -l output -d 'Name of the XR output [default: from the config, else XR-0]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -l xfce -d 'Keep XFCE\'s display profile in step [default: auto, only inside an XFCE session]' -r -f -a "auto\t'Only inside an XFCE session (XDG_CURRENT_DESKTOP names XFCE) with xfconf reachable'
on\t'Always; failing to reach xfconf is an error'
off\t'Never touch XFCE\'s settings'"
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -l dry-run -d 'Print the RandR requests it would send and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -l json -d 'Print the result as JSON'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand config" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand config" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand config" -l json -d 'Print JSON instead of TOML'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand config" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand completions" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand completions" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand completions" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -f -a "list" -d 'The supported glasses plugged in: model, hidraw node, which interface carries the IMU, and whether you may read it (and how to fix it when not)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -f -a "show" -d 'Live head tracking from the glasses: orientation, sample rate, gyro bias, dropped reports (keep them still for the first second: calibration)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -f -a "record" -d 'Record the glasses\' raw IMU samples to FILE in the replay format (`t_ns,gx,gy,gz,ax,ay,az`; rad/s, m/s²; x right, y up, z back), for `run --imu replay:FILE`'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and not __fish_seen_subcommand_from list show record help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from list" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from list" -l json -d 'Print JSON instead of text'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from show" -l seconds -d 'Stop after this many seconds [default: until interrupted]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from show" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from record" -l seconds -d 'How long to record' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from record" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from record" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from record" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from help" -f -a "list" -d 'The supported glasses plugged in: model, hidraw node, which interface carries the IMU, and whether you may read it (and how to fix it when not)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from help" -f -a "show" -d 'Live head tracking from the glasses: orientation, sample rate, gyro bias, dropped reports (keep them still for the first second: calibration)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from help" -f -a "record" -d 'Record the glasses\' raw IMU samples to FILE in the replay format (`t_ns,gx,gy,gz,ax,ay,az`; rad/s, m/s²; x right, y up, z back), for `run --imu replay:FILE`'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand imu; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -f -a "xorg-conf" -d 'The xorg.conf snippet that makes the X server use the modesetting driver, whose virtual outputs xrdisplay needs; takes effect when the X session restarts'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -f -a "autostart" -d '$XDG_CONFIG_HOME/autostart/xrdisplay.desktop, running `xrdisplay watch` (the glasses watcher) at login'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -f -a "capture-helper" -d 'xrdisplay-kms with the file capability cap_sys_admin+ep: xrdisplay then reads DRM framebuffers through it by itself, without running as root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -f -a "shortcuts" -d 'XFCE keyboard shortcuts (xfconf channel xfce4-keyboard-shortcuts): Super+Alt+C recenter, Super+Alt+F follow toggle, Super+Alt+= zoom +, Super+Alt+- zoom -, Super+Alt+V curved toggle, Super+Alt+S steady toggle. Keys already bound to something else are left alone'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -f -a "udev-rules" -d 'The udev rules that give the user at the seat the supported glasses\' USB and hidraw nodes (TAG+="uaccess"), so that xrdisplay reads their IMU without root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from xorg-conf" -l dir -d 'The X server\'s configuration directory' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from xorg-conf" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from xorg-conf" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from xorg-conf" -l dry-run -d 'Print what would be written and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from xorg-conf" -l force -d 'Replace a file xrdisplay did not write, keeping it as FILE.xrdisplay-backup'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from xorg-conf" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from autostart" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from autostart" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from autostart" -l dry-run -d 'Print what would be written and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from autostart" -l force -d 'Replace a file xrdisplay did not write, keeping it as FILE.xrdisplay-backup'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from autostart" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from capture-helper" -l from -d 'The helper binary to install [default: xrdisplay-kms next to this xrdisplay]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from capture-helper" -l helper-dir -d 'Where the capture helper is installed. `install` refuses it (exit 2) unless it and every directory above it are owned by root and not writable by group or others (a sticky directory above it, like /tmp, is accepted)' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from capture-helper" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from capture-helper" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from capture-helper" -l dry-run -d 'Print what would be done and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from capture-helper" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from shortcuts" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from shortcuts" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from shortcuts" -l dry-run -d 'Print what would be bound and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from shortcuts" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from udev-rules" -l rules-dir -d 'Where the udev rules are installed' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from udev-rules" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from udev-rules" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from udev-rules" -l dry-run -d 'Print what would be written and change nothing'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from udev-rules" -l force -d 'Replace a file xrdisplay did not write, keeping it as FILE.xrdisplay-backup'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from udev-rules" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from help" -f -a "xorg-conf" -d 'The xorg.conf snippet that makes the X server use the modesetting driver, whose virtual outputs xrdisplay needs; takes effect when the X session restarts'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from help" -f -a "autostart" -d '$XDG_CONFIG_HOME/autostart/xrdisplay.desktop, running `xrdisplay watch` (the glasses watcher) at login'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from help" -f -a "capture-helper" -d 'xrdisplay-kms with the file capability cap_sys_admin+ep: xrdisplay then reads DRM framebuffers through it by itself, without running as root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from help" -f -a "shortcuts" -d 'XFCE keyboard shortcuts (xfconf channel xfce4-keyboard-shortcuts): Super+Alt+C recenter, Super+Alt+F follow toggle, Super+Alt+= zoom +, Super+Alt+- zoom -, Super+Alt+V curved toggle, Super+Alt+S steady toggle. Keys already bound to something else are left alone'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from help" -f -a "udev-rules" -d 'The udev rules that give the user at the seat the supported glasses\' USB and hidraw nodes (TAG+="uaccess"), so that xrdisplay reads their IMU without root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand install; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "xorg-conf" -d 'Remove the xorg.conf snippet (restoring a file it replaced)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "autostart" -d 'Remove the autostart entry'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "capture-helper" -d 'Remove the capture helper (and so its capability)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "shortcuts" -d 'Remove the XFCE keyboard shortcuts that run xrdisplay (keys rebound since are left alone)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "udev-rules" -d 'Remove the udev rules for the glasses'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "all" -d 'Remove everything xrdisplay installed and report each'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and not __fish_seen_subcommand_from xorg-conf autostart capture-helper shortcuts udev-rules all help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from xorg-conf" -l dir -d 'The X server\'s configuration directory' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from xorg-conf" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from xorg-conf" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from xorg-conf" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from autostart" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from autostart" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from autostart" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from capture-helper" -l helper-dir -d 'Where the capture helper is installed. `install` refuses it (exit 2) unless it and every directory above it are owned by root and not writable by group or others (a sticky directory above it, like /tmp, is accepted)' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from capture-helper" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from capture-helper" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from capture-helper" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from shortcuts" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from shortcuts" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from shortcuts" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from udev-rules" -l rules-dir -d 'Where the udev rules are installed' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from udev-rules" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from udev-rules" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from udev-rules" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from all" -l dir -d 'The X server\'s configuration directory' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from all" -l helper-dir -d 'Where the capture helper is installed. `install` refuses it (exit 2) unless it and every directory above it are owned by root and not writable by group or others (a sticky directory above it, like /tmp, is accepted)' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from all" -l rules-dir -d 'Where the udev rules are installed' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from all" -l display -d 'X display to use, e.g. :0 [default: $DISPLAY]' -r
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from all" -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/xrdisplay/config.toml]' -r -F
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from all" -s h -l help -d 'Print help'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "xorg-conf" -d 'Remove the xorg.conf snippet (restoring a file it replaced)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "autostart" -d 'Remove the autostart entry'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "capture-helper" -d 'Remove the capture helper (and so its capability)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "shortcuts" -d 'Remove the XFCE keyboard shortcuts that run xrdisplay (keys rebound since are left alone)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "udev-rules" -d 'Remove the udev rules for the glasses'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "all" -d 'Remove everything xrdisplay installed and report each'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand uninstall; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "status" -d 'Show the X server, the backends, every output and the XR output\'s state'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "snapshot" -d 'Save what the XR output shows as a PNG'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "bench" -d 'Measure a capture method against references measured in the same run'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "run" -d 'Show the XR output on the glasses: capture, place (flat or head-tracked), present'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "recenter" -d 'Put the screen straight ahead, where you look now'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "follow" -d 'Turn follow mode on or off: the screen eases back in front of you when you look further away than the follow threshold (`follow` in the configuration, default 15°; a number after the switch sets it)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "curved" -d 'Bend the screen around you (on) or make it flat (off), while the loop runs (`curved` in the configuration sets how it starts)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "zoom" -d 'Make the screen look larger or smaller: `+` and `-` step by 10 %, a number sets the factor (1 fills the view, 2 is twice as large; 0.1 to 10)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "steady" -d 'Hold the screen still and sharp while your head is still (on), or draw every head movement (off), while the loop runs (`steady` in the configuration sets how it starts; on by default)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "enable" -d 'Create (if needed), size, place and turn on the XR output'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "watch" -d 'Watch for XR glasses and bring each pair\'s own layout back when it is plugged in'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "profile" -d 'List or forget the layouts remembered for each pair of glasses'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "disable" -d 'Turn the XR output off, delete it or its monitor, shrink the screen back and remove the modes xrdisplay added. Idempotent'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "config" -d 'Print the effective configuration (defaults, then the file, then flags) as TOML'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "completions" -d 'Print a shell completion script'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "imu" -d 'Find the glasses, watch their head tracking, record their IMU'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "install" -d 'Install desktop integration: the xorg.conf snippet selecting the modesetting driver, the autostart entry that starts the glasses watcher at login, the capture helper that reads DRM framebuffers for an unprivileged xrdisplay, XFCE keyboard shortcuts for recenter, follow, zoom, curved and steady, or the udev rules that let you read the glasses without root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "uninstall" -d 'Remove what `install` installed; files xrdisplay did not write are left alone, and a file `install --force` replaced is put back'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and not __fish_seen_subcommand_from status snapshot bench run recenter follow curved zoom steady enable watch profile disable config completions imu install uninstall help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "list" -d 'Every pair with a remembered layout'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "forget" -d 'Drop a pair\'s layout: it gets the configured one when plugged in again'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from imu" -f -a "list" -d 'The supported glasses plugged in: model, hidraw node, which interface carries the IMU, and whether you may read it (and how to fix it when not)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from imu" -f -a "show" -d 'Live head tracking from the glasses: orientation, sample rate, gyro bias, dropped reports (keep them still for the first second: calibration)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from imu" -f -a "record" -d 'Record the glasses\' raw IMU samples to FILE in the replay format (`t_ns,gx,gy,gz,ax,ay,az`; rad/s, m/s²; x right, y up, z back), for `run --imu replay:FILE`'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from install" -f -a "xorg-conf" -d 'The xorg.conf snippet that makes the X server use the modesetting driver, whose virtual outputs xrdisplay needs; takes effect when the X session restarts'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from install" -f -a "autostart" -d '$XDG_CONFIG_HOME/autostart/xrdisplay.desktop, running `xrdisplay watch` (the glasses watcher) at login'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from install" -f -a "capture-helper" -d 'xrdisplay-kms with the file capability cap_sys_admin+ep: xrdisplay then reads DRM framebuffers through it by itself, without running as root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from install" -f -a "shortcuts" -d 'XFCE keyboard shortcuts (xfconf channel xfce4-keyboard-shortcuts): Super+Alt+C recenter, Super+Alt+F follow toggle, Super+Alt+= zoom +, Super+Alt+- zoom -, Super+Alt+V curved toggle, Super+Alt+S steady toggle. Keys already bound to something else are left alone'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from install" -f -a "udev-rules" -d 'The udev rules that give the user at the seat the supported glasses\' USB and hidraw nodes (TAG+="uaccess"), so that xrdisplay reads their IMU without root'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from uninstall" -f -a "xorg-conf" -d 'Remove the xorg.conf snippet (restoring a file it replaced)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from uninstall" -f -a "autostart" -d 'Remove the autostart entry'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from uninstall" -f -a "capture-helper" -d 'Remove the capture helper (and so its capability)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from uninstall" -f -a "shortcuts" -d 'Remove the XFCE keyboard shortcuts that run xrdisplay (keys rebound since are left alone)'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from uninstall" -f -a "udev-rules" -d 'Remove the udev rules for the glasses'
complete -c xrdisplay -n "__fish_xrdisplay_using_subcommand help; and __fish_seen_subcommand_from uninstall" -f -a "all" -d 'Remove everything xrdisplay installed and report each'
