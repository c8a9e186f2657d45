//! GroupNorm (Wu & He 2018), as `torch.nn.GroupNorm(G, C)` on `(N, C)`; also
//! the kernel behind LayerNorm (G = 1).
//!
//! Each row is cut into G groups of `C/G` consecutive features; every group has
//! its own mean and biased variance:
//! `y = (x - mu_g) / sqrt(var_g + eps) * gamma_c + beta_c` (gamma, beta per feature).
//!
//! With G = C each group holds one value, so `x - mu = 0` and every output is
//! exactly beta (0 at init): the "MLP trap" of GroupNorm on 2-D input.
//!
//! Backward (llm.c `layernorm_backward`, Triton's LN kernel), per group with
//! `g = dy * gamma`, `r = rstd`, means over the group:
//! `dx = r * (g - mean(g) - x_hat * mean(g * x_hat))`.

use super::{normalize_set, Norm};

/// Mean and rstd of one set: biased variance, eps inside the square root.
pub(super) fn set_stats(x: &[f32], eps: f32) -> (f32, f32) {
    let (mean, var) = super::mean_var(x.iter().copied());
    (mean, super::rstd(var, eps))
}

pub(super) fn forward(norm: &mut Norm, x: &[f32], y: &mut [f32]) {
    let size = norm.features / norm.groups;
    for (set, ((x_seg, y_seg), xh_seg)) in x
        .chunks_exact(size)
        .zip(y.chunks_exact_mut(size))
        .zip(norm.x_hat.chunks_exact_mut(size))
        .enumerate()
    {
        let (mean, rstd) = set_stats(x_seg, norm.eps);
        norm.mean[set] = mean;
        norm.rstd[set] = rstd;
        let offset = (set % norm.groups) * size;
        let gamma = &norm.gamma[offset..offset + size];
        let beta = &norm.beta[offset..offset + size];
        normalize_set(x_seg, mean, rstd, gamma, Some(beta), y_seg, Some(xh_seg));
    }
}

pub(super) fn backward(norm: &mut Norm, dy: &[f32], dx: &mut [f32]) {
    norm.param_grads(dy);
    let size = norm.features / norm.groups;
    for (set, ((dy_seg, dx_seg), xh_seg)) in dy
        .chunks_exact(size)
        .zip(dx.chunks_exact_mut(size))
        .zip(norm.x_hat.chunks_exact(size))
        .enumerate()
    {
        let offset = (set % norm.groups) * size;
        let gamma = &norm.gamma[offset..offset + size];
        let (mut mean_g, mut mean_g_xhat) = (0.0f32, 0.0f32);
        for c in 0..size {
            let g = dy_seg[c] * gamma[c];
            mean_g += g;
            mean_g_xhat += g * xh_seg[c];
        }
        mean_g /= size as f32;
        mean_g_xhat /= size as f32;
        let rstd = norm.rstd[set];
        for c in 0..size {
            let g = dy_seg[c] * gamma[c];
            dx_seg[c] = rstd * (g - mean_g - xh_seg[c] * mean_g_xhat);
        }
    }
}
