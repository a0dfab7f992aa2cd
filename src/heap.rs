//! A small size-class heap: the allocator of the `no_std` browser module (see `src/lib.rs`).
//!
//! Why not dlmalloc (std's own on wasm32): it is a large part of the module's code (figures in
//! BENCHMARKS.md, "Size notes") for coalescing and trimming that a payment button never
//! benefits from (a page mounts a few buttons and allocates a few kilobytes).
//!
//! How it works: every request is rounded up to a power-of-two block of at least
//! [`MIN_BLOCK`] bytes (its size class); a freed block goes onto its class's free list (the link
//! is stored in the block itself) and is handed out again for the next request of that class.
//! New blocks are carved from a region that grows through the `grow` callback (on wasm32,
//! `memory.grow`), each block aligned to its own size, so every alignment up to the block size
//! holds. Blocks are never split, merged or returned: memory in use is at most twice the peak
//! of live bytes in each class, plus alignment padding.
//!
//! The heap itself is plain data with no `unsafe` in its bookkeeping beyond reading and writing
//! the free-list links inside blocks it handed out; the global-allocator wrapper in `src/lib.rs`
//! gives it exclusive access (the browser module is single-threaded).

/// Smallest block: room for a free-list link and every primitive alignment on wasm32.
pub const MIN_BLOCK: usize = 16;

/// Number of size classes: blocks of `MIN_BLOCK << k` bytes for `k` in `0..CLASSES` (16 B to 2 GiB).
pub const CLASSES: usize = 28;

/// Size-class heap state: free-list heads and the unused end of the region.
#[derive(Debug)]
pub struct Heap {
    /// Address of the first free block of each class, 0 when the list is empty.
    free: [usize; CLASSES],
    /// Next unused address of the region.
    next: usize,
    /// End of the region (exclusive).
    end: usize,
}

impl Heap {
    /// An empty heap whose region is grown on first use.
    pub const fn new() -> Self {
        Heap {
            free: [0; CLASSES],
            next: 0,
            end: 0,
        }
    }

    /// The class of a request of `size` bytes aligned to `align`, or `None` if too large.
    pub fn class(size: usize, align: usize) -> Option<usize> {
        let need = if size > align { size } else { align };
        let block = need.max(MIN_BLOCK).checked_next_power_of_two()?;
        let class = (block.trailing_zeros() - MIN_BLOCK.trailing_zeros()) as usize;
        (class < CLASSES).then_some(class)
    }

    /// The size in bytes of a block of `class`.
    pub fn block_size(class: usize) -> usize {
        MIN_BLOCK << class
    }

    /// The address of a free block of `class`, or `None` when `grow` cannot provide room.
    ///
    /// `grow(bytes)` must make at least `bytes` more bytes of memory available and return the
    /// start and length of the new memory (as `memory.grow` does, in whole pages), or `None`.
    /// New memory that does not continue the region starts a new region (the rest of the old
    /// one is left unused).
    ///
    /// # Safety
    ///
    /// Every block on a free list must have been handed out by this heap and given back with
    /// [`Heap::free`], and nothing may write to it while it is free; memory `grow` returns must
    /// be unused by anything else.
    pub unsafe fn alloc(
        &mut self,
        class: usize,
        mut grow: impl FnMut(usize) -> Option<(usize, usize)>,
    ) -> Option<usize> {
        let head = self.free[class];
        if head != 0 {
            // SAFETY: `head` is a free block of this heap (caller's contract): its first word
            // holds the next link, written by `free`, and it is aligned to at least MIN_BLOCK.
            self.free[class] = unsafe { *(head as *const usize) };
            return Some(head);
        }
        let size = Self::block_size(class);
        loop {
            // Aligned to its own size, so any alignment up to the block size holds.
            let start = self.next.checked_add(size - 1)? & !(size - 1);
            let stop = start.checked_add(size)?;
            if self.end != 0 && stop <= self.end {
                self.next = stop;
                return Some(start);
            }
            // Room for the block even if the new memory starts a new region (worst alignment).
            let want = if self.end == 0 {
                size.checked_mul(2)?
            } else {
                stop - self.end
            };
            let (base, len) = grow(want)?;
            if base != self.end {
                self.next = base;
            }
            self.end = base.checked_add(len)?;
        }
    }

    /// Gives back a block of `class` at `address`.
    ///
    /// # Safety
    ///
    /// `address` must come from [`Heap::alloc`] of this heap with the same `class`, not freed
    /// since; the caller must not use the block afterwards.
    pub unsafe fn free(&mut self, address: usize, class: usize) {
        // SAFETY: the block is ours, at least MIN_BLOCK bytes and aligned (caller's contract):
        // its first word may hold the link.
        unsafe { *(address as *mut usize) = self.free[class] };
        self.free[class] = address;
    }
}

impl Default for Heap {
    fn default() -> Self {
        Heap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test region: a leaked, page-aligned buffer handed out by pages, as `memory.grow` does.
    struct Region {
        base: usize,
        used: usize,
        cap: usize,
    }

    impl Region {
        fn new(cap: usize) -> Self {
            let layout = std::alloc::Layout::from_size_align(cap, 65536).unwrap();
            // SAFETY: non-zero size; the memory is leaked for the test's duration.
            let base = unsafe { std::alloc::alloc_zeroed(layout) } as usize;
            assert_ne!(base, 0);
            Region { base, used: 0, cap }
        }

        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            let len = bytes.div_ceil(65536) * 65536;
            let start = self.base + self.used;
            if self.used + len > self.cap {
                return None;
            }
            self.used += len;
            Some((start, len))
        }
    }

    #[test]
    fn classes_round_up_to_powers_of_two_of_at_least_min_block() {
        assert_eq!(Heap::class(0, 1), Some(0));
        assert_eq!(Heap::class(1, 1), Some(0));
        assert_eq!(Heap::class(16, 8), Some(0));
        assert_eq!(Heap::class(17, 1), Some(1));
        assert_eq!(Heap::class(8, 64), Some(2));
        assert_eq!(Heap::block_size(2), 64);
        assert_eq!(Heap::class(usize::MAX, 1), None);
    }

    #[test]
    fn blocks_are_aligned_distinct_and_reused_after_free() {
        let mut region = Region::new(1 << 22);
        let mut heap = Heap::new();
        let mut blocks = Vec::new();
        for (i, size) in [1usize, 24, 100, 16, 4000, 3, 70_000, 40].iter().enumerate() {
            let class = Heap::class(*size, 8).unwrap();
            // SAFETY: no block is ever freed twice or written after free in this test.
            let at = unsafe { heap.alloc(class, |b| region.grow(b)) }.unwrap();
            assert_eq!(at % Heap::block_size(class), 0, "block {i} aligned to its size");
            blocks.push((at, class));
        }
        for (i, (a, ca)) in blocks.iter().enumerate() {
            for (b, cb) in &blocks[i + 1..] {
                let (a_end, b_end) = (a + Heap::block_size(*ca), b + Heap::block_size(*cb));
                assert!(a_end <= *b || b_end <= *a, "blocks overlap");
            }
        }
        let (at, class) = blocks[2];
        // SAFETY: `at` came from this heap with `class` and is not used again.
        unsafe { heap.free(at, class) };
        let again = unsafe { heap.alloc(class, |b| region.grow(b)) }.unwrap();
        assert_eq!(again, at, "a freed block is handed out again for its class");
    }

    #[test]
    fn a_failed_grow_is_no_block() {
        let mut region = Region::new(1 << 17);
        let mut heap = Heap::new();
        let big = Heap::class(1 << 20, 8).unwrap();
        assert_eq!(unsafe { heap.alloc(big, |b| region.grow(b)) }, None);
        let small = Heap::class(10, 8).unwrap();
        assert!(unsafe { heap.alloc(small, |b| region.grow(b)) }.is_some());
    }

    #[test]
    fn many_blocks_keep_their_contents_through_frees_and_growth() {
        let mut region = Region::new(1 << 24);
        let mut heap = Heap::new();
        let mut live: Vec<(usize, usize, usize, u8)> = Vec::new();
        let mut seed = 0x2545_f491_u32;
        for round in 0..4000u32 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            if seed % 3 == 0 && !live.is_empty() {
                let (at, len, class, fill) = live.swap_remove(seed as usize % live.len());
                // SAFETY: the block is live and ours; it is not used after free.
                let bytes = unsafe { std::slice::from_raw_parts(at as *const u8, len) };
                assert!(
                    bytes.iter().all(|b| *b == fill),
                    "round {round}: block overwritten"
                );
                unsafe { heap.free(at, class) };
                continue;
            }
            let len = 1 + (seed as usize >> 8) % 5000;
            let class = Heap::class(len, 1).unwrap();
            let at = unsafe { heap.alloc(class, |b| region.grow(b)) }.unwrap();
            let fill = round as u8;
            // SAFETY: a live block of at least `len` bytes that only this entry uses.
            unsafe { std::ptr::write_bytes(at as *mut u8, fill, len) };
            live.push((at, len, class, fill));
        }
        for (at, len, _, fill) in live {
            let bytes = unsafe { std::slice::from_raw_parts(at as *const u8, len) };
            assert!(bytes.iter().all(|b| *b == fill));
        }
    }
}
