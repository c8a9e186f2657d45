//! tanh, sigmoid and gelu in the wasm build run four lanes at a time
//! (`src/core/activation/musl4.rs`; gelu's passes in `gelu4.rs`) and must
//! equal the scalar code bit for bit, NaN in, NaN out: its `tanh`, `exp` and
//! `erf` against `f32::tanh`, `f32::exp` and `libm::erff`, and each
//! activation's forward and backward pass against `Activation::apply` and
//! `derivative`. Inputs: a sweep of all 2^32 bit patterns with a stride, and
//! every pattern near each threshold where `tanhf`, `expm1f`, `expf` or
//! `erff` changes branch; for gelu also inputs whose quads mix branches.

use core::arch::wasm32::*;
use normscope::core::activation::{musl4, Activation};
use wasm_bindgen_test::*;

/// Bit patterns of |x| near which a branch changes.
const TANH: [u32; 8] = [
    // tanhf
    0x0080_0000,
    0x3e82_c578,
    0x3f0c_9f54,
    0x4120_0000,
    // expm1f of 2|x|: 0.5 ln2, 1.5 ln2, 2^-25, k = 23
    0x3e31_7218,
    0x3f05_1592,
    0x3280_0000,
    0x40f9_8872,
];
/// expf at 0.5 ln2, 1.5 ln2, 2^-14, 87.34, 88.72, 103.97, and where k
/// passes 127, -126 and -150.
const EXP: [u32; 9] = [
    0x3eb1_7218,
    0x3f85_1592,
    0x3900_0000,
    0x42ae_ac50,
    0x42b1_7218,
    0x42cf_f1b5,
    0x42b0_c0a6,
    0x42af_5dc2,
    0x42cf_4042,
];
/// erff at 2^-28, 0.84375, 1.25, 1/0.35 and 6.
const ERF: [u32; 5] = [
    0x3180_0000,
    0x3f58_0000,
    0x3fa0_0000,
    0x4036_db6d,
    0x40c0_0000,
];
/// gelu: erff's thresholds times sqrt 2; where exp(-x^2/2) passes 0.5 ln2,
/// 1.5 ln2 and 2^-14 in magnitude, where its k passes -126, and -87.34 and
/// -103.97 (expf's underflow checks).
const GELU: [u32; 11] = [
    0x31b5_04f3,
    0x3f98_bc2d,
    0x3fe2_4630,
    0x4081_4cad,
    0x4107_c3b6,
    0x3f55_224d,
    0x3fb8_9456,
    0x3c35_04f3,
    0x4153_e1a8,
    0x4153_765b,
    0x4166_b96c,
];

/// The special values first (so they fill whole vectors), then every bit
/// pattern within 4096 of each threshold, both signs, then 3 more (so that
/// the last chunk of four leaves a remainder for the scalar code).
fn near(thresholds: &[u32]) -> Vec<f32> {
    let mut xs = vec![
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        1e-45,
        -1e-45,
    ];
    for &t in thresholds {
        for bits in t - 4096..t + 4096 {
            xs.extend([bits, bits | 0x8000_0000].map(f32::from_bits));
        }
    }
    xs.extend([0.5, -2.0, 1e-30]);
    xs
}

/// Calls `check` on batches of every 61st bit pattern (70 million inputs).
fn sweep(mut check: impl FnMut(&[f32])) {
    let mut bits = 0u64;
    let mut xs = Vec::with_capacity(1 << 16);
    while bits <= u32::MAX as u64 {
        xs.clear();
        while xs.len() < 1 << 16 && bits <= u32::MAX as u64 {
            xs.push(f32::from_bits(bits as u32));
            bits += 61;
        }
        check(&xs);
    }
}

fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// The first x (of whole chunks of four) where `vector` differs from
/// `scalar`: (x, vector, scalar).
fn lane_difference(
    xs: &[f32],
    vector: fn(v128) -> v128,
    scalar: fn(f32) -> f32,
) -> Option<(f32, f32, f32)> {
    xs.chunks_exact(4).find_map(|x| {
        let v = vector(f32x4(x[0], x[1], x[2], x[3]));
        let lanes = [
            f32x4_extract_lane::<0>(v),
            f32x4_extract_lane::<1>(v),
            f32x4_extract_lane::<2>(v),
            f32x4_extract_lane::<3>(v),
        ];
        (0..4)
            .find_map(|i| (!same(lanes[i], scalar(x[i]))).then_some((x[i], lanes[i], scalar(x[i]))))
    })
}

/// The first input whose vectorized forward or backward pass differs from
/// the scalar one: (x, vectorized, scalar).
fn pass_difference(activation: Activation, xs: &[f32]) -> Option<(f32, f32, f32)> {
    let mut ys = vec![0.0; xs.len()];
    // What gelu's forward saves for its backward (its erf); unread by the others.
    let mut saved = vec![f32::NAN; if activation.saves() { xs.len() } else { 0 }];
    activation.forward(xs, &mut ys, &mut saved);
    let dys: Vec<f32> = (0..xs.len()).map(|i| 0.75 - (i % 3) as f32).collect();
    let mut dxs = vec![0.0; xs.len()];
    activation.backward((xs, &ys, &saved), &dys, &mut dxs);
    // An inference pass saves nothing; its y is the same, and a backward
    // without a saved erf (which computes it again) gives the same dx.
    let mut unsaved = vec![0.0; xs.len()];
    activation.forward(xs, &mut unsaved, &mut []);
    let mut recomputed = vec![0.0; xs.len()];
    activation.backward((xs, &ys, &[]), &dys, &mut recomputed);
    (0..xs.len()).find_map(|i| {
        if !same(unsaved[i], ys[i]) {
            return Some((xs[i], unsaved[i], ys[i]));
        }
        if !same(recomputed[i], dxs[i]) {
            return Some((xs[i], recomputed[i], dxs[i]));
        }
        // What gelu saved is erff's own bits (a last-bit error there could
        // vanish in 1 + erf).
        let erf = libm::erff(xs[i] * core::f32::consts::FRAC_1_SQRT_2);
        if activation.saves() && !same(saved[i], erf) {
            return Some((xs[i], saved[i], erf));
        }
        let (x, y, dy, dx) = (xs[i], ys[i], dys[i], dxs[i]);
        let want = activation.apply(x);
        if !same(y, want) {
            return Some((x, y, want));
        }
        let want = activation.derivative(x, want) * dy;
        (!same(dx, want)).then_some((x, dx, want))
    })
}

#[wasm_bindgen_test]
fn vectorized_tanh_exp_and_erf_equal_the_scalar_functions_bit_for_bit() {
    type Function = (
        &'static str,
        &'static [u32],
        fn(v128) -> v128,
        fn(f32) -> f32,
    );
    let functions: [Function; 3] = [
        ("tanh", &TANH, musl4::tanh, f32::tanh),
        ("exp", &EXP, musl4::exp, f32::exp),
        ("erf", &ERF, musl4::erf, libm::erff),
    ];
    for (name, thresholds, vector, scalar) in functions {
        assert_eq!(
            lane_difference(&near(thresholds), vector, scalar),
            None,
            "{name}"
        );
        sweep(|xs| assert_eq!(lane_difference(xs, vector, scalar), None, "{name}"));
    }
}

#[wasm_bindgen_test]
fn vectorized_activations_equal_the_scalar_passes_bit_for_bit() {
    for (activation, thresholds) in [
        (Activation::Tanh, &TANH[..]),
        (Activation::Sigmoid, &EXP[..]),
        (Activation::Gelu, &GELU[..]),
    ] {
        assert_eq!(
            pass_difference(activation, &near(thresholds)),
            None,
            "{activation:?}"
        );
        sweep(|xs| assert_eq!(pass_difference(activation, xs), None, "{activation:?}"));
    }
}

/// gelu's passes set values aside by `erf` branch (`activation/gelu4.rs`).
/// The sweep above meets each branch in long runs; here the quads mix them:
/// the threshold patterns shuffled (inf and NaN among them), random bit
/// patterns (every exponent), and bell-shaped values of three widths, whole
/// and in parts of 509 to 1031 values (blocks of 512 whose lists fill up,
/// stay empty, or end in part of a quad). Sending the values from 1/0.35
/// to 6 through RA/SA instead of RB/SB goes unnoticed here: both give the
/// same bits on every input tried (erfc is below 5e-5 there, far under an
/// ulp of 1 - erfc).
#[wasm_bindgen_test]
fn gelu_passes_equal_the_scalar_code_with_branches_interleaved() {
    let check = |xs: &[f32], what: &str| {
        assert_eq!(pass_difference(Activation::Gelu, xs), None, "{what}");
    };
    let near = near(&GELU);
    // 7919 is prime and divides none of the lengths, so i -> 7919 i mod n
    // visits every index once.
    let n = near.len() as u64;
    let shuffled: Vec<f32> = (0..n).map(|i| near[(i * 7919 % n) as usize]).collect();
    check(&shuffled, "thresholds, shuffled");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let bits: Vec<f32> = (0..1 << 16)
        .map(|_| f32::from_bits(next() as u32))
        .collect();
    check(&bits, "random bit patterns");
    for width in [0.5f32, 2.0, 8.0] {
        // A sum of four uniforms on [-0.5, 0.5): std 1/sqrt 3, about normal.
        let mut uniform = || (next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
        let bell: Vec<f32> = (0..1 << 16)
            .map(|_| width * 3f32.sqrt() * (0..4).map(|_| uniform()).sum::<f32>())
            .collect();
        check(&bell, &format!("bell of std {width}"));
        let mut start = 0;
        for length in (509..=1031).step_by(13) {
            check(
                &bell[start..start + length],
                &format!("std {width}, {length} values"),
            );
            start += length;
        }
    }
}
