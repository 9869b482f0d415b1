//! The glasses themselves: which are supported, finding them among the hidraw
//! devices, whether this user may open them, and a thread that streams their IMU
//! into a [`Publisher`], riding out unplugging.
//!
//! hidraw is read directly (no hidapi or libusb): the kernel's HID driver already
//! claims the interfaces, hidraw gives each one a device node the udev rules can open
//! to the logged-in user, and the reports are plain reads and writes. Several readers
//! (XRLinuxDriver too) each get every input report, so reading alongside the driver
//! takes nothing from it; xrdisplay only ever switches the stream on, never off.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::feed::Publisher;
use super::rokid::{self, Decoded};
use super::xreal;

/// Where the kernel lists hidraw devices.
pub const SYS_HIDRAW: &str = "/sys/class/hidraw";
/// Where their device nodes are.
pub const DEV: &str = "/dev";
/// How often the reader looks for glasses that are not there.
const RESCAN: Duration = Duration::from_millis(500);
/// A read that waits longer than this for a report counts as the stream stopping.
const READ_TIMEOUT: Duration = Duration::from_millis(1000);

/// How a model's IMU is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// XREAL Air family: commands and 64-byte IMU reports on one HID interface.
    XrealAir,
    /// Rokid Air / Max: sensor reports on the interface with endpoint 0x82, no
    /// commands.
    Rokid,
}

/// A supported model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub name: &'static str,
    pub vendor: u16,
    pub product: u16,
    /// The USB interface that carries the IMU (Rokid: the one with endpoint 0x82).
    pub imu_interface: Option<u8>,
    /// The diagonal field of view, degrees (the makers' figures).
    pub fov_deg: f32,
    pub protocol: Protocol,
}

/// Every model xrdisplay knows, the udev rules' list too.
pub const MODELS: &[Model] = &[
    xreal_air("XREAL Air", 0x0424, 3, 46.0),
    xreal_air("XREAL Air 2", 0x0428, 3, 46.0),
    xreal_air("XREAL Air 2 Pro", 0x0432, 3, 46.0),
    xreal_air("XREAL Air 2 Ultra", 0x0426, 2, 52.0),
    Model {
        name: "Rokid Air / Max",
        vendor: 0x04d2,
        product: 0x162f,
        imu_interface: None,
        fov_deg: 50.0,
        protocol: Protocol::Rokid,
    },
];

const fn xreal_air(name: &'static str, product: u16, imu_interface: u8, fov_deg: f32) -> Model {
    Model {
        name,
        vendor: xreal::VENDOR,
        product,
        imu_interface: Some(imu_interface),
        fov_deg,
        protocol: Protocol::XrealAir,
    }
}

/// One hidraw node of a supported model.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub model: Model,
    /// e.g. /dev/hidraw3
    pub node: PathBuf,
    /// The USB interface number, when the node sits on a USB interface.
    pub interface: Option<u8>,
    /// That interface has the Rokid IMU's endpoint.
    pub imu_endpoint: bool,
    /// Whether this process may open it for reading and writing.
    pub access: Result<(), String>,
}

impl Found {
    /// The node that streams the IMU (the others answer other commands).
    pub fn is_imu(&self) -> bool {
        match self.model.imu_interface {
            Some(n) => self.interface == Some(n),
            None => self.imu_endpoint,
        }
    }
}

/// Every hidraw node of a supported model, sorted by node name, found under `sys`
/// (a `/sys/class/hidraw`) with device nodes under `dev`.
pub fn find(sys: &Path, dev: &Path) -> Vec<Found> {
    let Ok(entries) = std::fs::read_dir(sys) else {
        return Vec::new();
    };
    let mut found: Vec<Found> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let device = entry.path().join("device");
            let uevent = std::fs::read_to_string(device.join("uevent")).ok()?;
            let (vendor, product) = hid_id(&uevent)?;
            let model = *MODELS
                .iter()
                .find(|m| m.vendor == vendor && m.product == product)?;
            // The HID device's parent is its USB interface.
            let interface = std::fs::read_to_string(device.join("../bInterfaceNumber"))
                .ok()
                .and_then(|n| u8::from_str_radix(n.trim(), 16).ok());
            let imu_endpoint = device
                .join(format!("../ep_{:02x}", rokid::IMU_ENDPOINT))
                .exists();
            let node = dev.join(&name);
            let access = check_access(&node);
            Some(Found {
                model,
                node,
                interface,
                imu_endpoint,
                access,
            })
        })
        .collect();
    found.sort_by(|a, b| a.node.cmp(&b.node));
    found
}

/// The vendor and product of a HID device's uevent (`HID_ID=0003:00003318:00000424`).
fn hid_id(uevent: &str) -> Option<(u16, u16)> {
    let id = uevent.lines().find_map(|l| l.strip_prefix("HID_ID="))?;
    let mut parts = id.split(':').skip(1);
    let vendor = u32::from_str_radix(parts.next()?, 16).ok()?;
    let product = u32::from_str_radix(parts.next()?, 16).ok()?;
    Some((u16::try_from(vendor).ok()?, u16::try_from(product).ok()?))
}

fn check_access(node: &Path) -> Result<(), String> {
    use nix::unistd::{access, AccessFlags};
    access(node, AccessFlags::R_OK | AccessFlags::W_OK).map_err(|e| match e {
        nix::errno::Errno::EACCES | nix::errno::Errno::EPERM => format!(
            "{} is not readable by this user: run `sudo xrdisplay install udev-rules`, then \
             unplug the glasses and plug them in again",
            node.display()
        ),
        nix::errno::Errno::ENOENT => format!("{} has no device node", node.display()),
        e => format!("{}: {e}", node.display()),
    })
}

/// The IMU node to read: the first supported, readable one, or why there is none.
pub fn pick(found: &[Found]) -> Result<Found, String> {
    let imu: Vec<&Found> = found.iter().filter(|f| f.is_imu()).collect();
    if let Some(ready) = imu.iter().find(|f| f.access.is_ok()) {
        return Ok((*ready).clone());
    }
    match imu.first() {
        None => Err("no supported glasses found".into()),
        Some(f) => Err(format!(
            "{} found, but {}",
            f.model.name,
            f.access.clone().err().unwrap_or_default()
        )),
    }
}

/// What the reader thread is told.
#[derive(Debug, Clone)]
pub struct Watch {
    pub sys: PathBuf,
    pub dev: PathBuf,
}

impl Default for Watch {
    fn default() -> Watch {
        Watch {
            sys: PathBuf::from(SYS_HIDRAW),
            dev: PathBuf::from(DEV),
        }
    }
}

/// Streams the glasses' IMU into `publisher` until nobody reads the feed: looks for
/// them, reads them, and when they go away says so and looks again.
pub fn spawn_reader(watch: Watch, mut publisher: Publisher) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || loop {
        let why = match pick(&find(&watch.sys, &watch.dev)) {
            Ok(glasses) => match stream(&glasses, &mut publisher) {
                Ok(()) => return,
                Err(e) => format!(
                    "{} stopped ({e}): showing the flat screen until they are back",
                    glasses.model.name
                ),
            },
            Err(why) => format!("{why}: showing the flat screen, looking again"),
        };
        if !publisher.gone(why) {
            return;
        }
        std::thread::sleep(RESCAN);
    })
}

/// Reads one pair of glasses until they fail (`Err`) or nobody reads the feed.
fn stream(glasses: &Found, publisher: &mut Publisher) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&glasses.node)?;
    let mut decoder = match glasses.model.protocol {
        Protocol::XrealAir => Decoder::Xreal(xreal::start(&mut Channel(&mut file))?),
        Protocol::Rokid => Decoder::Rokid(rokid::Decoder::default()),
    };
    let mut report = [0u8; xreal::MAX_REPORT];
    loop {
        let n = read_timeout(&mut file, &mut report, READ_TIMEOUT)?;
        let at = SystemTime::now();
        let open = match decoder.push(&report[..n]) {
            Decoded::Sample(sample) => publisher.sample(&sample, at),
            Decoded::Nothing => true,
            Decoded::Malformed => publisher.dropped(),
        };
        if !open {
            return Ok(());
        }
    }
}

/// How one model's reports become samples.
enum Decoder {
    /// With the factory calibration read at the start.
    Xreal(xreal::Calibration),
    Rokid(rokid::Decoder),
}

impl Decoder {
    fn push(&mut self, report: &[u8]) -> Decoded {
        match self {
            Decoder::Xreal(calibration) => match xreal::parse_report(report) {
                xreal::Report::Imu(raw) => Decoded::Sample(calibration.apply(raw)),
                xreal::Report::Reply => Decoded::Nothing,
                xreal::Report::Malformed => Decoded::Malformed,
            },
            Decoder::Rokid(decoder) => decoder.push(report),
        }
    }
}

/// A hidraw node as the command protocol sees it: whole reports out and in.
pub struct Channel<'a>(pub &'a mut File);

impl xreal::Transport for Channel<'_> {
    fn send(&mut self, report: &[u8]) -> io::Result<()> {
        self.0.write_all(report)
    }

    fn receive(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        read_timeout(self.0, buf, timeout)
    }
}

/// One report, waiting at most `timeout`; a timeout is an error.
fn read_timeout(file: &mut File, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ms =
            PollTimeout::try_from(left.as_millis().min(60_000) as i32).unwrap_or(PollTimeout::ZERO);
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, ms) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no report for a second",
                ))
            }
            Ok(_) => {
                let revents = fds[0].revents().unwrap_or(PollFlags::empty());
                if revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR) {
                    return Err(io::Error::new(io::ErrorKind::NotConnected, "unplugged"));
                }
                return file.read(buf);
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::Scratch;

    /// A hidraw entry as sysfs shows it: `hidrawN/device/uevent` on a USB interface
    /// directory holding `bInterfaceNumber`.
    fn fake(sys: &Path, dev: &Path, node: &str, hid_id: &str, interface: &str) {
        let usb_if = sys.join(format!("usb-{node}"));
        let hid = usb_if.join("hid");
        std::fs::create_dir_all(&hid).unwrap();
        if interface == "02" {
            std::fs::create_dir_all(usb_if.join("ep_82")).unwrap();
        }
        std::fs::write(usb_if.join("bInterfaceNumber"), format!("{interface}\n")).unwrap();
        std::fs::write(
            hid.join("uevent"),
            format!("DRIVER=hid-generic\nHID_ID={hid_id}\nHID_NAME=glasses\n"),
        )
        .unwrap();
        std::fs::create_dir_all(sys.join("class").join(node)).unwrap();
        std::os::unix::fs::symlink(&hid, sys.join("class").join(node).join("device")).unwrap();
        std::fs::write(dev.join(node), b"").unwrap();
    }

    #[test]
    fn finds_the_supported_nodes_and_picks_the_imu_interface() {
        let dir = Scratch::new("glasses-find");
        let (sys, dev) = (dir.join("sys"), dir.join("dev"));
        std::fs::create_dir_all(&dev).unwrap();
        fake(&sys, &dev, "hidraw0", "0003:0000046D:0000C52B", "00");
        fake(&sys, &dev, "hidraw3", "0003:00003318:00000428", "04");
        fake(&sys, &dev, "hidraw2", "0003:00003318:00000428", "03");
        let found = find(&sys.join("class"), &dev);
        let names: Vec<_> = found
            .iter()
            .map(|f| (f.node.file_name().unwrap().to_owned(), f.interface))
            .collect();
        assert_eq!(
            names,
            [("hidraw2".into(), Some(3)), ("hidraw3".into(), Some(4))]
        );
        let imu = pick(&found).unwrap();
        assert_eq!(imu.model.name, "XREAL Air 2");
        assert_eq!(imu.node, dev.join("hidraw2"));
    }

    #[test]
    fn says_why_no_glasses_can_be_read() {
        let dir = Scratch::new("glasses-none");
        let (sys, dev) = (dir.join("sys"), dir.join("dev"));
        std::fs::create_dir_all(&dev).unwrap();
        assert_eq!(
            pick(&find(&sys.join("class"), &dev)),
            Err("no supported glasses found".into())
        );
        // Rokid: the IMU is the interface with endpoint 0x82.
        fake(&sys, &dev, "hidraw1", "0003:000004D2:0000162F", "02");
        fake(&sys, &dev, "hidraw4", "0003:000004D2:0000162F", "01");
        let found = find(&sys.join("class"), &dev);
        assert_eq!(found.iter().filter(|f| f.is_imu()).count(), 1);
        assert_eq!(pick(&found).unwrap().node, dev.join("hidraw1"));
        // Not readable: the node is gone here; the message names it.
        std::fs::remove_file(dev.join("hidraw1")).unwrap();
        let why = pick(&find(&sys.join("class"), &dev)).unwrap_err();
        assert!(
            why.starts_with("Rokid Air / Max found, but")
                && why.contains("hidraw1 has no device node"),
            "{why}"
        );
    }

    #[test]
    fn hid_ids_parse_or_are_refused() {
        assert_eq!(
            hid_id("HID_ID=0003:00003318:00000424\n"),
            Some((0x3318, 0x0424))
        );
        assert_eq!(hid_id("HID_ID=0003:00013318:00000424"), None);
        assert_eq!(hid_id("HID_NAME=x"), None);
        assert_eq!(hid_id("HID_ID=0003:zz:00000424"), None);
    }
}
