//! Copying rows out of a mapped framebuffer.
//!
//! GPU buffers mapped into the CPU are often write-combined: ordinary loads from them
//! are uncached and very slow. SSE4.1's streaming load (`movntdqa`) reads such memory a
//! cache line at a time; on ordinary memory it behaves like a normal load. So rows are
//! copied with streaming loads where the CPU has them, and with `copy_from_slice` else.

/// Copies `src` into `dst` (same length).
pub fn copy_row(dst: &mut [u8], src: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("sse4.1") {
            // SAFETY: the CPU supports SSE4.1, checked just above.
            unsafe { streaming::copy(dst, src) };
            return;
        }
    }
    dst.copy_from_slice(src);
}

/// Whether rows are copied with streaming loads on this CPU.
pub fn uses_streaming_loads() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod streaming {
    use std::arch::x86_64::{__m128i, _mm_storeu_si128, _mm_stream_load_si128};

    /// # Safety
    /// The CPU must support SSE4.1.
    #[target_feature(enable = "sse4.1")]
    pub unsafe fn copy(dst: &mut [u8], src: &[u8]) {
        assert_eq!(dst.len(), src.len());
        // Streaming loads need 16-byte aligned addresses: copy the unaligned head plainly.
        let head = src.as_ptr().align_offset(16).min(src.len());
        dst[..head].copy_from_slice(&src[..head]);
        let body = (src.len() - head) / 64 * 64;
        let mut i = head;
        while i < head + body {
            // SAFETY: i..i+64 lies inside both slices and src + i is 16-byte aligned.
            unsafe {
                let s = src.as_ptr().add(i) as *const __m128i;
                let d = dst.as_mut_ptr().add(i) as *mut __m128i;
                let a = _mm_stream_load_si128(s);
                let b = _mm_stream_load_si128(s.add(1));
                let c = _mm_stream_load_si128(s.add(2));
                let e = _mm_stream_load_si128(s.add(3));
                _mm_storeu_si128(d, a);
                _mm_storeu_si128(d.add(1), b);
                _mm_storeu_si128(d.add(2), c);
                _mm_storeu_si128(d.add(3), e);
            }
            i += 64;
        }
        dst[i..].copy_from_slice(&src[i..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_every_length_and_alignment_exactly() {
        let src: Vec<u8> = (0..600u32).map(|i| (i * 7 + 3) as u8).collect();
        for offset in 0..17 {
            for len in [0, 1, 15, 16, 63, 64, 65, 200, 500] {
                let mut dst = vec![0u8; len];
                copy_row(&mut dst, &src[offset..offset + len]);
                assert_eq!(dst, &src[offset..offset + len], "offset {offset} len {len}");
            }
        }
    }
}
