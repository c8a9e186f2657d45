//! RMSNorm (Zhang & Sennrich 2019), as `torch.nn.RMSNorm(C, eps)` on `(N, C)`.
//!
//! No centering and no beta: `y = x / sqrt(mean(x^2) + eps) * gamma`, per row.
//! (torch's default eps=None means the dtype's machine epsilon; normscope uses
//! the config's eps, like `RMSNorm(C, eps=eps)`.)
//!
//! Backward with `r = (mean(x^2) + eps)^(-1/2)`, `x_hat = x r`, `g = dy * gamma`:
//! `dx = r * (g - x_hat * mean(g * x_hat))`; the Jacobian is
//! `(1/RMS)(I - a a^T / (n RMS^2))` (Zhang & Sennrich, section 4).

use super::{formula, normalize_set, Formula, Norm, NormCache, NormGrads, Sets, SetsMut};

/// `(r, k)` of one row (`formula.rs`, with v = mean(x^2)); for `torch`
/// `r = k = 1 / sqrt(mean(x^2) + eps)`.
pub(super) fn row_stats(x: &[f32], eps: f32, formula: Formula) -> (f32, f32) {
    let mean_square = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    if formula == Formula::Torch {
        let rstd = super::rstd(mean_square, eps);
        return (rstd, rstd);
    }
    formula::inverse(formula, mean_square, eps, 1.0)
}

/// The forward pass of a band of whole rows (`Norm::by_rows`).
pub(super) fn forward(norm: &Norm, cache: SetsMut, x: &[f32], y: &mut [f32]) {
    let f = norm.features;
    let shift = formula::shift(norm.formula, norm.eps);
    for (row, ((x_row, y_row), xh_row)) in x
        .chunks_exact(f)
        .zip(y.chunks_exact_mut(f))
        .zip(cache.x_hat.chunks_exact_mut(f))
        .enumerate()
    {
        let (rstd, var_grad) = row_stats(x_row, norm.eps, norm.formula);
        cache.mean[row] = 0.0;
        cache.rstd[row] = rstd;
        cache.var_grad[row] = var_grad;
        normalize_set(
            x_row,
            0.0,
            rstd,
            shift,
            &norm.gamma,
            None,
            y_row,
            Some(xh_row),
        );
    }
}

pub(super) fn backward(
    norm: &Norm,
    cache: &NormCache,
    _grads: &NormGrads,
    dy: &[f32],
    dx: &mut [f32],
) {
    // RMSNorm caches no input (its backward never reads it): x_hat stands in.
    norm.backward_by_rows(cache, &cache.x_hat, dy, dx, backward_rows);
}

/// dx of a band of whole rows (`Norm::backward_by_rows`).
fn backward_rows(norm: &Norm, cache: Sets, dy: &[f32], dx: &mut [f32]) {
    let f = norm.features;
    if norm.formula != Formula::Torch {
        let shift = formula::shift(norm.formula, norm.eps);
        let sets = dy.chunks_exact(f).zip(dx.chunks_exact_mut(f));
        for (row, (dy_row, dx_row)) in sets.enumerate() {
            let xh_row = &cache.x_hat[row * f..(row + 1) * f];
            let coefficients = (cache.rstd[row], cache.var_grad[row]);
            formula::set_backward(
                dy_row,
                &norm.gamma,
                xh_row,
                shift,
                coefficients,
                false,
                dx_row,
            );
        }
        return;
    }
    for (row, ((dy_row, dx_row), xh_row)) in dy
        .chunks_exact(f)
        .zip(dx.chunks_exact_mut(f))
        .zip(cache.x_hat.chunks_exact(f))
        .enumerate()
    {
        let mean_g_xhat = (0..f)
            .map(|c| dy_row[c] * norm.gamma[c] * xh_row[c])
            .sum::<f32>()
            / f as f32;
        let rstd = cache.rstd[row];
        for c in 0..f {
            dx_row[c] = rstd * (dy_row[c] * norm.gamma[c] - xh_row[c] * mean_g_xhat);
        }
    }
}
