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

/// For each `z` from 0 to 21: `z` zeros (+0.0) and `21 - z` positive
/// subnormals, which share the zeros' bin, in both orders. At `n = 21` the
/// ranks are 0, 1, 3, 6, 10, 14, 17, 19 and 20, so for most `z` one rank
/// falls on the first subnormal right after the zeros: the percentiles
/// answer +0.0 from the count of zeros alone only below it.
pub fn zeros_then_subnormals() -> Vec<Vec<f32>> {
    (0..=21u32)
        .flat_map(|z| {
            let zeros = vec![0.0f32; z as usize];
            let tiny: Vec<f32> = (z..21).map(|i| f32::from_bits(1 + i * 37)).collect();
            [
                [zeros.clone(), tiny.clone()].concat(),
                [tiny, zeros].concat(),
            ]
        })
        .collect()
}

/// A deterministic scramble of `n` values with repeats, NaN and infinities.
pub fn scrambled(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|i| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (state >> 40) as f32 / (1u64 << 24) as f32;
            match i % 97 {
                13 => f32::NAN,
                41 => f32::INFINITY,
                77 => f32::NEG_INFINITY,
                _ if i % 5 == 0 => (u * 4.0).round(), // ties
                _ => (u - 0.3) * 10f32.powi((i % 7) as i32 - 3),
            }
        })
        .collect()
}
