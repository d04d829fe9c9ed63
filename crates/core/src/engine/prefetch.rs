//! Hints to the processor to start loading memory that will soon be read.
//!
//! A program year keeps hundreds of thousands of orders in flight, and each
//! event touches one of them at random: most of an event's time is a wait on
//! memory. The event queue knows which orders the next events will touch
//! ([`EventQueue::target_ahead`](super::EventQueue::target_ahead)), so the
//! run loop can ask for them a few events early. A hint changes no result;
//! on targets without one it does nothing.

/// Asks for every cache line `value` lies in to be loaded into the cache
/// (a value of 40 bytes may straddle two).
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const CACHE_LINE_BYTES: usize = 64;
        let start = (value as *const T).cast::<i8>();
        let size = std::mem::size_of::<T>().max(1);
        // From the line of the first byte to the line of the last.
        let lines = ((start as usize % CACHE_LINE_BYTES) + size).div_ceil(CACHE_LINE_BYTES);
        for line in 0..lines {
            // SAFETY: a prefetch is a hint that never faults; the address
            // lies in a line that `value` occupies.
            #[allow(unused_unsafe)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(line * CACHE_LINE_BYTES));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Asks for the first cache line of `value` only: for a large record of
/// which an event reads a few fields, asking for every line would fill the
/// processor's line-fill buffers with lines nobody reads, and the next
/// prefetch would wait for a free buffer.
#[inline(always)]
pub fn prefetch_first_line<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults.
        #[allow(unused_unsafe)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
