//! What the claim tests share (claims.rs, mistakes.rs, papers.rs): every number
//! a page text quotes is measured across seeds 1..=8 and checked to lie in the
//! quoted range, with the measured range printed (`--nocapture`).
#![allow(dead_code)] // each test file uses a different part

use normscope::core::stats::LayerStats;
use normscope::{Config, Scope, Stats};

pub const SEEDS: std::ops::RangeInclusive<u32> = 1..=8;

/// A Scope of `query` with `seed`.
pub fn scope(query: &str, seed: u32) -> Scope {
    let config: Config = format!("{query}&seed={seed}").parse().unwrap();
    Scope::new(config).unwrap()
}

/// The stats of `query` after `steps` steps, for every seed.
pub fn across_seeds(query: &str, steps: usize) -> Vec<Stats> {
    SEEDS
        .map(|seed| {
            let mut s = scope(query, seed);
            s.step(steps);
            s.stats().clone()
        })
        .collect()
}

/// One number per seed.
pub fn per_seed(stats: &[Stats], f: impl Fn(&Stats) -> f32) -> Vec<f32> {
    stats.iter().map(f).collect()
}

/// One number per seed and layer in `layers` (0-based).
pub fn per_layer(
    stats: &[Stats],
    layers: std::ops::Range<usize>,
    f: impl Fn(&LayerStats) -> f32,
) -> Vec<f32> {
    stats
        .iter()
        .flat_map(|s| s.layers[layers.clone()].iter().map(&f))
        .collect()
}

/// Asserts every value lies in `lo..=hi` and prints the range.
pub fn within(what: &str, values: &[f32], lo: f32, hi: f32) {
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    println!("{what}: {min:.4e} ..= {max:.4e}");
    assert!(
        values.iter().all(|v| (lo..=hi).contains(v)),
        "{what}: {values:?} not all in {lo}..={hi}"
    );
}
