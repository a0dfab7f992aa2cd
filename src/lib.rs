//! fps-checkout: the browser module of Amazon FPS Co-Branded UI checkout (wasm32 only).
//!
//! The Pay Now button ([`browser::button`]) and the thank-you page's return forwarding
//! ([`browser::return_page`]) on top of the pure core (`fps-core`); [`wasm`] holds the JS
//! exports. The native products (signer, merchant backend, emulator, CLI) are the crates in
//! `crates/`; this crate builds only for `wasm32-unknown-unknown`.
//!
//! The shipped build is `no_std` (`core` + `alloc`): with the default `std` feature it still links
//! std (the wasm tests need it); without it (`scripts/pkg`) the module brings its own panic handler
//! and allocator ([`heap`]), and std's panic and formatting machinery never reaches the browser.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

#[cfg(all(feature = "std", not(test)))]
extern crate std;

pub mod heap;

pub mod browser;

pub mod wasm;

/// The runtime of the `no_std` wasm build: what std would otherwise provide.
#[cfg(all(not(feature = "std"), not(test)))]
mod bare_runtime {
    /// A panic traps at once, as std's abort does on wasm32; no message is formatted. The module
    /// never panics on input (every input error is a `Result`), so this is a bug trap only.
    #[panic_handler]
    fn panic(_info: &::core::panic::PanicInfo<'_>) -> ! {
        ::core::arch::wasm32::unreachable()
    }

    use crate::heap::Heap;
    use ::core::alloc::{GlobalAlloc, Layout};
    use ::core::arch::wasm32::memory_grow;
    use ::core::cell::UnsafeCell;
    use ::core::ptr::{copy_nonoverlapping, null_mut};

    #[cfg(target_feature = "atomics")]
    compile_error!("the browser heap assumes one thread: build without the `atomics` target feature");

    /// The global allocator: [`Heap`] over the wasm memory (see `src/heap.rs` for why not dlmalloc).
    struct BrowserHeap(UnsafeCell<Heap>);

    // SAFETY: wasm32-unknown-unknown without the `atomics` feature (refused above) runs the module
    // on one thread, and no allocator call re-enters another (Heap calls nothing but
    // `memory.grow`), so each call has the heap to itself.
    unsafe impl Sync for BrowserHeap {}

    /// Grows the wasm memory by at least `bytes`: the start and length of the new pages.
    fn grow(bytes: usize) -> Option<(usize, usize)> {
        let pages = bytes.div_ceil(65536);
        let old = memory_grow(0, pages);
        (old != usize::MAX).then(|| (old * 65536, pages * 65536))
    }

    // SAFETY: every block comes from `Heap::alloc` for the class of its layout, aligned to its
    // power-of-two size (at least the layout's size and alignment), and is freed with that same
    // class, which `GlobalAlloc`'s contract (same layout on dealloc) guarantees.
    unsafe impl GlobalAlloc for BrowserHeap {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let Some(class) = Heap::class(layout.size(), layout.align()) else {
                return null_mut();
            };
            // SAFETY: exclusive access (see `Sync` above); free lists hold only our blocks.
            let heap = unsafe { &mut *self.0.get() };
            unsafe { heap.alloc(class, grow) }.map_or(null_mut(), |at| at as *mut u8)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if let Some(class) = Heap::class(layout.size(), layout.align()) {
                // SAFETY: `ptr` came from `alloc` with this layout, hence this class.
                unsafe { (*self.0.get()).free(ptr as usize, class) };
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if Heap::class(new_size, layout.align()) == Heap::class(layout.size(), layout.align()) {
                // The block already holds `new_size` bytes.
                return ptr;
            }
            // SAFETY: as `GlobalAlloc::realloc`'s default: a new block, the common bytes copied,
            // the old block freed; `new_size` with the old alignment is a valid layout (contract).
            unsafe {
                let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }

    #[global_allocator]
    static ALLOCATOR: BrowserHeap = BrowserHeap(UnsafeCell::new(Heap::new()));
}
