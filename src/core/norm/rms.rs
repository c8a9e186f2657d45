//! RMSNorm (Zhang & Sennrich 2019), as `torch.nn.RMSNorm(C, eps)` on `(N, C)`.
//!
//! No centering and no beta: `y = x / sqrt(mean(x^2) + eps) * gamma`, per row.
//! (torch's default eps=None means the dtype's machine epsilon; normscope uses
//! the config's eps, like `RMSNorm(C, eps=eps)`.)
//!
//! Backward with `r = (mean(x^2) + eps)^(-1/2)`, `x_hat = x r`, `g = dy * gamma`:
//! `dx = r * (g - x_hat * mean(g * x_hat))`; the Jacobian is
//! `(1/RMS)(I - a a^T / (n RMS^2))` (Zhang & Sennrich, section 4).

use super::{normalize_set, Norm};

/// `1 / sqrt(mean(x^2) + eps)` of one row.
pub(super) fn row_rstd(x: &[f32], eps: f32) -> f32 {
    let mean_square = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    super::rstd(mean_square, eps)
}

pub(super) fn forward(norm: &mut Norm, x: &[f32], y: &mut [f32]) {
    let f = norm.features;
    for (row, ((x_row, y_row), xh_row)) in x
        .chunks_exact(f)
        .zip(y.chunks_exact_mut(f))
        .zip(norm.x_hat.chunks_exact_mut(f))
        .enumerate()
    {
        let rstd = row_rstd(x_row, norm.eps);
        norm.mean[row] = 0.0;
        norm.rstd[row] = rstd;
        normalize_set(x_row, 0.0, rstd, &norm.gamma, None, y_row, Some(xh_row));
    }
}

pub(super) fn backward(norm: &mut Norm, dy: &[f32], dx: &mut [f32]) {
    let f = norm.features;
    norm.param_grads(dy);
    for (row, ((dy_row, dx_row), xh_row)) in dy
        .chunks_exact(f)
        .zip(dx.chunks_exact_mut(f))
        .zip(norm.x_hat.chunks_exact(f))
        .enumerate()
    {
        let mean_g_xhat = (0..f)
            .map(|c| dy_row[c] * norm.gamma[c] * xh_row[c])
            .sum::<f32>()
            / f as f32;
        let rstd = norm.rstd[row];
        for c in 0..f {
            dx_row[c] = rstd * (dy_row[c] * norm.gamma[c] - xh_row[c] * mean_g_xhat);
        }
    }
}
