//! Desktop integration: files xrdisplay installs (the xorg.conf snippet, the autostart
//! entry) and XFCE's display profile, kept in step with `enable` and `disable`.

pub mod autostart;
pub mod capture_helper;
pub mod file;
pub mod xfconf;
pub mod xorg_conf;
