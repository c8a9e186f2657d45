//! What the native (`tests/timeline.rs`) and the wasm (`tests/web/timeline.rs`)
//! tests of the timeline's percentiles both hold them to: a sort, and one
//! case that needs the exact keys. One copy, included by `#[path]` in both.

use normscope::core::timeline::{rank, PERCENTILES};

/// The nearest-rank percentiles of the sorted finite values, as bits (NaN
/// when there is none).
pub fn by_sorting(values: &[f32]) -> Vec<u32> {
    let mut sorted: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f32::total_cmp);
    PERCENTILES
        .iter()
        .map(|p| match sorted.len() {
            0 => f32::NAN,
            n => sorted[rank(*p, n)],
        })
        .map(f32::to_bits)
        .collect()
}

/// `n` zeros of both signs beside subnormals of both signs, which share the
/// zeros' bins: a rank there needs the keys, not only the bin's count.
pub fn zeros_and_subnormals(n: u32) -> Vec<f32> {
    let tiny = |i: u32, sign: f32| sign * f32::from_bits(1 + i * 7919 % 5000);
    (0..n)
        .map(|i| match i % 3 {
            0 => [0.0, -0.0][i as usize % 2],
            1 => tiny(i, 1.0),
            _ => tiny(i, -1.0),
        })
        .collect()
}
