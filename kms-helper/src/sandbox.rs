//! The helper's seccomp allow-list, installed once it has started up: the system calls
//! its request loop makes, and on `ioctl` only the DRM requests an export needs. Any
//! other call fails with EPERM (the request is refused with that error, the helper
//! keeps answering); the filter itself cannot be removed.

use std::collections::BTreeMap;
use std::mem::size_of;

use drm_ffi::drm_sys::{
    drm_gem_close, drm_mode_card_res, drm_mode_crtc, drm_mode_fb_cmd, drm_mode_fb_cmd2,
    drm_mode_get_plane, drm_mode_get_plane_res, drm_prime_handle,
};
use nix::libc;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

const DRM_IOCTL_BASE: u8 = b'd';

/// The DRM ioctls of an export: reading resources, CRTCs and planes (is it shown?),
/// GETFB2/GETFB (the buffer handles), PRIME export, and closing the handles.
fn drm_ioctls() -> [libc::c_ulong; 8] {
    let rw = |nr: u8, size: usize| nix::request_code_readwrite!(DRM_IOCTL_BASE, nr, size);
    [
        rw(0xA0, size_of::<drm_mode_card_res>()),
        rw(0xA1, size_of::<drm_mode_crtc>()),
        rw(0xB5, size_of::<drm_mode_get_plane_res>()),
        rw(0xB6, size_of::<drm_mode_get_plane>()),
        rw(0xAD, size_of::<drm_mode_fb_cmd>()),
        rw(0xCE, size_of::<drm_mode_fb_cmd2>()),
        rw(0x2D, size_of::<drm_prime_handle>()),
        nix::request_code_write!(DRM_IOCTL_BASE, 0x09, size_of::<drm_gem_close>()),
    ]
}

/// What the request loop calls: socket I/O, opening and reading the card, the seat
/// files and udev's entry, raising and lowering CAP_SYS_ADMIN, memory, and exiting.
const SYSCALLS: &[libc::c_long] = &[
    libc::SYS_read,
    libc::SYS_write,
    libc::SYS_close,
    libc::SYS_openat,
    libc::SYS_fstat,
    libc::SYS_newfstatat,
    libc::SYS_statx,
    libc::SYS_lseek,
    libc::SYS_recvmsg,
    libc::SYS_sendmsg,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_poll,
    libc::SYS_ppoll,
    libc::SYS_getuid,
    libc::SYS_capget,
    libc::SYS_capset,
    libc::SYS_mmap,
    libc::SYS_munmap,
    libc::SYS_mremap,
    libc::SYS_brk,
    libc::SYS_madvise,
    libc::SYS_futex,
    libc::SYS_getrandom,
    libc::SYS_sched_yield,
    libc::SYS_rt_sigreturn,
    libc::SYS_rt_sigprocmask,
    libc::SYS_sigaltstack,
    libc::SYS_exit,
    libc::SYS_exit_group,
];

// c_long and c_ulong are 64 bits here, 32 on 32-bit targets: the conversions stay.
#[allow(clippy::useless_conversion)]
fn filter() -> Result<BpfProgram, seccompiler::Error> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = SYSCALLS
        .iter()
        .map(|&nr| (i64::from(nr), Vec::new()))
        .collect();
    // The request number is an unsigned int in the kernel: compare the low 32 bits.
    let ioctls = drm_ioctls()
        .into_iter()
        .map(|cmd| {
            SeccompCondition::new(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, u64::from(cmd))
                .and_then(|c| SeccompRule::new(vec![c]))
        })
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(i64::from(libc::SYS_ioctl), ioctls);
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Errno(libc::EPERM as u32),
        SeccompAction::Allow,
        arch,
    )?;
    Ok(filter.try_into()?)
}

/// Installs the filter on this (the helper's only) thread; needs no_new_privs set.
/// An architecture seccompiler does not know is an error: the helper does not run
/// unfiltered.
pub fn install() -> Result<(), seccompiler::Error> {
    seccompiler::apply_filter(&filter()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_ioctl_numbers_are_the_kernels() {
        // The uapi headers' DRM_IOCTL_MODE_GETRESOURCES ... DRM_IOCTL_GEM_CLOSE on x86_64.
        let want = [
            0xc04064a0, 0xc06864a1, 0xc01064b5, 0xc02064b6, 0xc01c64ad, 0xc06864ce, 0xc00c642d,
            0x40086409,
        ];
        assert_eq!(drm_ioctls(), want);
    }

    #[test]
    fn the_filter_compiles_for_this_architecture() {
        assert!(filter().is_ok_and(|p| p.len() > SYSCALLS.len()));
    }
}
