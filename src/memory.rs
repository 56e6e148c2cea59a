//! Process memory policy: transparent huge pages off.
//!
//! mimalloc asks the kernel for transparent huge pages on its arenas
//! (`madvise(MADV_HUGEPAGE)`), and on systems whose THP mode is `always`
//! the kernel uses them anyway. A fault into an untouched 2 MiB region then
//! makes the kernel zero a whole 2 MiB page, and mimalloc keeps returning
//! idle memory to the kernel (`madvise`, ~150 calls/s in a busy gossip
//! node) and touching it again. Profiled on a gossip node under load, that
//! zeroing (`do_huge_pmd_anonymous_page` → `clear_page_erms`) was a fifth
//! of the node's CPU; with huge pages off, page faults took ~5 %, and the
//! 3-node gossip line won 14 of 15 alternating runs against the same build
//! with them on (README, gossip benchmark). Databases that churn memory
//! (Redis, MongoDB) advise the same.

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
