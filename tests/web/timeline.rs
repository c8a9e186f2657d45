//! The timeline's percentiles in the wasm build, whose passes over the
//! values find keys, bins and extremes on i32x4 (`src/core/timeline/passes.rs`,
//! `count_keys` and `gather`), equal a sort of the finite values: on every
//! buffer a record reads in real networks (with and without non-finite
//! values), on lengths that leave a remainder, and on zeros beside subnormals.

use normscope::core::timeline::{percentiles, rank, Scratch, PERCENTILES};
use normscope::{Config, Scope};
use wasm_bindgen_test::*;

/// The nearest-rank percentiles of the sorted finite values, as bits (NaN
/// when there is none).
fn by_sorting(values: &[f32]) -> Vec<u32> {
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

fn check(values: &[f32], scratch: &mut Scratch, what: &str) {
    let band = percentiles(values, scratch).map(f32::to_bits).to_vec();
    assert_eq!(band, by_sorting(values), "{what}");
}

#[wasm_bindgen_test]
fn percentiles_equal_a_sort_in_the_wasm_build() {
    let mut scratch = Scratch::default();
    for (query, steps) in super::moments::NETWORKS {
        let mut scope = Scope::new(query.parse::<Config>().expect("config")).expect("scope");
        scope.step(steps);
        let network = scope.network();
        let rows = network.rows();
        let buffers = network.acts.blocks.iter().zip(&network.grads.blocks);
        for (l, (block, (a, g))) in network.blocks.iter().zip(buffers).enumerate() {
            let n = rows * block.linear.fan_out;
            for (name, values) in [
                ("pre", &a.pre[..n]),
                ("out", &a.out[..n]),
                ("grad", &g.d_out[..n]),
            ] {
                check(
                    values,
                    &mut scratch,
                    &format!("{query}: layer {} {name}", l + 1),
                );
            }
        }
    }
    let wave: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
    for len in 0..=9 {
        check(&wave[..len], &mut scratch, &format!("length {len}"));
    }
    let mut holes = wave.clone();
    for (i, v) in holes.iter_mut().enumerate().step_by(7) {
        *v = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][i % 3];
    }
    check(&holes, &mut scratch, "non-finite values");
    // Zeros of both signs beside subnormals, which share their bins.
    let tiny = |i: u32, sign: f32| sign * f32::from_bits(1 + i * 7919 % 5000);
    let zeros: Vec<f32> = (0..3001)
        .map(|i| match i % 3 {
            0 => [0.0, -0.0][i as usize % 2],
            1 => tiny(i, 1.0),
            _ => tiny(i, -1.0),
        })
        .collect();
    check(&zeros, &mut scratch, "zeros and subnormals");
}
