//! Tuning of mimalloc, the allocator of the `transnorm` binary and of the benchmarks (the
//! library itself leaves the allocator to its user; calling this where mimalloc is not the
//! global allocator changes nothing that allocates).

/// `mi_option_purge_delay` of mimalloc v2's `mi_option_e` (libmimalloc-sys 0.1 names no
/// constant for it): how many milliseconds a freed page waits before it is handed back to the
/// system. A unit test checks its default, 10.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed pages instead of handing them back to the system after 10 ms.
///
/// The documents of a batch are allocated on the workers and the reader and freed on other
/// threads; with the default delay their pages went back to the system between batches and
/// were faulted in (and zeroed) again. With the pages kept, the criterion `threads` group ran
/// 3-14% faster on two threads in four alternations, and the thread ratio's median went from
/// 1.75x to 1.81x; peak memory stays flat (README, Performance).
pub fn keep_freed_pages() {
    // SAFETY: mi_option_set only stores the value of a known option.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is the one mimalloc documents with a 10 ms default.
    #[test]
    fn the_purge_delay_option_is_the_one_of_10_ms() {
        // SAFETY: reading an option has no preconditions.
        let default = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(default, 10);
    }
}
