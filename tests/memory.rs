//! The memory estimate (`core::memory`) against the bytes the allocator
//! hands out: a tracking global allocator records the peak of live bytes
//! while a scope is built, trains, measures its statistics, makes a frame
//! (with a layer's matrix and the decision regions); under BatchNorm
//! `mode=eval` that frame shows a probe pass in buffers of its own. The wasm side (the memory's growth) is
//! tests/node/memory.test.mjs. The budget refuses before building.
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use normscope::core::frame::{Frame, FrameRequest};
use normscope::core::memory::{MemoryEstimate, MEMORY_BUDGET};
use normscope::{Config, Error, Scope};

struct Tracking;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        grew(size);
        System.realloc(ptr, layout, size)
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// The tests here read one global counter: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Peak live bytes while `query` is built, trained and drawn.
fn peak_bytes(query: &str, steps: usize) -> (u64, MemoryEstimate) {
    let config: Config = query.parse().unwrap();
    let estimate = MemoryEstimate::of(&config);
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let mut scope = Scope::new(config).unwrap();
    scope.step(steps);
    let request = FrameRequest {
        layer: Some(1),
        decision: Some(64),
    };
    std::hint::black_box(Frame::of(&mut scope, request).to_bytes());
    let peak = (PEAK.load(Ordering::SeqCst) - base) as u64;
    drop(scope);
    (peak, estimate)
}

/// Configs and the steps each trains before its frame. The estimate counts
/// a full history (1000 records, and the frame's copy of it), which at S is
/// a tenth of the memory: S trains until its history is full. For the
/// others the history is a small share and three steps are enough.
const CONFIGS: [(&str, usize); 7] = [
    ("depth=8&width=64&batch=64&activation=tanh&norm=layer", 1000),
    // Without a norm a plain block keeps only a, h, dL/dh and dL/da.
    ("depth=16&width=256&batch=512&activation=relu", 3),
    // gelu's saved erf twice: in the training buffers and the eval probe's.
    ("depth=12&width=256&batch=512&activation=gelu&norm=batch&mode=eval", 3),
    ("depth=16&width=128&batch=128&activation=relu&norm=batch&mode=eval&optimizer=adam&dataset=gaussian", 3),
    ("depth=64&width=256&batch=256&activation=gelu&norm=layer&residual=pre&optimizer=adam&dataset=gaussian", 3),
    ("depth=8&width=512&batch=1024&norm=group&groups=8&optimizer=momentum", 3),
    ("depth=20&width=384&batch=1024&norm=batch&residual=post", 3),
];

#[test]
fn the_estimate_is_within_ten_percent_of_the_peak_of_live_bytes() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for (query, steps) in CONFIGS {
        let (peak, estimate) = peak_bytes(query, steps);
        let ratio = estimate.total() as f64 / peak as f64;
        println!(
            "{query}: estimate {} peak {peak} ratio {ratio:.3} {estimate:?}",
            estimate.total()
        );
        assert!(
            (0.9..=1.1).contains(&ratio),
            "{query}: estimate {} B, peak {peak} B",
            estimate.total()
        );
    }
}

/// A tiny network holds less than its estimate, which counts a full history
/// (1000 records) that a few steps do not fill.
#[test]
fn a_tiny_network_stays_below_its_estimate() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (peak, estimate) = peak_bytes("depth=3&width=16&batch=8&norm=rms", 3);
    assert!(
        peak < estimate.total(),
        "peak {peak} B, estimate {estimate:?}"
    );
}

/// The largest config with LayerNorm (depth 64, width 512, batch 1024: about
/// 1341 MiB) is refused before anything is built, naming what it needs and
/// which keys to lower; batch 640 fits (768 does not), and so does the largest config
/// without a norm (about 733 MiB: its plain blocks keep no buffer for a
/// norm, `buffers::Uses`).
#[test]
fn a_config_over_the_budget_is_refused_before_building() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let plain: Config = "depth=64&width=512&batch=1024".parse().unwrap();
    assert!(MemoryEstimate::check(&plain).is_ok());
    let largest: Config = "depth=64&width=512&batch=1024&norm=layer".parse().unwrap();
    let needs = MemoryEstimate::of(&largest).total();
    assert!(needs > MEMORY_BUDGET);
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let error = Scope::new(largest).map(|_| ()).unwrap_err();
    let built = PEAK.load(Ordering::SeqCst) - base;
    assert!(
        built < 1 << 20,
        "{built} bytes allocated before the refusal"
    );
    let needs_mib = needs.div_ceil(1 << 20);
    assert_eq!(
        error,
        Error::OverBudget {
            needs_mib,
            budget_mib: 1024,
            keys: "depth, width, batch".into()
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "this network needs about {needs_mib} MiB of memory, more than the 1024 MiB \
             allowed; lower one of depth, width, batch"
        )
    );
    let fits: Config = "depth=64&width=512&batch=640&norm=layer".parse().unwrap();
    assert!(MemoryEstimate::check(&fits).is_ok());
    let over: Config = "depth=64&width=512&batch=768&norm=layer".parse().unwrap();
    assert!(MemoryEstimate::check(&over).is_err());
}
