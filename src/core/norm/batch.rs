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

use super::{formula, Formula, Norm, NormCache, NormGrads};

/// Which statistics a forward pass normalizes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// The running statistics (BatchNorm eval; LayerNorm over the batch's
    /// axes: those recorded by its last batch pass).
    Running,
    /// The batch's, and what to do with the running statistics.
    Batch(Update),
}

/// What a batch-statistics pass does with the running statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Update {
    None,
    /// BatchNorm training: the momentum update of the module docs.
    Momentum,
    /// LayerNorm over the batch's axes: keep this batch's mean and variance.
    Record,
}

/// `(r, k)` of one feature with variance `var` (`formula.rs`); `torch` is
/// `1/sqrt(var + eps)` as before the formula existed.
fn stats(norm: &Norm, var: f32, correction: f32) -> (f32, f32) {
    if norm.formula == Formula::Torch {
        let rstd = super::rstd(var, norm.eps);
        return (rstd, rstd);
    }
    formula::inverse(norm.formula, var, norm.eps, correction)
}

pub(super) fn forward(
    norm: &mut Norm,
    cache: &mut NormCache,
    x: &[f32],
    y: &mut [f32],
    source: Source,
) {
    let f = norm.features;
    let rows = cache.rows;
    if let Source::Batch(update) = source {
        // Row-major passes (vectorized across features): the means, then the
        // biased variances, accumulated in `rstd` before it is inverted.
        cache.mean.iter_mut().for_each(|m| *m = 0.0);
        cache.rstd.iter_mut().for_each(|v| *v = 0.0);
        for row in x.chunks_exact(f) {
            cache.mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        cache.mean.iter_mut().for_each(|m| *m /= rows as f32);
        for row in x.chunks_exact(f) {
            for ((var, v), mean) in cache.rstd.iter_mut().zip(row).zip(&cache.mean) {
                *var += (v - mean) * (v - mean);
            }
        }
        let m = norm.momentum;
        for j in 0..f {
            let var = cache.rstd[j] / rows as f32;
            match update {
                Update::None => {}
                Update::Momentum => {
                    let unbiased = if rows > 1 {
                        var * rows as f32 / (rows - 1) as f32
                    } else {
                        var
                    };
                    norm.running_mean[j] = (1.0 - m) * norm.running_mean[j] + m * cache.mean[j];
                    norm.running_var[j] = (1.0 - m) * norm.running_var[j] + m * unbiased;
                }
                Update::Record => {
                    norm.running_mean[j] = cache.mean[j];
                    norm.running_var[j] = var;
                }
            }
            (cache.rstd[j], cache.var_grad[j]) = stats(norm, var, formula::correction(rows));
        }
        norm.recorded |= update == Update::Record;
    } else {
        // Running statistics: no n/(n-1) correction on top of running_var
        // (for LayerNorm over the batch's axes the formulas take none).
        for j in 0..f {
            cache.mean[j] = norm.running_mean[j];
            (cache.rstd[j], cache.var_grad[j]) = stats(norm, norm.running_var[j], 1.0);
        }
    }
    let shift = formula::shift(norm.formula, norm.eps);
    for ((x_row, y_row), xh_row) in x
        .chunks_exact(f)
        .zip(y.chunks_exact_mut(f))
        .zip(cache.x_hat.chunks_exact_mut(f))
    {
        for j in 0..f {
            let x_hat = (x_row[j] - cache.mean[j]) * cache.rstd[j];
            let x_hat = if shift != 0.0 { x_hat + shift } else { x_hat };
            xh_row[j] = x_hat;
            y_row[j] = x_hat * norm.gamma[j] + norm.beta[j];
        }
    }
}

/// dx from dy; `grads` already holds dbeta_j = sum dy and dgamma_j = sum dy
/// x_hat, the two batch-coupling sums (`Norm::backward`).
pub(super) fn backward(
    norm: &Norm,
    cache: &NormCache,
    grads: &NormGrads,
    dy: &[f32],
    dx: &mut [f32],
) {
    let f = norm.features;
    let n = cache.rows as f32;
    let coupled = cache.batch_stats;
    if coupled && norm.formula != Formula::Torch {
        return formula_backward(norm, cache, grads, dy, dx);
    }
    for ((dx_row, dy_row), xh_row) in dx
        .chunks_exact_mut(f)
        .zip(dy.chunks_exact(f))
        .zip(cache.x_hat.chunks_exact(f))
    {
        for j in 0..f {
            let scale = norm.gamma[j] * cache.rstd[j];
            dx_row[j] = if coupled {
                scale / n * (n * dy_row[j] - grads.dbeta[j] - xh_row[j] * grads.dgamma[j])
            } else {
                scale * dy_row[j]
            };
        }
    }
}

/// Training-mode dx for every formula but `torch` (`formula.rs`), per feature
/// j over the batch with `x0 = x_hat - shift`, `sum dy x0 = dgamma - shift dbeta`:
/// `dx_i = gamma / N * (r (N dy_i - sum dy) - k x0_i sum dy x0)`.
fn formula_backward(norm: &Norm, cache: &NormCache, grads: &NormGrads, dy: &[f32], dx: &mut [f32]) {
    let f = norm.features;
    let n = cache.rows as f32;
    let shift = formula::shift(norm.formula, norm.eps);
    for ((dx_row, dy_row), xh_row) in dx
        .chunks_exact_mut(f)
        .zip(dy.chunks_exact(f))
        .zip(cache.x_hat.chunks_exact(f))
    {
        for j in 0..f {
            let (r, k) = (cache.rstd[j], cache.var_grad[j]);
            let sum_dy_x0 = grads.dgamma[j] - shift * grads.dbeta[j];
            let centred = r * (n * dy_row[j] - grads.dbeta[j]);
            dx_row[j] = norm.gamma[j] / n * (centred - k * (xh_row[j] - shift) * sum_dy_x0);
        }
    }
}
