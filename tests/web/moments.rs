//! The moments in the wasm build, whose loop over finite values runs on
//! f64x2 and f32x4 (`src/core/stats/moments.rs`), equal the in-order loop of
//! four f64 lanes bit for bit: every summary of a real network's buffers,
//! with and without non-finite values and with lengths that leave a remainder.
//! So do the linear histograms, whose bins of finite values the wasm build
//! finds on f64x2 (`src/core/histogram.rs`, `Counts::add_within`): each
//! equals a count value by value with the scalar formula.

use normscope::core::network::Network;
use normscope::core::stats::{std_of, Detail, Histogram, Stats, Summary, BINS};
use normscope::{Config, Scope};
use wasm_bindgen_test::*;

/// Mean, std, min and max of the finite `values`: value `i` into f64 lane
/// `i % 4`, the extremes compared in order (the first of 0.0 and -0.0).
fn in_order(values: &[f32]) -> [u32; 4] {
    let (mut n, mut sums, mut squares) = (0usize, [0.0f64; 4], [0.0f64; 4]);
    let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
    for (i, &v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        n += 1;
        sums[i % 4] += v as f64;
        squares[i % 4] += v as f64 * v as f64;
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    let mean = sums.iter().sum::<f64>() / n as f64;
    let var = (squares.iter().sum::<f64>() / n as f64 - mean * mean).max(0.0);
    [mean as f32, var.sqrt() as f32, min, max].map(f32::to_bits)
}

/// The linear histogram of the finite `values` over `[lo, hi]`, value by
/// value: bin `floor((v - lo) * BINS / (hi - lo))` in f64, clamped.
fn counted(values: &[f32], lo: f32, hi: f32) -> Vec<u32> {
    let mut counts = vec![0u32; BINS];
    let per_unit = BINS as f64 / (hi as f64 - lo as f64);
    for &v in values.iter().filter(|v| v.is_finite()) {
        let bin = ((v as f64 - lo as f64) * per_unit) as i32;
        counts[bin.clamp(0, BINS as i32 - 1) as usize] += 1;
    }
    counts
}

fn bits(s: &Summary) -> [u32; 4] {
    [s.mean, s.std, s.min, s.max].map(f32::to_bits)
}

/// Networks whose buffers the vectorized loops are checked on (query, steps):
/// ReLU with BatchNorm, GELU with Pre-LN, and one whose deep layers
/// overflow into infinities and NaNs.
pub(super) const NETWORKS: [(&str, usize); 3] = [
    ("depth=4&width=13&batch=7&activation=relu&norm=batch", 3),
    (
        "depth=3&width=16&batch=8&activation=gelu&norm=layer&residual=pre",
        5,
    ),
    (
        "activation=linear&init=normal&scale=100&depth=64&width=32",
        0,
    ),
];

#[wasm_bindgen_test]
fn every_summary_equals_the_in_order_loop() {
    for (query, steps) in NETWORKS {
        let mut scope = Scope::new(query.parse::<Config>().expect("config")).expect("scope");
        scope.step(steps);
        // The shown step's statistics (the charts' histograms only) on its
        // buffers, and a snapshot's probe pass (every histogram) on its own.
        let shown = (scope.stats().clone(), scope.network().clone());
        let (probed_network, probed) = scope.probe_pass(Detail::All);
        for (stats, network) in [(&shown.0, &shown.1), (&probed, &probed_network)] {
            check_layers(query, stats, network);
        }
    }
    for len in 1..=9 {
        let values: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        assert_eq!(
            std_of(&values).to_bits(),
            in_order(&values)[1],
            "length {len}"
        );
    }
}

/// Each summary of `stats` equals the in-order loop over `network`'s buffers,
/// and each histogram it holds a count value by value (those of pre and
/// grad_pre may be empty: the charts' statistics leave them out).
fn check_layers(query: &str, stats: &Stats, network: &Network) {
    let rows = network.rows();
    let buffers = network.acts.blocks.iter().zip(&network.grads.blocks);
    for ((layer, block), (a, g)) in stats.layers.iter().zip(&network.blocks).zip(buffers) {
        let n = rows * block.linear.fan_out;
        let summaries = [&layer.pre, &layer.out, &layer.grad, &layer.grad_pre];
        let values = [&a.pre[..n], &a.out[..n], &g.d_out[..n], &g.d_pre[..n]];
        for (q, (summary, values)) in summaries.into_iter().zip(values).enumerate() {
            if summary.count > summary.nonfinite {
                assert_eq!(
                    bits(summary),
                    in_order(values),
                    "{query} layer {}",
                    layer.layer
                );
            }
            let Histogram { lo, hi, counts, .. } = &summary.histogram;
            if counts.is_empty() && (q == 0 || q == 3) {
                continue;
            }
            assert_eq!(
                counts,
                &counted(values, *lo, *hi),
                "{query} layer {} histogram {q}",
                layer.layer
            );
        }
    }
}
