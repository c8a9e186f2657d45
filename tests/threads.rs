//! The threaded build (`--features threads`): the matmuls split by rows over
//! rayon's pool, the activations and the per-row norms (layer, group, rms) by
//! bands of whole rows, the optimizer's pass by halves of a parameter, the
//! timeline's percentiles by parts of the layers, all give
//! bit-identical results to one thread, since every entry is the same
//! computation in the same order (src/core/matrix.rs, norm/mod.rs, optim.rs).
//! Without the feature this file is empty; `cargo xtask test` runs it with
//! the feature.
#![cfg(feature = "threads")]

use normscope::core::history::History;
use normscope::{Config, Scope};

/// Trains `query` for `steps` on a pool of `threads` threads; its snapshot and
/// statistics as JSON, and its history with the timeline's percentile bands
/// (not part of the statistics' JSON).
fn run(query: &str, steps: usize, threads: usize) -> (String, String, History) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut scope = Scope::new(query.parse::<Config>().unwrap()).unwrap();
        scope.step(steps);
        let stats = scope.stats();
        let (json, history) = (serde_json::to_string(stats).unwrap(), stats.history.clone());
        assert_eq!(history.timeline.steps.len(), steps, "every step recorded");
        (scope.snapshot().to_json(), json, history)
    })
}

#[test]
fn threads_give_bit_identical_training() {
    // Big enough that every matmul is split (2 n k m >= PARALLEL_MIN_FLOPS),
    // with odd sizes so the bands end in partial tiles; batch x width and the
    // weights at or above 2^16 entries (PARALLEL_MIN_LEN), so activations,
    // norms, the optimizer and the timeline's percentiles split too, into
    // bands that end in partial parts.
    for query in [
        "depth=6&width=260&batch=270&norm=layer&activation=gelu&residual=pre&optimizer=adam&dataset=gaussian",
        "depth=5&width=256&batch=256&norm=batch&activation=relu&init=kaiming_normal&optimizer=momentum",
        "depth=3&width=264&batch=251&norm=group&groups=8&activation=tanh&residual=post&optimizer=sgd",
        "depth=3&width=256&batch=300&norm=rms&position=after&formula=eps_outside&activation=sigmoid",
    ] {
        let one = run(query, 4, 1);
        for threads in [2, 3, 4] {
            assert!(run(query, 4, threads) == one, "{threads} threads differ from one on {query}");
        }
    }
}

/// What the page's worker does: `Scope::step` called from outside any pool,
/// which then runs its steps on a thread of rayon's global pool (two threads
/// here): the same training as one thread.
#[test]
fn steps_called_from_outside_the_pool_give_the_same_training() {
    // Another test may have made the global pool first; any size above one will do.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build_global();
    assert!(
        rayon::current_num_threads() > 1,
        "the global pool has one thread"
    );
    assert!(
        rayon::current_thread_index().is_none(),
        "the test runs outside the pool"
    );
    let query = "depth=4&width=256&batch=256&norm=layer&activation=tanh&optimizer=adam";
    let mut scope = Scope::new(query.parse::<Config>().unwrap()).unwrap();
    scope.step(3);
    let stats = scope.stats();
    let (json, history) = (serde_json::to_string(stats).unwrap(), stats.history.clone());
    let outside = (scope.snapshot().to_json(), json, history);
    assert!(
        outside == run(query, 3, 1),
        "steps from outside the pool differ from one thread"
    );
}
