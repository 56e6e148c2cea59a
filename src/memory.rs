//! Process memory policy: transparent huge pages off.
//!
//! mimalloc asks the kernel for transparent huge pages on its arenas
//! (`madvise(MADV_HUGEPAGE)`), and on systems whose THP mode is `always`
//! the kernel uses them anyway. The node's allocation pattern then pays for
//! it: mimalloc gives idle 64 KiB spans back (`MADV_DONTNEED`) and takes
//! them again, and each fault into an empty 2 MiB region makes the kernel
//! zero a whole 2 MiB page, in a virtual machine also faulting it in on the
//! host. Profiled on a gossip node under load, that zeroing was a fifth of
//! the node's CPU; with huge pages off, page faults took ~5 % and the
//! 3-node gossip line used 16 % less CPU per record (README, gossip
//! benchmark). Databases that churn memory (Redis, MongoDB) advise the same.

/// Turns transparent huge pages off for this process (Linux; elsewhere a
/// no-op). It applies to memory already mapped as well, since the kernel
/// checks the flag at each fault. Failure is only logged: it costs speed,
/// not correctness.
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and only
        // sets a flag on this process's memory descriptor.
        let rc = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
        if rc != 0 {
            tracing::debug!(
                error = %std::io::Error::last_os_error(),
                "could not turn transparent huge pages off"
            );
        }
    }
}
