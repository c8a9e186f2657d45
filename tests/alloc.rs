//! No allocation per training step in the hot path: after a warm-up step (which
//! sizes the caches and the optimizer state), `Scope::step` allocates nothing.
//! A frame after a step runs no second pass, and its decision grid runs the
//! forward pass into buffers it reuses: it allocates its result alone.
//! A counting global allocator makes these tests that fail on any stray Vec;
//! they take a lock, since the counter is global.
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

/// The tests here count every thread's allocations: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn training_steps_do_not_allocate() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
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

#[test]
fn the_decision_grid_after_a_step_allocates_only_its_result() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for query in [
        "depth=6&width=32&norm=batch",
        "depth=5&width=16&norm=layer&residual=pre&formula=batch_axes",
    ] {
        let mut scope = normscope::Scope::new(query.parse().unwrap()).unwrap();
        scope.step(1);
        scope.decision_grid(64);
        for _ in 0..3 {
            scope.step(1);
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            let grid = scope.decision_grid(64);
            let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;
            let cells = grid.map_or(0, |g| g.probability.len());
            assert!(cells >= 32 * 32, "{query}: {cells} cells");
            assert_eq!(
                allocations, 1,
                "{query}: the probabilities, and nothing else"
            );
        }
    }
}
