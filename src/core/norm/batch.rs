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

use super::{Norm, Pass};

pub(super) fn forward(norm: &mut Norm, x: &[f32], y: &mut [f32], pass: Pass) {
    let f = norm.features;
    let rows = norm.rows;
    if pass == Pass::Eval {
        for j in 0..f {
            norm.mean[j] = norm.running_mean[j];
            norm.rstd[j] = super::rstd(norm.running_var[j], norm.eps);
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
            norm.rstd[j] = super::rstd(var, norm.eps);
        }
    }
    for ((x_row, y_row), xh_row) in x
        .chunks_exact(f)
        .zip(y.chunks_exact_mut(f))
        .zip(norm.x_hat.chunks_exact_mut(f))
    {
        for j in 0..f {
            let x_hat = (x_row[j] - norm.mean[j]) * norm.rstd[j];
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
