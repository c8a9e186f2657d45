//! The threaded build (`--features threads`): the matmuls split by rows over
//! rayon's pool, the activations and the per-row norms (layer, group, rms) by
//! bands of whole rows, the optimizer's pass by halves of a parameter, all give
//! bit-identical results to one thread, since every entry is the same
//! computation in the same order (src/core/matrix.rs, norm/mod.rs, optim.rs).
//! Without the feature this file is empty; `cargo xtask test` runs it with
//! the feature.
#![cfg(feature = "threads")]

use normscope::{Config, Scope};

/// Trains `query` for `steps` on a pool of `threads` threads; its snapshot and
/// statistics as JSON.
fn run(query: &str, steps: usize, threads: usize) -> (String, String) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut scope = Scope::new(query.parse::<Config>().unwrap()).unwrap();
        scope.step(steps);
        let stats = serde_json::to_string(scope.stats()).unwrap();
        (scope.snapshot().to_json(), stats)
    })
}

#[test]
fn threads_give_bit_identical_training() {
    // Big enough that every matmul is split (2 n k m >= PARALLEL_MIN_FLOPS),
    // with odd sizes so the bands end in partial tiles; batch x width and the
    // weights above 2^14 entries, so activations, norms and the optimizer
    // split too, into bands that end in partial parts.
    for query in [
        "depth=6&width=132&batch=140&norm=layer&activation=gelu&residual=pre&optimizer=adam&dataset=gaussian",
        "depth=5&width=128&batch=128&norm=batch&activation=relu&init=kaiming_normal&optimizer=momentum",
        "depth=3&width=136&batch=131&norm=group&groups=8&activation=tanh&residual=post&optimizer=sgd",
        "depth=3&width=128&batch=150&norm=rms&position=after&formula=eps_outside&activation=sigmoid",
    ] {
        let one = run(query, 4, 1);
        for threads in [2, 3, 4] {
            assert!(run(query, 4, threads) == one, "{threads} threads differ from one on {query}");
        }
    }
}
