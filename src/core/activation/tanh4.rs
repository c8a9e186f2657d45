//! tanh of four f32 at once on wasm32 with simd128, bit for bit what
//! `f32::tanh` returns there (compiler-builtins' port of musl's `tanhf`, which
//! is `libm::tanhf`): the same operations in the same order, each branch of
//! `tanhf` and of the `expm1f` it calls computed in every lane and the right
//! one selected. Scalar `tanhf` was 29-31% of a training step of the bench's S
//! config (`cargo xtask bench`); `tests/web/tanh.rs` checks the equality over
//! a sweep of every sign, exponent and mantissa and around every branch.
//!
//! Only the inputs `tanhf` gives `expm1f` are handled: `u = 2|x|` for
//! `0.2554 < |x| <= 10` (so `k = round(u / ln 2)` is 1 to 29) and `u = -2|x|`
//! for `|x| <= 0.2554` (`k` is -1 or 0, or `u` is below 2^-25 and `expm1f`
//! returns it). Other lanes (|x| > 10, NaN, subnormal) compute a value that
//! is never selected; no SIMD operation traps.

#![allow(clippy::excessive_precision)]

use core::arch::wasm32::*;

// musl's constants as musl writes them (each rounds to the bits beside it).
const LN2_HI: f32 = 6.9313812256e-01; // 0x3f317180
const LN2_LO: f32 = 9.0580006145e-06; // 0x3717f7d1
#[allow(clippy::approx_constant)]
const INV_LN2: f32 = 1.4426950216e+00; // 0x3fb8aa3b
const Q1: f32 = -3.3333212137e-2; // -0x888868.0p-28
const Q2: f32 = 1.5807170421e-3; // 0xcf3010.0p-33

fn f(v: f32) -> v128 {
    f32x4_splat(v)
}

fn u(v: u32) -> v128 {
    u32x4_splat(v)
}

/// `if mask { a } else { b }` lane by lane.
fn select(mask: v128, a: v128, b: v128) -> v128 {
    v128_bitselect(a, b, mask)
}

/// musl's `expm1f(x)` for the `x` described in the module doc.
fn expm1(x: v128) -> v128 {
    let hx = v128_and(x, u(0x7fff_ffff));
    let negative = i32x4_lt(x, i32x4_splat(0));
    // Argument reduction: k = +-1 for 0.5 ln2 < |x| < 1.5 ln2, else
    // (int)(x / ln2 +- 0.5); k = 0 below 0.5 ln2, where hi = x, lo = c = 0
    // follow from t = 0 exactly.
    let k_far = i32x4_trunc_sat_f32x4(f32x4_add(
        f32x4_mul(f(INV_LN2), x),
        select(negative, f(-0.5), f(0.5)),
    ));
    let k_near = select(negative, i32x4_splat(-1), i32x4_splat(1));
    let k = select(
        u32x4_gt(hx, u(0x3eb1_7218)),
        select(u32x4_lt(hx, u(0x3f85_1592)), k_near, k_far),
        i32x4_splat(0),
    );
    let t = f32x4_convert_i32x4(k);
    let hi = f32x4_sub(x, f32x4_mul(t, f(LN2_HI)));
    let lo = f32x4_mul(t, f(LN2_LO));
    let r = f32x4_sub(hi, lo);
    let c = f32x4_sub(f32x4_sub(hi, r), lo);

    // r is now in the primary range.
    let hfx = f32x4_mul(f(0.5), r);
    let hxs = f32x4_mul(r, hfx);
    let r1 = f32x4_add(
        f(1.0),
        f32x4_mul(hxs, f32x4_add(f(Q1), f32x4_mul(hxs, f(Q2)))),
    );
    let t = f32x4_sub(f(3.0), f32x4_mul(r1, hfx));
    let e = f32x4_mul(
        hxs,
        f32x4_div(f32x4_sub(r1, t), f32x4_sub(f(6.0), f32x4_mul(r, t))),
    );
    let k0 = f32x4_sub(r, f32x4_sub(f32x4_mul(r, e), hxs));
    let e = f32x4_sub(f32x4_sub(f32x4_mul(r, f32x4_sub(e, c)), c), hxs);
    let k_minus_1 = f32x4_sub(f32x4_mul(f(0.5), f32x4_sub(r, e)), f(0.5));
    let k1 = select(
        f32x4_lt(r, f(-0.25)),
        f32x4_mul(f(-2.0), f32x4_sub(e, f32x4_add(r, f(0.5)))),
        f32x4_add(f(1.0), f32x4_mul(f(2.0), f32x4_sub(r, e))),
    );
    let two_k = i32x4_shl(i32x4_add(k, i32x4_splat(0x7f)), 23);
    let two_minus_k = i32x4_shl(i32x4_sub(i32x4_splat(0x7f), k), 23);
    let k_more = select(
        i32x4_lt(k, i32x4_splat(23)),
        f32x4_add(f32x4_sub(r, e), f32x4_sub(f(1.0), two_minus_k)),
        f32x4_add(f32x4_sub(r, f32x4_add(e, two_minus_k)), f(1.0)),
    );
    let k_more = f32x4_mul(k_more, two_k);
    let reduced = select(
        i32x4_eq(k, i32x4_splat(0)),
        k0,
        select(
            i32x4_eq(k, i32x4_splat(-1)),
            k_minus_1,
            select(i32x4_eq(k, i32x4_splat(1)), k1, k_more),
        ),
    );
    // |x| < 2^-25: expm1f returns x.
    select(u32x4_lt(hx, u(0x3300_0000)), x, reduced)
}

/// musl's `tanhf` of each lane.
pub fn tanh(x: v128) -> v128 {
    let sign = v128_and(x, u(0x8000_0000));
    let a = v128_and(x, u(0x7fff_ffff));
    let above_quarter = u32x4_gt(a, u(0x3e82_c578)); // |x| > log(5/3)/2
    let two_a = f32x4_add(a, a);
    let t = expm1(select(above_quarter, two_a, f32x4_neg(two_a)));
    let t_plus_2 = f32x4_add(t, f(2.0));
    let tt = select(
        u32x4_gt(a, u(0x4120_0000)), // |x| > 10 or NaN
        f32x4_add(f(1.0), f32x4_div(f(0.0), a)),
        select(
            u32x4_gt(a, u(0x3f0c_9f54)), // |x| > log(3)/2
            f32x4_sub(f(1.0), f32x4_div(f(2.0), t_plus_2)),
            select(
                above_quarter,
                f32x4_div(t, t_plus_2),
                select(
                    u32x4_ge(a, u(0x0080_0000)), // normal
                    f32x4_div(f32x4_neg(t), t_plus_2),
                    a,
                ),
            ),
        ),
    );
    v128_xor(tt, sign)
}

/// `y[i] = tanh(x[i])` for every `i`, four at a time.
pub fn forward(x: &[f32], y: &mut [f32]) {
    let mut xs = x.chunks_exact(4);
    let mut ys = y.chunks_exact_mut(4);
    for (x, y) in (&mut xs).zip(&mut ys) {
        let v = tanh(f32x4(x[0], x[1], x[2], x[3]));
        y[0] = f32x4_extract_lane::<0>(v);
        y[1] = f32x4_extract_lane::<1>(v);
        y[2] = f32x4_extract_lane::<2>(v);
        y[3] = f32x4_extract_lane::<3>(v);
    }
    for (y, x) in ys.into_remainder().iter_mut().zip(xs.remainder()) {
        *y = x.tanh();
    }
}
