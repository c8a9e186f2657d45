//! tanh, sigmoid's exp and gelu's erf of four f32 at once on wasm32 with
//! simd128, bit for bit what the scalar code computes there: `f32::tanh` and
//! `f32::exp` (compiler-builtins' ports of musl's `tanhf` and `expf`) and
//! `libm::erff`. Each is the same operations in the same order, every branch
//! computed in every lane (or in none, where no lane takes it) and the right
//! one selected; no SIMD operation traps on the lanes whose value is dropped.
//! Before these kernels, scalar `tanhf` was 29-31% of a training step of the
//! bench's S config and gelu's `erff` and `expf` 19-25% of L's
//! (`cargo xtask bench`). `tests/web/activations.rs` checks the equality
//! over every 61st of the 2^32 bit patterns and every pattern near a branch.
//! gelu's passes over a tensor (`gelu4.rs`) set the values past the near
//! branch aside by `erf` branch first.

#![allow(clippy::excessive_precision)]

use core::arch::wasm32::*;

use super::Activation;

// musl's constants as musl writes them (each rounds to the bits beside it).
// expm1f's:
const LN2_HI: f32 = 6.9313812256e-01; // 0x3f317180
const LN2_LO: f32 = 9.0580006145e-06; // 0x3717f7d1
#[allow(clippy::approx_constant)]
const INV_LN2: f32 = 1.4426950216e+00; // 0x3fb8aa3b
const Q1: f32 = -3.3333212137e-2; // -0x888868.0p-28
const Q2: f32 = 1.5807170421e-3; // 0xcf3010.0p-33

pub(super) fn f(v: f32) -> v128 {
    f32x4_splat(v)
}

fn u(v: u32) -> v128 {
    u32x4_splat(v)
}

/// `if mask { a } else { b }` lane by lane.
pub(super) fn select(mask: v128, a: v128, b: v128) -> v128 {
    v128_bitselect(a, b, mask)
}

/// `x = k ln2 + r` with `r = hi - lo`, as `expm1f` and `expf` reduce.
struct Reduced {
    k: v128,
    hi: v128,
    lo: v128,
    r: v128,
}

/// musl's argument reduction: k = +-1 for 0.5 ln2 < |x| unless `far`, else
/// (int)(x / ln2 +- 0.5); k = 0 up to 0.5 ln2, where hi = x and lo = 0
/// follow from t = 0 exactly. `hx` is |x|'s bits; `ln2_hi + ln2_lo` is ln2
/// split as the caller's musl function splits it.
fn reduce(x: v128, hx: v128, far: v128, ln2_hi: f32, ln2_lo: f32) -> Reduced {
    let negative = i32x4_lt(x, i32x4_splat(0));
    let k_far = i32x4_trunc_sat_f32x4(f32x4_add(
        f32x4_mul(f(INV_LN2), x),
        select(negative, f(-0.5), f(0.5)),
    ));
    let k_near = select(negative, i32x4_splat(-1), i32x4_splat(1));
    let k = select(
        u32x4_gt(hx, u(0x3eb1_7218)),
        select(far, k_far, k_near),
        i32x4_splat(0),
    );
    let t = f32x4_convert_i32x4(k);
    let hi = f32x4_sub(x, f32x4_mul(t, f(ln2_hi)));
    let lo = f32x4_mul(t, f(ln2_lo));
    let r = f32x4_sub(hi, lo);
    Reduced { k, hi, lo, r }
}

/// `2^n` for `-126 <= n <= 127` in each lane.
fn pow2(n: v128) -> v128 {
    i32x4_shl(i32x4_add(n, i32x4_splat(0x7f)), 23)
}

/// musl's `expm1f(x)` for the `x` that `tanhf` gives it: `u = 2|x|` for
/// `0.2554 < |x| <= 10` (so `k = round(u / ln 2)` is 1 to 29) and `u = -2|x|`
/// for `|x| <= 0.2554` (`k` is -1 or 0, or `u` is below 2^-25 and `expm1f`
/// returns it).
fn expm1(x: v128) -> v128 {
    let hx = v128_and(x, u(0x7fff_ffff));
    let far = u32x4_ge(hx, u(0x3f85_1592));
    let Reduced { k, hi, lo, r } = reduce(x, hx, far, LN2_HI, LN2_LO);
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
    let two_k = pow2(k);
    let two_minus_k = pow2(i32x4_neg(k));
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

// expf's:
const EXP_LN2_HI: f32 = 6.9314575195e-01; // 0x3f317200
const EXP_LN2_LO: f32 = 1.4286067653e-06; // 0x35bfbe8e
const P1: f32 = 1.6666625440e-1; // 0xaaaa8f.0p-26
const P2: f32 = -2.7667332906e-3; // -0xb55215.0p-32

/// musl's `expf` of each lane, its `scalbnf` included (`k` is -150 to 128
/// where the result is neither 0, inf nor NaN).
pub fn exp(x: v128) -> v128 {
    let hx = v128_and(x, u(0x7fff_ffff));
    let negative = i32x4_lt(x, i32x4_splat(0));
    let far = u32x4_gt(hx, u(0x3f85_1592));
    let Reduced { k, hi, lo, r } = reduce(x, hx, far, EXP_LN2_HI, EXP_LN2_LO);
    let rr = f32x4_mul(r, r);
    let c = f32x4_sub(r, f32x4_mul(rr, f32x4_add(f(P1), f32x4_mul(rr, f(P2)))));
    let quotient = f32x4_div(f32x4_mul(r, c), f32x4_sub(f(2.0), c));
    let y = f32x4_add(f(1.0), f32x4_add(f32x4_sub(quotient, lo), hi));
    // scalbnf(y, k): above 127 by 2^127 first, below -126 by 2^-102 first.
    let above = i32x4_gt(k, i32x4_splat(127));
    let below = i32x4_lt(k, i32x4_splat(-126));
    let first = select(above, f(f32::from_bits(0x7f00_0000)), f(1.0));
    let first = select(below, f(f32::from_bits(0x0c80_0000)), first);
    let n = select(above, i32x4_sub(k, i32x4_splat(127)), k);
    let n = select(below, i32x4_add(k, i32x4_splat(102)), n);
    let scaled = f32x4_mul(f32x4_mul(y, first), pow2(n));
    let scaled = select(v128_or(above, below), scaled, f32x4_mul(y, pow2(k)));
    // |x| <= 2^-14: 1 + x.
    let result = select(u32x4_gt(hx, u(0x3900_0000)), scaled, f32x4_add(f(1.0), x));
    // x >= 88.72: overflow to inf; x <= -103.97: 0; NaN: x.
    let overflow = v128_andnot(u32x4_ge(hx, u(0x42b1_7218)), negative);
    let result = select(
        overflow,
        f32x4_mul(x, f(f32::from_bits(0x7f00_0000))),
        result,
    );
    let underflow = v128_and(negative, u32x4_ge(hx, u(0x42cf_f1b5)));
    let result = select(underflow, f(0.0), result);
    select(u32x4_gt(hx, u(0x7f80_0000)), x, result)
}

// erff's.
const ERX: f32 = 8.4506291151e-01;
const EFX8: f32 = 1.0270333290e+00;
const PP: [f32; 5] = [
    1.2837916613e-01,
    -3.2504209876e-01,
    -2.8481749818e-02,
    -5.7702702470e-03,
    -2.3763017452e-05,
];
const QQ: [f32; 6] = [
    1.0,
    3.9791721106e-01,
    6.5022252500e-02,
    5.0813062117e-03,
    1.3249473704e-04,
    -3.9602282413e-06,
];
const PA: [f32; 7] = [
    -2.3621185683e-03,
    4.1485610604e-01,
    -3.7220788002e-01,
    3.1834661961e-01,
    -1.1089469492e-01,
    3.5478305072e-02,
    -2.1663755178e-03,
];
const QA: [f32; 7] = [
    1.0,
    1.0642088205e-01,
    5.4039794207e-01,
    7.1828655899e-02,
    1.2617121637e-01,
    1.3637083583e-02,
    1.1984500103e-02,
];
const RA: [f32; 8] = [
    -9.8649440333e-03,
    -6.9385856390e-01,
    -1.0558626175e+01,
    -6.2375331879e+01,
    -1.6239666748e+02,
    -1.8460508728e+02,
    -8.1287437439e+01,
    -9.8143291473e+00,
];
const SA: [f32; 9] = [
    1.0,
    1.9651271820e+01,
    1.3765776062e+02,
    4.3456588745e+02,
    6.4538726807e+02,
    4.2900814819e+02,
    1.0863500214e+02,
    6.5702495575e+00,
    -6.0424413532e-02,
];
const RB: [f32; 7] = [
    -9.8649431020e-03,
    -7.9928326607e-01,
    -1.7757955551e+01,
    -1.6063638306e+02,
    -6.3756646729e+02,
    -1.0250950928e+03,
    -4.8351919556e+02,
];
const SB: [f32; 8] = [
    1.0,
    3.0338060379e+01,
    3.2579251099e+02,
    1.5367296143e+03,
    3.1998581543e+03,
    2.5530502930e+03,
    4.7452853394e+02,
    -2.2440952301e+01,
];

/// `c[0] + s * (c[1] + s * (c[2] + ...))`, as musl writes its polynomials.
fn horner(s: v128, c: &[f32]) -> v128 {
    let (last, rest) = c.split_last().expect("coefficients");
    rest.iter()
        .rev()
        .fold(f(*last), |acc, &c| f32x4_add(f(c), f32x4_mul(s, acc)))
}

/// Where `|x|` is at least this (as f32 bits, 0.84375), [`erf`] takes its
/// wider branches; below it, [`erf_near`] is `erf`.
pub const ERF_NEAR_END: u32 = 0x3f58_0000;

/// musl's `erff` of the lanes with `|x| <` 0.84375 ([`ERF_NEAR_END`]):
/// `x + x P(x^2) / Q(x^2)`, below 2^-28 `0.125 (8x + efx8 x)`. The other
/// lanes hold no meaningful value.
pub fn erf_near(x: v128) -> v128 {
    let a = v128_and(x, u(0x7fff_ffff));
    let z = f32x4_mul(x, x);
    let near = f32x4_add(x, f32x4_mul(x, f32x4_div(horner(z, &PP), horner(z, &QQ))));
    let tiny = f32x4_mul(
        f(0.125),
        f32x4_add(f32x4_mul(f(8.0), x), f32x4_mul(f(EFX8), x)),
    );
    select(u32x4_lt(a, u(0x3180_0000)), tiny, near)
}

/// A function of four lanes.
pub type Lanes = fn(v128) -> v128;

/// musl's `erff` of each lane (`libm::erff`): [`erf_near`], each of erff's
/// wider branches where a lane needs it, and [`past_far`].
pub fn erf(x: v128) -> v128 {
    let a = v128_and(x, u(0x7fff_ffff));
    let mut result = erf_near(x);
    for (start, end, branch) in ERF_BRANCHES {
        let lanes = v128_and(u32x4_ge(a, u(start)), u32x4_lt(a, u(end)));
        if v128_any_true(lanes) {
            result = select(lanes, branch(x), result);
        }
    }
    past_far(x, result)
}

/// erff's branches past [`erf_near`], each from where the one before ends:
/// the range of `|x|`'s bits, `[start, end)`, each computes. One table for
/// [`erf`] and for gelu's passes (`gelu4.rs`), which set values aside by it.
pub const ERF_BRANCHES: [(u32, u32, Lanes); 3] = [
    (ERF_NEAR_END, ERF_MID_END, erf_mid),
    (ERF_MID_END, ERF_FAR_SPLIT, erf_far_a),
    (ERF_FAR_SPLIT, ERF_FAR_END, erf_far_b),
];

/// Where `erff` leaves its rational middle branch for its `exp` branch
/// (1.25 as f32 bits).
const ERF_MID_END: u32 = 0x3fa0_0000;

/// Where the `exp` branch changes coefficients, RA/SA below, RB/SB from here
/// on (1/0.35 as f32 bits).
const ERF_FAR_SPLIT: u32 = 0x4036_db6d;

/// From this `|x|` on (6 as f32 bits), `erff` is `1 - 2^-120` with x's sign
/// (and inf and NaN are past it too): [`past_far`].
pub const ERF_FAR_END: u32 = 0x40c0_0000;

/// [`erf`] of the lanes with [`ERF_NEAR_END`] <= `|x|` < [`ERF_MID_END`]:
/// `1 - erfc(|x|)` with x's sign, erfc(|x|) = 1 - erx - P(|x| - 1) /
/// Q(|x| - 1). The other lanes hold no meaningful value.
pub fn erf_mid(x: v128) -> v128 {
    let a = v128_and(x, u(0x7fff_ffff));
    let s = f32x4_sub(a, f(1.0));
    let erfc = f32x4_sub(f(1.0 - ERX), f32x4_div(horner(s, &PA), horner(s, &QA)));
    v128_xor(f32x4_sub(f(1.0), erfc), v128_and(x, u(0x8000_0000)))
}

/// [`erf`] of the lanes with [`ERF_MID_END`] <= `|x|` < [`ERF_FAR_SPLIT`];
/// the other lanes hold no meaningful value.
pub fn erf_far_a(x: v128) -> v128 {
    erf_far(x, &RA, &SA)
}

/// [`erf`] of the lanes with [`ERF_FAR_SPLIT`] <= `|x|` < [`ERF_FAR_END`];
/// the other lanes hold no meaningful value.
pub fn erf_far_b(x: v128) -> v128 {
    erf_far(x, &RB, &SB)
}

/// `1 - erfc(|x|)` with x's sign for 1.25 <= |x| < 6: erfc(|x|) =
/// exp(-z^2 - 0.5625) exp((z - x)(z + x) + R/S) / x, z = x with its 13 low
/// bits cleared, R and S polynomials in 1/x^2 with coefficients `r`, `s`.
fn erf_far(x: v128, r: &[f32], s: &[f32]) -> v128 {
    let a = v128_and(x, u(0x7fff_ffff));
    let t = f32x4_div(f(1.0), f32x4_mul(a, a));
    let (r, s) = (horner(t, r), horner(t, s));
    let z = v128_and(a, u(0xffff_e000));
    let first = exp(f32x4_sub(f32x4_mul(f32x4_neg(z), z), f(0.5625)));
    let second = exp(f32x4_add(
        f32x4_mul(f32x4_sub(z, a), f32x4_add(z, a)),
        f32x4_div(r, s),
    ));
    let erfc = f32x4_div(f32x4_mul(first, second), a);
    v128_xor(f32x4_sub(f(1.0), erfc), v128_and(x, u(0x8000_0000)))
}

/// `result` with the lanes past erff's last branch replaced: |x| >= 6 by
/// 1 - 2^-120, NaN and inf by 1 - 2 sign + 1 / x.
pub fn past_far(x: v128, result: v128) -> v128 {
    let sign = v128_and(x, u(0x8000_0000));
    let a = v128_and(x, u(0x7fff_ffff));
    let one = f32x4_sub(f(1.0), f(f32::from_bits(0x0380_0000)));
    let result = select(u32x4_ge(a, u(ERF_FAR_END)), v128_xor(one, sign), result);
    let sign_one = f32x4_convert_i32x4(u32x4_shr(sign, 31));
    let special = f32x4_add(
        f32x4_sub(f(1.0), f32x4_mul(f(2.0), sign_one)),
        f32x4_div(f(1.0), x),
    );
    select(u32x4_ge(a, u(0x7f80_0000)), special, result)
}

/// `y[i] = phi(x[i])` for every `i`, four at a time, by the vector `phi`;
/// a remainder of fewer than four by the scalar `tail`.
fn map(x: &[f32], y: &mut [f32], phi: impl Fn(v128) -> v128, tail: impl Fn(f32) -> f32) {
    let mut xs = x.chunks_exact(4);
    let mut ys = y.chunks_exact_mut(4);
    for (x, y) in (&mut xs).zip(&mut ys) {
        store(phi(load(x)), y);
    }
    for (y, &x) in ys.into_remainder().iter_mut().zip(xs.remainder()) {
        *y = tail(x);
    }
}

/// Four lanes of `[0]`, `[1]`, `[2]`, `[3]` (LLVM makes it one v128.load;
/// the transpose's blocks use it too, `matrix/transpose.rs`).
pub(crate) fn load(x: &[f32]) -> v128 {
    f32x4(x[0], x[1], x[2], x[3])
}

/// `y[0..4]` from the four lanes (one v128.store).
pub(crate) fn store(v: v128, y: &mut [f32]) {
    y[0] = f32x4_extract_lane::<0>(v);
    y[1] = f32x4_extract_lane::<1>(v);
    y[2] = f32x4_extract_lane::<2>(v);
    y[3] = f32x4_extract_lane::<3>(v);
}

/// `y = tanh(x)`, as [`map`].
pub fn tanh_forward(x: &[f32], y: &mut [f32]) {
    map(x, y, tanh, f32::tanh)
}

/// `y = 1 / (1 + exp(-x))`, as [`map`].
pub fn sigmoid_forward(x: &[f32], y: &mut [f32]) {
    let sigmoid = |x| f32x4_div(f(1.0), f32x4_add(f(1.0), exp(f32x4_neg(x))));
    map(x, y, sigmoid, |x| Activation::Sigmoid.apply(x))
}
