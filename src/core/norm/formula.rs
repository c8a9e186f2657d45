//! The `formula` key: how a set's statistics become `x_hat`. `torch` is
//! PyTorch's formula; the others are common mistakes, there to be seen.
//!
//! With n entries in a set, mean mu, biased variance v, `c = n/(n-1)` (so the
//! unbiased variance is `c v`) and `z = x - mu`, every formula has the form
//! `x_hat = z r + shift` with one scalar r per set:
//!
//! | formula        | r (the inverse divisor)  | shift | k (below)   |
//! |----------------|--------------------------|-------|-------------|
//! | `torch`        | `1/sqrt(v + eps)`        | 0     | r           |
//! | `unbiased`     | `1/sqrt(c v + eps)`      | 0     | c r         |
//! | `eps_outside`  | `1/(sqrt(v) + eps)`      | 0     | 1/sqrt(v)   |
//! | `eps_after`    | `1/sqrt(v + eps)`        | +eps  | r           |
//! | `negative_eps` | `1/sqrt(v - eps)`        | 0     | r           |
//! | `seed_code`    | `1/(sqrt(c v) + eps)`    | 0     | c/sqrt(c v) |
//! | `batch_axes`   | as torch, per feature over the batch  | 0 | r   |
//! | `seed_formula` | as negative_eps, per feature over the batch | -eps | r |
//!
//! RMSNorm has no mean (z = x, v = mean(x^2)); BatchNorm in eval mode takes
//! running_mean for mu and running_var for v with c = 1 (no correction on top).
//!
//! Backward. y = x_hat gamma + beta, g = dy gamma, `x0 = z r` (x_hat without
//! its shift; the shift is a constant, so it adds nothing to dx). Since
//! `dv/dx_i = 2 z_i / n` (the mean's part sums to zero) and r depends on v only:
//! `dx_i = r (g_i - mean(g)) + (sum_j g_j z_j) r'(v) 2 z_i / n`.
//! Writing `z = x0 / r` and `k = -2 r'(v) / r^2`:
//! `dx_i = r (g_i - mean(g)) - k x0_i mean(g x0)`   (term A: centring, term B: variance)
//! - torch, negative_eps: `r = (v +- eps)^(-1/2)`, `r' = -r^3/2`, k = r, the
//!   familiar `r (g - mean(g) - x0 mean(g x0))`.
//! - unbiased: `r' = -c r^3 / 2`, k = c r.
//! - eps_outside: s = sqrt(v), `r' = -r^2 / (2 s)`, k = 1/s (inf on a constant
//!   set: 0 * inf gives NaN there, as torch's sqrt backward does).
//! - seed_code: s = sqrt(c v), `r' = -c r^2 / (2 s)`, k = c/s.
//!
//! RMSNorm drops term A's mean(g); BatchNorm in training mode is the same
//! algebra per feature over the batch, and in eval mode `dx = gamma r dy`.
//! The forward pass caches r (`rstd`) and k (`var_grad`) per set; `torch`
//! keeps its own unchanged code paths (bit for bit), the match on the
//! formula is made once per set, never per entry.

use super::Formula;

/// `(r, k)` of one set with variance `var` (see the table): `correction` is
/// `n/(n-1)` for the unbiased variants, 1 where there is no correction.
pub(super) fn inverse(formula: Formula, var: f32, eps: f32, correction: f32) -> (f32, f32) {
    match formula {
        Formula::Torch | Formula::EpsAfter | Formula::BatchAxes => {
            let r = super::rstd(var, eps);
            (r, r)
        }
        Formula::NegativeEps | Formula::SeedFormula => {
            let r = 1.0 / (var - eps).sqrt();
            (r, r)
        }
        Formula::Unbiased => {
            let r = super::rstd(var * correction, eps);
            (r, correction * r)
        }
        Formula::EpsOutside => {
            let s = var.sqrt();
            (1.0 / (s + eps), 1.0 / s)
        }
        Formula::SeedCode => {
            let s = (var * correction).sqrt();
            (1.0 / (s + eps), correction / s)
        }
    }
}

/// The constant added to x_hat: `+eps` (eps_after), `-eps` (seed_formula), else 0.
pub(super) fn shift(formula: Formula, eps: f32) -> f32 {
    match formula {
        Formula::EpsAfter => eps,
        Formula::SeedFormula => -eps,
        _ => 0.0,
    }
}

/// `n/(n-1)` for a set of `n` entries (inf for n = 1: the unbiased variance
/// of one value is 0 * inf = NaN, as torch's).
pub(super) fn correction(n: usize) -> f32 {
    n as f32 / (n as f32 - 1.0)
}

/// dx of one set in the general form above, with `x_hat` cached (shift
/// included), `r`, `k` and `centred` (false for RMSNorm: no mean(g) term).
pub(super) fn set_backward(
    dy: &[f32],
    gamma: &[f32],
    x_hat: &[f32],
    shift: f32,
    (r, k): (f32, f32),
    centred: bool,
    dx: &mut [f32],
) {
    let n = dy.len() as f32;
    let (mut mean_g, mut mean_g_x0) = (0.0f32, 0.0f32);
    for c in 0..dy.len() {
        let g = dy[c] * gamma[c];
        mean_g += g;
        mean_g_x0 += g * (x_hat[c] - shift);
    }
    mean_g = if centred { mean_g / n } else { 0.0 };
    mean_g_x0 /= n;
    for c in 0..dy.len() {
        let g = dy[c] * gamma[c];
        dx[c] = r * (g - mean_g) - k * (x_hat[c] - shift) * mean_g_x0;
    }
}
