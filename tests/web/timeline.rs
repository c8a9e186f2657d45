//! The timeline's percentiles in the wasm build, whose passes over the
//! values find keys, bins and extremes on i32x4 and gather the wanted keys
//! by compare and shuffle (`src/core/timeline/passes.rs`, `count_keys` and
//! `gather`), equal a sort of the finite values: on every
//! buffer a record reads in real networks (with and without non-finite
//! values), on lengths that leave a remainder, and on zeros beside subnormals.

use normscope::core::timeline::{percentiles, Scratch};
use normscope::{Config, Scope};
use wasm_bindgen_test::*;

#[path = "../timeline/cases.rs"]
mod cases;
use cases::{by_sorting, scrambled, zeros_and_subnormals, zeros_then_subnormals};

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
    // Seven wanted bins (every compare of the gather), 13 of the 16 masks,
    // NaN and infinities, and a remainder of 3; and two more lengths.
    for (n, seed) in [(1003, 7), (100, 4), (4099, 8)] {
        check(&scrambled(n, seed), &mut scratch, &format!("scrambled {n}"));
    }
    // 3001: a length that leaves a remainder after the quads.
    check(
        &zeros_and_subnormals(3001),
        &mut scratch,
        "zeros and subnormals",
    );
    // Zeros counted in the quads and in the remainder (21 = 5 quads + 1).
    for values in zeros_then_subnormals() {
        check(&values, &mut scratch, &format!("{values:?}"));
    }
}
