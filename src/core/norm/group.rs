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
//!
//! Non-finite gradients: torch computes the same dx in another form (its CPU
//! `layer_norm` and `group_norm` kernels), with `s = 1/|set|`,
//! `db = sum g`, `ds = sum g x`, `b = (db mean - ds) r^3 s`,
//! `c = -b mean - db r s`, `dx = r gamma dy + b x + c`. Equal in exact
//! arithmetic, the two forms put NaN and inf in different places once a `dy` is
//! inf or NaN (`db mean - ds` is inf - inf where ours is a signed inf), so a
//! set whose sums are not finite takes torch's form, from the cached input.
//! GroupNorm's dgamma is likewise `sum (dy x - dy mean) r` in torch: an
//! infinite `dy` gives NaN there, not `inf * x_hat` (LayerNorm's is
//! `sum dy x_hat`, as ours). `tests/nonfinite.rs` checks both against torch.

use super::{formula, normalize_set, Formula, Norm, NormCache, NormGrads, NormKind, Sets, SetsMut};

/// Mean and rstd of one set: biased variance, eps inside the square root.
fn set_stats(x: &[f32], eps: f32) -> (f32, f32) {
    let (mean, var) = super::mean_var(x.iter().copied());
    (mean, super::rstd(var, eps))
}

/// Mean, r and k of one set under `formula` (`formula.rs`); `torch` is
/// [`set_stats`] with k = r.
pub(super) fn formula_stats(x: &[f32], eps: f32, formula: Formula) -> (f32, f32, f32) {
    if formula == Formula::Torch {
        let (mean, rstd) = set_stats(x, eps);
        return (mean, rstd, rstd);
    }
    let (mean, var) = super::mean_var(x.iter().copied());
    let (r, k) = formula::inverse(formula, var, eps, formula::correction(x.len()));
    (mean, r, k)
}

/// The forward pass of a band of whole rows (`Norm::by_rows`).
pub(super) fn forward(norm: &Norm, cache: SetsMut, x: &[f32], y: &mut [f32]) {
    let size = norm.features / norm.groups;
    let shift = formula::shift(norm.formula, norm.eps);
    for (set, ((x_seg, y_seg), xh_seg)) in x
        .chunks_exact(size)
        .zip(y.chunks_exact_mut(size))
        .zip(cache.x_hat.chunks_exact_mut(size))
        .enumerate()
    {
        let (mean, rstd, var_grad) = formula_stats(x_seg, norm.eps, norm.formula);
        cache.mean[set] = mean;
        cache.rstd[set] = rstd;
        cache.var_grad[set] = var_grad;
        let offset = (set % norm.groups) * size;
        let gamma = &norm.gamma[offset..offset + size];
        let beta = &norm.beta[offset..offset + size];
        normalize_set(
            x_seg,
            mean,
            rstd,
            shift,
            gamma,
            Some(beta),
            y_seg,
            Some(xh_seg),
        );
    }
}

pub(super) fn backward(
    norm: &Norm,
    cache: &NormCache,
    grads: &mut NormGrads,
    dy: &[f32],
    dx: &mut [f32],
) {
    let torch = norm.formula == Formula::Torch;
    if torch && norm.kind == NormKind::Group && dy.iter().any(|v| !v.is_finite()) {
        torch_group_dgamma(norm, cache, grads, dy);
    }
    norm.backward_by_rows(cache, &cache.input, dy, dx, backward_rows);
}

/// dx of a band of whole rows (`Norm::backward_by_rows`).
fn backward_rows(norm: &Norm, cache: Sets, dy: &[f32], dx: &mut [f32]) {
    if norm.formula != Formula::Torch {
        return formula_backward(norm, cache, dy, dx);
    }
    let size = norm.features / norm.groups;
    for (set, dy_seg, dx_seg, xh_seg, gamma) in sets(norm, cache, dy, dx) {
        let (mut mean_g, mut mean_g_xhat) = (0.0f32, 0.0f32);
        for c in 0..size {
            let g = dy_seg[c] * gamma[c];
            mean_g += g;
            mean_g_xhat += g * xh_seg[c];
        }
        mean_g /= size as f32;
        mean_g_xhat /= size as f32;
        let rstd = cache.rstd[set];
        if !(mean_g.is_finite() && mean_g_xhat.is_finite()) {
            let x_seg = &cache.input[set * size..(set + 1) * size];
            torch_backward(x_seg, dy_seg, gamma, cache.mean[set], rstd, dx_seg);
            continue;
        }
        for c in 0..size {
            let g = dy_seg[c] * gamma[c];
            dx_seg[c] = rstd * (g - mean_g - xh_seg[c] * mean_g_xhat);
        }
    }
}

/// The statistic sets of a backward pass, in order: (set index, dy, dx and
/// x_hat of the set, gamma of its units). Shared by both backward forms.
fn sets<'a>(
    norm: &'a Norm,
    cache: Sets<'a>,
    dy: &'a [f32],
    dx: &'a mut [f32],
) -> impl Iterator<Item = (usize, &'a [f32], &'a mut [f32], &'a [f32], &'a [f32])> {
    let (size, groups) = (norm.features / norm.groups, norm.groups);
    dy.chunks_exact(size)
        .zip(dx.chunks_exact_mut(size))
        .zip(cache.x_hat.chunks_exact(size))
        .enumerate()
        .map(move |(set, ((dy_seg, dx_seg), xh_seg))| {
            let offset = (set % groups) * size;
            (
                set,
                dy_seg,
                dx_seg,
                xh_seg,
                &norm.gamma[offset..offset + size],
            )
        })
}

/// dx for every formula but `torch`: the general form of `formula.rs` per set.
fn formula_backward(norm: &Norm, cache: Sets, dy: &[f32], dx: &mut [f32]) {
    let shift = formula::shift(norm.formula, norm.eps);
    for (set, dy_seg, dx_seg, xh_seg, gamma) in sets(norm, cache, dy, dx) {
        let coefficients = (cache.rstd[set], cache.var_grad[set]);
        formula::set_backward(dy_seg, gamma, xh_seg, shift, coefficients, true, dx_seg);
    }
}

/// dx of one set in torch's form (module docs), for sets whose sums are not
/// finite.
fn torch_backward(x: &[f32], dy: &[f32], gamma: &[f32], mean: f32, rstd: f32, dx: &mut [f32]) {
    let (mut db, mut ds) = (0.0f32, 0.0f32);
    for c in 0..x.len() {
        db += dy[c] * gamma[c];
        ds += dy[c] * x[c] * gamma[c];
    }
    let s = 1.0 / x.len() as f32;
    let b = (db * mean - ds) * rstd * rstd * rstd * s;
    let c0 = -b * mean - db * rstd * s;
    for c in 0..x.len() {
        dx[c] = rstd * gamma[c] * dy[c] + b * x[c] + c0;
    }
}

/// GroupNorm's dgamma in torch's form, `sum_rows (dy x - dy mean) rstd`, for
/// the entries whose `dy` is not finite; the others keep `dy x_hat`, summed in
/// the same order as `param_grads` (`mod.rs`).
fn torch_group_dgamma(norm: &Norm, cache: &NormCache, grads: &mut NormGrads, dy: &[f32]) {
    let (f, size) = (norm.features, norm.features / norm.groups);
    grads.dgamma.iter_mut().for_each(|v| *v = 0.0);
    for (row, (dy_row, xh_row)) in dy
        .chunks_exact(f)
        .zip(cache.x_hat.chunks_exact(f))
        .enumerate()
    {
        for j in 0..f {
            let set = row * norm.groups + j / size;
            let (d, x) = (dy_row[j], cache.input[row * f + j]);
            grads.dgamma[j] += if d.is_finite() {
                d * xh_row[j]
            } else {
                (d * x - d * cache.mean[set]) * cache.rstd[set]
            };
        }
    }
}
