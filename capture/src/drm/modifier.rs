//! Format modifiers as data: which ones can be read as plain rows, and their names
//! for messages. A modifier's top byte is its vendor; the rest is the vendor's code.

use crate::{Error, Result};

/// `DRM_FORMAT_MOD_LINEAR`: rows of pixels, `pitch` bytes apart.
pub const LINEAR: u64 = 0;
/// `DRM_FORMAT_MOD_INVALID`: "no explicit modifier", the same as none reported.
pub const INVALID: u64 = 0x00ff_ffff_ffff_ffff;

/// Vendor codes (`DRM_FORMAT_MOD_VENDOR_*`).
const VENDORS: &[(u8, &str)] = &[
    (0, "generic"),
    (1, "Intel"),
    (2, "AMD"),
    (3, "NVIDIA"),
    (4, "Samsung"),
    (5, "Qualcomm"),
    (6, "Vivante"),
    (7, "Broadcom"),
    (8, "ARM"),
    (9, "Allwinner"),
    (10, "Amlogic"),
];

/// Modifiers with a fixed code (vendors with parametrised codes are named by vendor).
const NAMED: &[(u64, &str)] = &[
    (LINEAR, "LINEAR"),
    (INVALID, "INVALID (implicit)"),
    (0x0100_0000_0000_0001, "I915_X_TILED"),
    (0x0100_0000_0000_0002, "I915_Y_TILED"),
    (0x0100_0000_0000_0003, "I915_Yf_TILED"),
    (0x0100_0000_0000_0004, "I915_Y_TILED_CCS"),
    (0x0100_0000_0000_0005, "I915_Yf_TILED_CCS"),
    (0x0100_0000_0000_0006, "I915_Y_TILED_GEN12_RC_CCS"),
    (0x0100_0000_0000_0007, "I915_Y_TILED_GEN12_MC_CCS"),
    (0x0100_0000_0000_0008, "I915_Y_TILED_GEN12_RC_CCS_CC"),
    (0x0100_0000_0000_0009, "I915_4_TILED"),
    (0x0300_0000_0000_0001, "NVIDIA_TEGRA_TILED"),
    (0x0400_0000_0000_0001, "SAMSUNG_64_32_TILE"),
    (0x0400_0000_0000_0002, "SAMSUNG_16_16_TILE"),
    (0x0500_0000_0000_0001, "QCOM_COMPRESSED"),
    (0x0600_0000_0000_0001, "VIVANTE_TILED"),
    (0x0600_0000_0000_0002, "VIVANTE_SUPER_TILED"),
    (0x0600_0000_0000_0003, "VIVANTE_SPLIT_TILED"),
    (0x0600_0000_0000_0004, "VIVANTE_SPLIT_SUPER_TILED"),
    (0x0700_0000_0000_0001, "BROADCOM_VC4_T_TILED"),
    (0x0900_0000_0000_0001, "ALLWINNER_TILED"),
];

/// A modifier's name, or its vendor and code when it has no fixed name.
pub fn name(modifier: u64) -> String {
    if let Some((_, name)) = NAMED.iter().find(|(m, _)| *m == modifier) {
        return (*name).to_string();
    }
    let vendor = (modifier >> 56) as u8;
    match VENDORS.iter().find(|(v, _)| *v == vendor) {
        Some((_, vendor)) => format!("{vendor} modifier {modifier:#018x}"),
        None => format!("modifier {modifier:#018x} of unknown vendor {vendor}"),
    }
}

/// Whether a buffer with this modifier (`None`: the framebuffer was created without
/// one) may be read row by row from a CPU mapping.
///
/// An implicit modifier is taken as linear: that is what a dumb buffer is, and the X
/// server's front buffer with `AccelMethod none` is one (GETFB2 reports no modifier for
/// it). Anything else is tiled or compressed, and its bytes are not rows of pixels.
pub fn check_linear(modifier: Option<u64>) -> Result<()> {
    match modifier {
        None | Some(LINEAR) | Some(INVALID) => Ok(()),
        Some(m) => Err(Error::unsupported(format!(
            "the framebuffer is tiled or compressed ({}): it cannot be read through a CPU \
             mapping; export it as DMA-BUF for the GPU, or use --method shm",
            name(m)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn only_linear_and_implicit_modifiers_are_read_as_rows() {
        assert_eq!(check_linear(None), Ok(()));
        assert_eq!(check_linear(Some(LINEAR)), Ok(()));
        assert_eq!(check_linear(Some(INVALID)), Ok(()));
        let Err(e) = check_linear(Some(0x0100_0000_0000_0001)) else {
            panic!("X-tiled accepted")
        };
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        let m = e.message();
        assert!(m.contains("I915_X_TILED"), "{m}");
        // An AMD modifier is parametrised (tile mode, DCC...): named by vendor.
        let Err(e) = check_linear(Some(0x0200_0000_0000_1b01)) else {
            panic!("AMD tiling accepted")
        };
        let m = e.message();
        assert!(m.contains("AMD modifier 0x0200000000001b01"), "{m}");
    }

    #[test]
    fn names_cover_fixed_codes_vendors_and_unknown_vendors() {
        assert_eq!(name(0x0700_0000_0000_0001), "BROADCOM_VC4_T_TILED");
        assert_eq!(
            name(0x0800_0000_0000_0042),
            "ARM modifier 0x0800000000000042"
        );
        assert_eq!(
            name(0x4200_0000_0000_0001),
            "modifier 0x4200000000000001 of unknown vendor 66"
        );
    }
}
