//! gelu's forward and backward passes on wasm32 with simd128, four lanes at a
//! time, each value's `erf` computed only in the branch musl's `erff` takes
//! for it.
//!
//! [`erf`](super::musl4::erf) computes every branch that any of its four
//! lanes needs, so a quad with one value past 0.84375 pays for the rational
//! branch, and one past 1.25 for two `exp`s and three divisions as well.
//! Activations near N(0, 1) put a value past 0.84375 (|x| > 1.19 before the
//! 1/sqrt 2) into most quads: in the bench's L config (depth 64 x 256, gelu)
//! 91% of the quads had a value past 1.25, and `erf` was 27% of a step
//! (`node --cpu-prof`).
//!
//! Here each block of values first gets the near branch ([`erf_near`]) four
//! at a time, and [`past_far`] where a lane is at 6 or beyond (or inf or
//! NaN). The values between are set aside in three lists (below 1.25; below
//! 1/0.35; below 6: [`ERF_BRANCHES`]), and each list then runs four at a
//! time through its own branch. Every lane is still computed by the same
//! operations as `libm::erff` would, so the bits are the same:
//! `tests/web/activations.rs` checks both passes against the scalar code on
//! every 61st bit pattern, on the threshold patterns shuffled, and on random
//! bit patterns and bell-shaped values, whose quads mix all the lists.
//!
//! Measured in node 20 (one package against the other, alternating): a step
//! of depth 8 x 64 gelu 16% faster (best of 20), depth 16 x 128 12%, the L
//! config 4% (`erf` 27% -> 24% of its step: 46% of its values take the far
//! branch, whose two `exp`s remain).
//!
//! The forward pass keeps each `erf` in a buffer of its own
//! (`BlockActs::phi_saved`), from which the backward pass reads `Phi(x)`
//! instead of computing `erf` again; an inference pass, which no backward
//! follows, keeps nothing.

use core::arch::wasm32::*;

use super::musl4::{erf_near, exp, f, load, past_far, select, store, Lanes};
use super::musl4::{ERF_BRANCHES, ERF_FAR_END};
use super::{gelu_and_erf, gelu_derivative, FRAC_1_SQRT_2, INV_SQRT_2PI};

/// Values per block: their set-aside lists live on the stack (9 KiB).
const BLOCK: usize = 512;

/// Values of one block set aside for one branch of `erf`: their positions in
/// the block and their arguments. Slots from `len` on may hold values written
/// but not kept.
struct SetAside {
    at: [u16; BLOCK],
    z: [f32; BLOCK],
    len: usize,
}

impl SetAside {
    fn new() -> SetAside {
        SetAside {
            at: [0; BLOCK],
            z: [0.0; BLOCK],
            len: 0,
        }
    }

    /// Writes `z` at the end and keeps it if `keep` (0 or 1): no branch on
    /// `keep`, which is as random as the values. The value at position `at`
    /// is written when at most `at` values were kept, so within the block.
    fn push(&mut self, at: usize, z: f32, keep: usize) {
        self.at[self.len] = at as u16;
        self.z[self.len] = z;
        self.len += keep;
    }

    /// Writes `erf(z)` of every value set aside to its place in `out`, four
    /// at a time (a last quad padded with zeros, whose lanes are dropped).
    fn finish(&mut self, erf: Lanes, out: &mut [f32]) {
        self.z[self.len..self.len.next_multiple_of(4)].fill(0.0);
        for start in (0..self.len).step_by(4) {
            let mut lanes = [0.0; 4];
            store(erf(load(&self.z[start..])), &mut lanes);
            let at = &self.at[start..self.len.min(start + 4)];
            for (&at, erf) in at.iter().zip(lanes) {
                out[at as usize] = erf;
            }
        }
        self.len = 0;
    }
}

/// `out[i] = erf(x[i] / sqrt 2)` (as gelu computes it, `x * FRAC_1_SQRT_2`)
/// for the first `4 * (len / 4)` values (module docs).
fn erf_scaled(x: &[f32], out: &mut [f32]) {
    let mut lists = [SetAside::new(), SetAside::new(), SetAside::new()];
    let [mid, far_a, far_b] = ERF_BRANCHES.map(|(start, _, _)| u32x4_splat(start));
    let end = u32x4_splat(ERF_FAR_END);
    for (x, out) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
        let quads = x.chunks_exact(4).zip(out.chunks_exact_mut(4));
        for (q, (x, out)) in quads.enumerate() {
            let z = f32x4_mul(load(x), f(FRAC_1_SQRT_2));
            let a = v128_and(z, u32x4_splat(0x7fff_ffff));
            let beyond = u32x4_ge(a, mid);
            let mut erf = erf_near(z);
            if v128_any_true(beyond) {
                // Lane bits of |z| >= each list's start and >= 6; each lane
                // below 6 joins the last list it reaches.
                let past = [
                    beyond,
                    u32x4_ge(a, far_a),
                    u32x4_ge(a, far_b),
                    u32x4_ge(a, end),
                ]
                .map(|v| i32x4_bitmask(v));
                let joins = [past[0] & !past[1], past[1] & !past[2], past[2] & !past[3]];
                let mut zs = [0.0; 4];
                store(z, &mut zs);
                for (lane, z) in zs.into_iter().enumerate() {
                    for (list, joins) in lists.iter_mut().zip(joins) {
                        list.push(4 * q + lane, z, (joins >> lane & 1) as usize);
                    }
                }
                if past[3] != 0 {
                    erf = past_far(z, erf);
                }
            }
            store(erf, out);
        }
        for (list, (_, _, branch)) in lists.iter_mut().zip(ERF_BRANCHES) {
            list.finish(branch, out);
        }
    }
}

/// `y = gelu(x) = x/2 (1 + erf(x / sqrt 2))` (NaN at +inf, as torch's
/// vectorized kernel), and `erf(x / sqrt 2)` in `saved` for the backward
/// pass if it has room (else `y` holds the erf on the way); a remainder of
/// fewer than four by the scalar code.
pub fn gelu_forward(x: &[f32], y: &mut [f32], saved: &mut [f32]) {
    let n = x.len().min(y.len());
    let quads = n - n % 4;
    let keep = saved.len() >= n;
    match keep {
        true => erf_scaled(&x[..quads], &mut saved[..quads]),
        false => erf_scaled(&x[..quads], &mut y[..quads]),
    }
    for (i, x) in x[..quads].chunks_exact(4).enumerate() {
        let x = load(x);
        let erf = load(if keep { &saved[4 * i..] } else { &y[4 * i..] });
        let gelu = f32x4_mul(f32x4_mul(f(0.5), x), f32x4_add(f(1.0), erf));
        store(
            select(f32x4_eq(x, f(f32::INFINITY)), f(f32::NAN), gelu),
            &mut y[4 * i..],
        );
    }
    for i in quads..n {
        let (gelu, erf) = gelu_and_erf(x[i]);
        y[i] = gelu;
        if keep {
            saved[i] = erf;
        }
    }
}

/// `dx = gelu'(x) dy` with `gelu'(x) = Phi(x) + x phi_N(x)`, Phi from the
/// forward pass's `erf` (as long as `dx`: `Activation::backward` checks);
/// a remainder of fewer than four by the scalar code.
pub fn gelu_backward(x: &[f32], erf: &[f32], dy: &[f32], dx: &mut [f32]) {
    let n = x.len().min(dy.len()).min(dx.len());
    let quads = n - n % 4;
    let inputs = x[..quads].chunks_exact(4).zip(erf.chunks_exact(4));
    for ((x, erf), (dy, dx)) in inputs.zip(dy.chunks_exact(4).zip(dx.chunks_exact_mut(4))) {
        let x = load(x);
        let cdf = f32x4_mul(f(0.5), f32x4_add(f(1.0), load(erf)));
        let pdf = exp(f32x4_mul(f32x4_mul(f(-0.5), x), x));
        let derivative = f32x4_add(cdf, f32x4_mul(f32x4_mul(x, f(INV_SQRT_2PI)), pdf));
        store(f32x4_mul(derivative, load(dy)), dx);
    }
    let rest = x[quads..n].iter().zip(&erf[quads..n]).zip(&dy[quads..n]);
    for (dx, ((&x, &erf), &dy)) in dx[quads..n].iter_mut().zip(rest) {
        *dx = gelu_derivative(x, erf) * dy;
    }
}
