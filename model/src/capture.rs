//! How the XR output's pixels are read.

use crate::Choice;

/// How pixels are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureMethod {
    Auto,
    Dmabuf,
    Mmap,
    Shm,
}

impl Choice for CaptureMethod {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Self::Auto,
            "auto",
            "The best available: dmabuf, then mmap, then shm",
        ),
        (
            Self::Dmabuf,
            "dmabuf",
            "Export the DRM framebuffer as DMA-BUF and map that",
        ),
        (
            Self::Mmap,
            "mmap",
            "Map the DRM framebuffer (linear buffers only)",
        ),
        (
            Self::Shm,
            "shm",
            "Ask the X server (MIT-SHM); needs no DRM access",
        ),
    ];
}
crate::choice_traits!(CaptureMethod);

/// Which framebuffer the DRM methods read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceChoice {
    Auto,
    Front,
    FramebufferId,
}

impl Choice for SourceChoice {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Self::Auto,
            "auto",
            "The front buffer; a running loop moves to the FRAMEBUFFER_ID buffer once that \
             property changes (the driver started drawing there)",
        ),
        (
            Self::Front,
            "front",
            "The screen's front buffer (what the CRTCs scan out) at the output's position",
        ),
        (
            Self::FramebufferId,
            "framebuffer-id",
            "The buffer behind the output's FRAMEBUFFER_ID property (patched driver only; \
             it stays black while the driver draws XR-0 into the front buffer)",
        ),
    ];
}
crate::choice_traits!(SourceChoice);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for (value, name, _) in CaptureMethod::ALL {
            assert_eq!(value.to_string(), *name);
            assert_eq!(name.parse::<CaptureMethod>(), Ok(*value));
        }
        assert_eq!(
            "framebuffer-id".parse::<SourceChoice>(),
            Ok(SourceChoice::FramebufferId)
        );
        let err = "dma".parse::<CaptureMethod>().unwrap_err();
        assert!(err.contains("auto, dmabuf, mmap, shm"), "{err}");
    }
}
