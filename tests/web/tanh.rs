//! tanh in the wasm build runs four lanes at a time (`src/core/activation/tanh4.rs`)
//! and must equal the scalar `f32::tanh` bit for bit (NaN in, NaN out): over a
//! sweep of all 2^32 bit patterns with a stride, and every pattern near each
//! threshold where `tanhf` or `expm1f` changes branch.

use normscope::core::activation::Activation;
use wasm_bindgen_test::*;

/// The first input of `xs` whose vectorized tanh differs from `f32::tanh`.
fn first_difference(xs: &[f32]) -> Option<(f32, f32, f32)> {
    let mut ys = vec![0.0; xs.len()];
    Activation::Tanh.forward(xs, &mut ys);
    xs.iter().zip(&ys).find_map(|(&x, &y)| {
        let want = x.tanh();
        let same = y.to_bits() == want.to_bits() || (y.is_nan() && want.is_nan());
        (!same).then_some((x, y, want))
    })
}

#[wasm_bindgen_test]
fn vectorized_tanh_equals_the_scalar_tanhf_bit_for_bit() {
    // Bit patterns of |x| where tanhf (0x3e82c578, 0x3f0c9f54, 0x41200000,
    // 0x00800000) or expm1f of 2|x| (|2x| near 0.5 ln2, 1.5 ln2, 2^-25, and
    // k = 23 near x = 7.8) changes branch.
    let thresholds = [
        0x0080_0000u32,
        0x3e82_c578,
        0x3f0c_9f54,
        0x4120_0000,
        0x3e31_7218,
        0x3f05_1592,
        0x3280_0000,
        0x40f9_8872,
    ];
    let mut near = Vec::new();
    for t in thresholds {
        for bits in t - 4096..t + 4096 {
            for sign in [0, 0x8000_0000] {
                near.push(f32::from_bits(bits | sign));
            }
        }
    }
    // 7 extra values so the last chunk leaves a remainder for the scalar path.
    near.extend([
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        1e-45,
        0.5,
    ]);
    assert_eq!(first_difference(&near), None);

    // Every 61st bit pattern (70 million inputs), in batches.
    let mut bits = 0u64;
    let mut xs = Vec::with_capacity(1 << 16);
    while bits <= u32::MAX as u64 {
        xs.clear();
        while xs.len() < 1 << 16 && bits <= u32::MAX as u64 {
            xs.push(f32::from_bits(bits as u32));
            bits += 61;
        }
        assert_eq!(first_difference(&xs), None);
    }
}
