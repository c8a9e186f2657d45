//! BatchNorm (Ioffe & Szegedy 2015), as `torch.nn.BatchNorm1d(C)` on `(N, C)`.
//!
//! Statistics per feature j over the batch of N rows:
//! `mu_j = mean_i x_ij`, `var_j = mean_i (x_ij - mu_j)^2` (biased),
//! `y_ij = (x_ij - mu_j) / sqrt(var_j + eps) * gamma_j + beta_j`.
//!
//! Training updates the running statistics with the *unbiased* variance:
//! `running_mean <- (1-m) running_mean + m mu`,
//! `running_var  <- (1-m) running_var  + m var * N/(N-1)`.
//! Eval normalizes with them: `y = (x - running_mean)/sqrt(running_var + eps)`.
//!
//! Batch of 1: torch raises "Expected more than 1 value per channel when
//! training". normscope allows it to show what happens: var = 0, so every
//! output is beta, and the running variance takes the biased value 0 (N/(N-1)
//! is undefined).
//!
//! Backward, training (r = rstd_j, all sums over the batch, g = gamma_j):
//! `dx_i = g r / N * (N dy_i - sum_k dy_k - x_hat_i sum_k dy_k x_hat_k)`.
//! Backward, eval: `dx = g r dy` (no batch coupling).
//!
//! `formula` (`formula.rs`) changes r (and adds a shift) in both modes; its
//! training backward adds k, the variance term's own coefficient (k = r for
//! torch): `dx_i = g / N * (r (N dy_i - sum dy) - k x0_i sum dy x0)`, with
//! `x0 = x_hat - shift`. The running statistics are updated as for torch.

use super::{formula, Formula, Norm, Pass};

/// `(r, k)` of one feature with variance `var` (`formula.rs`); `torch` is
/// `1/sqrt(var + eps)` as before the formula existed.
fn stats(norm: &Norm, var: f32, correction: f32) -> (f32, f32) {
    if norm.formula == Formula::Torch {
        let rstd = super::rstd(var, norm.eps);
        return (rstd, rstd);
    }
    formula::inverse(norm.formula, var, norm.eps, correction)
}

pub(super) fn forward(norm: &mut Norm, x: &[f32], y: &mut [f32], pass: Pass) {
    let f = norm.features;
    let rows = norm.rows;
    if pass == Pass::Eval {
        // Running statistics: no n/(n-1) correction on top of running_var.
        for j in 0..f {
            norm.mean[j] = norm.running_mean[j];
            (norm.rstd[j], norm.var_grad[j]) = stats(norm, norm.running_var[j], 1.0);
        }
    } else {
        // Row-major passes (vectorized across features): the means, then the
        // biased variances, accumulated in `rstd` before it is inverted.
        norm.mean.iter_mut().for_each(|m| *m = 0.0);
        norm.rstd.iter_mut().for_each(|v| *v = 0.0);
        for row in x.chunks_exact(f) {
            norm.mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        norm.mean.iter_mut().for_each(|m| *m /= rows as f32);
        for row in x.chunks_exact(f) {
            for ((var, v), mean) in norm.rstd.iter_mut().zip(row).zip(&norm.mean) {
                *var += (v - mean) * (v - mean);
            }
        }
        let m = norm.momentum;
        for j in 0..f {
            let var = norm.rstd[j] / rows as f32;
            if pass == Pass::Train {
                let unbiased = if rows > 1 {
                    var * rows as f32 / (rows - 1) as f32
                } else {
                    var
                };
                norm.running_mean[j] = (1.0 - m) * norm.running_mean[j] + m * norm.mean[j];
                norm.running_var[j] = (1.0 - m) * norm.running_var[j] + m * unbiased;
            }
            (norm.rstd[j], norm.var_grad[j]) = stats(norm, var, formula::correction(rows));
        }
    }
    let shift = formula::shift(norm.formula, norm.eps);
    for ((x_row, y_row), xh_row) in x
        .chunks_exact(f)
        .zip(y.chunks_exact_mut(f))
        .zip(norm.x_hat.chunks_exact_mut(f))
    {
        for j in 0..f {
            let x_hat = (x_row[j] - norm.mean[j]) * norm.rstd[j];
            let x_hat = if shift != 0.0 { x_hat + shift } else { x_hat };
            xh_row[j] = x_hat;
            y_row[j] = x_hat * norm.gamma[j] + norm.beta[j];
        }
    }
}

pub(super) fn backward(norm: &mut Norm, dy: &[f32], dx: &mut [f32]) {
    let f = norm.features;
    // dbeta_j = sum dy and dgamma_j = sum dy x_hat: the two batch-coupling sums.
    norm.param_grads(dy);
    let n = norm.rows as f32;
    let coupled = norm.batch_stats;
    if coupled && norm.formula != Formula::Torch {
        return formula_backward(norm, dy, dx);
    }
    for ((dx_row, dy_row), xh_row) in dx
        .chunks_exact_mut(f)
        .zip(dy.chunks_exact(f))
        .zip(norm.x_hat.chunks_exact(f))
    {
        for j in 0..f {
            let scale = norm.gamma[j] * norm.rstd[j];
            dx_row[j] = if coupled {
                scale / n * (n * dy_row[j] - norm.dbeta[j] - xh_row[j] * norm.dgamma[j])
            } else {
                scale * dy_row[j]
            };
        }
    }
}

/// Training-mode dx for every formula but `torch` (`formula.rs`), per feature
/// j over the batch with `x0 = x_hat - shift`, `sum dy x0 = dgamma - shift dbeta`:
/// `dx_i = gamma / N * (r (N dy_i - sum dy) - k x0_i sum dy x0)`.
fn formula_backward(norm: &Norm, dy: &[f32], dx: &mut [f32]) {
    let f = norm.features;
    let n = norm.rows as f32;
    let shift = formula::shift(norm.formula, norm.eps);
    for ((dx_row, dy_row), xh_row) in dx
        .chunks_exact_mut(f)
        .zip(dy.chunks_exact(f))
        .zip(norm.x_hat.chunks_exact(f))
    {
        for j in 0..f {
            let (r, k) = (norm.rstd[j], norm.var_grad[j]);
            let sum_dy_x0 = norm.dgamma[j] - shift * norm.dbeta[j];
            let centred = r * (n * dy_row[j] - norm.dbeta[j]);
            dx_row[j] = norm.gamma[j] / n * (centred - k * (xh_row[j] - shift) * sum_dy_x0);
        }
    }
}
