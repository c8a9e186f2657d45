//! No allocation per training step in the hot path: after a warm-up step (which
//! sizes the caches and the optimizer state), `Scope::step` allocates nothing.
//! A counting global allocator makes this a test that fails on any stray Vec.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        System.realloc(ptr, layout, size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn training_steps_do_not_allocate() {
    for query in [
        "depth=8&width=64&norm=layer",
        "depth=6&width=32&norm=batch&optimizer=adam&residual=pre",
        "depth=4&width=16&norm=group&groups=4&optimizer=momentum&residual=post&dataset=gaussian",
        "depth=3&width=8&norm=rms&position=after&activation=gelu",
    ] {
        let mut scope = normscope::Scope::new(query.parse().unwrap()).unwrap();
        scope.step(2);
        let before = ALLOCATIONS.load(Ordering::SeqCst);
        // 500 steps stay below the history's thinning point (1000 records).
        scope.step(500);
        let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;
        assert_eq!(
            allocations, 0,
            "{query}: {allocations} allocations in 500 steps"
        );
    }
}
