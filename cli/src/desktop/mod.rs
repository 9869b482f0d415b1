//! Desktop integration: files xrdisplay installs (the xorg.conf snippet, the autostart
//! entry), XFCE's display profile, kept in step with `enable` and `disable`, and XFCE
//! keyboard shortcuts for the view commands.

pub mod autostart;
pub mod capture_helper;
pub mod file;
pub mod shortcuts;
pub mod udev_rules;
pub mod xfconf;
pub mod xorg_conf;
