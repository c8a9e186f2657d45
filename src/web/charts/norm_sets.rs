//! The statistic sets of each normalization, as the `normalized` chart names
//! and outlines them: which cells of the batch x width matrix share one mean
//! and divisor, and how to print them.
//!
//! | norm  | set s holds                          | printed                              |
//! |-------|--------------------------------------|--------------------------------------|
//! | batch | column s (one unit over the batch)   | mean, sqrt(var + eps) (eval: running) |
//! | layer | row s (one sample over its units)    | mean, sqrt(var + eps)                |
//! | rms   | row s                                | sqrt(mean(x²) + eps); no mean        |
//! | group | row s / G, units of group s mod G    | mean, sqrt(var + eps)                |

use super::ticks::format_sig;
use crate::core::config::NormKind;
use crate::core::views::{LayerMatrix, MatrixTensor};

/// The cells of set `set` as (first row, rows, first column, columns),
/// uncropped; None for `norm=none`.
pub fn cells(m: &LayerMatrix, set: usize) -> Option<(usize, usize, usize, usize)> {
    let groups = m.groups.max(1);
    match m.kind {
        NormKind::None => None,
        NormKind::Batch => Some((0, m.rows, set, 1)),
        NormKind::Layer | NormKind::Rms => Some((set, 1, 0, m.cols)),
        NormKind::Group => {
            let size = m.cols / groups;
            Some((set / groups, 1, (set % groups) * size, size))
        }
    }
}

/// The set holding cell (row, col).
pub fn containing(m: &LayerMatrix, row: usize, col: usize) -> usize {
    let groups = m.groups.max(1);
    match m.kind {
        NormKind::Batch => col,
        NormKind::Group => row * groups + col / (m.cols / groups).max(1),
        _ => row,
    }
}

/// "unit 3 (all 64 samples)", "sample 2 (all 64 units)", "sample 2, units 9–16".
pub fn name(m: &LayerMatrix, set: usize) -> String {
    match (m.kind, cells(m, set)) {
        (NormKind::Batch, _) => format!("unit {} (all {} samples)", set + 1, m.rows),
        (NormKind::Group, Some((row, _, col, n))) => {
            format!("sample {}, units {}–{}", row + 1, col + 1, col + n)
        }
        _ => format!("sample {} (all {} units)", set + 1, m.cols),
    }
}

/// The mean subtracted from and the divisor of set `set`'s values.
pub fn moments(m: &LayerMatrix, set: usize) -> (f64, f64) {
    let mean = match m.kind {
        NormKind::Rms => 0.0,
        _ => m.set_mean.get(set).copied().unwrap_or(f32::NAN) as f64,
    };
    (
        mean,
        m.set_divisor.get(set).copied().unwrap_or(f32::NAN) as f64,
    )
}

/// "mean 0.01 · sqrt(var + eps) 0.98" (RMSNorm: the rms; eval BatchNorm: running).
pub fn statistics(m: &LayerMatrix, set: usize) -> String {
    let (mean, divisor) = moments(m, set);
    let (mean, divisor) = (format_sig(mean, 3), format_sig(divisor, 3));
    match m.kind {
        NormKind::Rms => format!("rms sqrt(mean(x²) + eps) {divisor}"),
        NormKind::Batch if m.running => {
            format!("running mean {mean} · sqrt(running var + eps) {divisor}")
        }
        _ => format!("mean {mean} · sqrt(var + eps) {divisor}"),
    }
}

/// Which tensor the norm receives and what it averages over: a long and a
/// short sentence, e.g. "LayerNorm of a = hWᵀ + b (the Linear output): each row
/// (a sample over its units) shares a mean and variance".
pub fn description(m: &LayerMatrix) -> [String; 2] {
    let (formula, words) = (m.input.formula(), m.input.words());
    let size = m.cols / m.groups.max(1);
    let (name, long, short) = match m.kind {
        NormKind::None => {
            return [
                format!("norm=none: nothing is normalized; showing {formula}, {words}"),
                format!("norm=none: showing {formula}"),
            ]
        }
        NormKind::Batch => (
            "BatchNorm".to_string(),
            "each column (a unit over the batch) shares a mean and variance".to_string(),
            "a column shares mean, var".to_string(),
        ),
        NormKind::Layer => (
            "LayerNorm".to_string(),
            "each row (a sample over its units) shares a mean and variance".to_string(),
            "a row shares mean, var".to_string(),
        ),
        NormKind::Rms => (
            "RMSNorm".to_string(),
            "each row is divided by its root mean square; no mean is subtracted".to_string(),
            "a row is divided by its rms".to_string(),
        ),
        NormKind::Group => (
            format!("GroupNorm ({} groups)", m.groups),
            format!("each row segment of {size} units shares a mean and variance"),
            format!("{size} units of a row share mean, var"),
        ),
    };
    [
        format!("{name} of {formula} ({words}): {long}"),
        format!("{name} of {formula}: {short}"),
    ]
}

/// The colour bar's label for the tensor shown: "x = a = hWᵀ + b", "x̂", "y = γx̂ + β".
pub fn tensor_label(m: &LayerMatrix, tensor: MatrixTensor) -> String {
    match (tensor, m.kind) {
        (_, NormKind::None) | (MatrixTensor::Input, _) => format!("x = {}", m.input.formula()),
        (MatrixTensor::Normalized, NormKind::Rms) => "x̂ = x / rms".to_string(),
        (MatrixTensor::Normalized, NormKind::Batch) if m.running => {
            "x̂ = (x − running mean) / √(running var + ε)".to_string()
        }
        (MatrixTensor::Normalized, _) => "x̂ = (x − μ) / √(σ² + ε)".to_string(),
        (MatrixTensor::Output, NormKind::Rms) => "y = γx̂".to_string(),
        (MatrixTensor::Output, _) => "y = γx̂ + β".to_string(),
    }
}
