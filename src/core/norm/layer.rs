//! LayerNorm (Ba, Kiros & Hinton 2016), as `torch.nn.LayerNorm(C)` on `(N, C)`.
//!
//! Statistics per sample over all C features (biased variance, eps inside the
//! square root): `y = (x - mean_row) / sqrt(var_row + eps) * gamma + beta`.
//! Identical in train and eval. This is GroupNorm with one group, so it runs
//! the group kernel (`group.rs`) with G = 1; the backward pass is shared too.

use super::{Norm, SetsMut};

pub(super) fn forward(norm: &Norm, cache: SetsMut, x: &[f32], y: &mut [f32]) {
    debug_assert_eq!(norm.groups, 1);
    super::group::forward(norm, cache, x, y);
}
