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
//!
//! A `formula` other than torch prints its own divisor (`sqrt(var) + eps`, ...;
//! the core's `set_stats` is that divisor), and LayerNorm with `batch_axes` or
//! `seed_formula` has BatchNorm's sets, the columns.

use super::ticks::format_sig;
use crate::core::config::{Formula, NormKind};
use crate::core::views::NormInput;
use crate::core::views::{LayerMatrix, MatrixTensor};
use crate::web::i18n::{tr, trf};
use std::fmt::Display;

/// Whether the sets are columns: BatchNorm, and LayerNorm over BatchNorm's axes.
fn over_batch(m: &LayerMatrix) -> bool {
    m.kind == NormKind::Batch || (m.kind == NormKind::Layer && m.formula.over_batch())
}

/// The formula as applied: BatchNorm in eval mode takes running_var as it is,
/// with no n/(n-1) on top (unbiased is then torch's divisor, seed_code eps_outside's).
fn applied(m: &LayerMatrix) -> Formula {
    match m.formula {
        Formula::Unbiased if m.kind == NormKind::Batch && m.running => Formula::Torch,
        Formula::SeedCode if m.kind == NormKind::Batch && m.running => Formula::EpsOutside,
        other => other,
    }
}

/// The divisor of a set as the formula computes it, over `v` (the variance,
/// `mean(x²)` for RMSNorm, the running variance in eval mode).
fn divisor_text(formula: Formula, v: &str) -> String {
    match formula {
        Formula::Torch | Formula::EpsAfter | Formula::BatchAxes => format!("sqrt({v} + eps)"),
        Formula::Unbiased => format!("sqrt({v}·n/(n−1) + eps)"),
        Formula::EpsOutside => format!("sqrt({v}) + eps"),
        Formula::NegativeEps | Formula::SeedFormula => format!("sqrt({v} − eps)"),
        Formula::SeedCode => format!("sqrt({v}·n/(n−1)) + eps"),
    }
}

/// The cells of set `set` as (first row, rows, first column, columns),
/// uncropped; None for `norm=none`.
pub fn cells(m: &LayerMatrix, set: usize) -> Option<(usize, usize, usize, usize)> {
    let groups = m.groups.max(1);
    match m.kind {
        NormKind::None => None,
        _ if over_batch(m) => Some((0, m.rows, set, 1)),
        NormKind::Group => {
            let size = m.cols / groups;
            Some((set / groups, 1, (set % groups) * size, size))
        }
        _ => Some((set, 1, 0, m.cols)),
    }
}

/// The set holding cell (row, col).
pub fn containing(m: &LayerMatrix, row: usize, col: usize) -> usize {
    let groups = m.groups.max(1);
    match m.kind {
        _ if over_batch(m) => col,
        NormKind::Group => row * groups + col / (m.cols / groups).max(1),
        _ => row,
    }
}

/// "unit 3 (all 64 samples)", "sample 2 (all 64 units)", "sample 2, units 9–16".
pub fn name(m: &LayerMatrix, set: usize) -> String {
    match (m.kind, cells(m, set)) {
        _ if over_batch(m) => trf(
            "charts.set_unit",
            &[("unit", &(set + 1)), ("rows", &m.rows)],
        ),
        (NormKind::Group, Some((row, _, col, n))) => {
            let (sample, first, last) = (row + 1, col + 1, col + n);
            let params: [(&str, &dyn Display); 3] =
                [("sample", &sample), ("first", &first), ("last", &last)];
            trf("charts.set_group", &params)
        }
        _ => trf(
            "charts.set_sample",
            &[("sample", &(set + 1)), ("cols", &m.cols)],
        ),
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
    let formula = applied(m);
    let (key, v) = match m.kind {
        NormKind::Rms => ("charts.set_rms", "mean(x²)"),
        NormKind::Batch if m.running => ("charts.set_running", "running var"),
        _ => ("charts.set_moments", "var"),
    };
    let formula = divisor_text(formula, v);
    trf(
        key,
        &[
            ("mean", &mean),
            ("formula", &formula),
            ("divisor", &divisor),
        ],
    )
}

/// Which tensor the norm receives and what it averages over: a long, a short
/// and a shortest sentence (for narrow charts), e.g. "LayerNorm of a = hWᵀ + b
/// (the Linear output): each row (a sample over its units) shares a mean and variance".
pub fn description(m: &LayerMatrix) -> [String; 3] {
    let formula = m.input.formula();
    let words = tr(match m.input {
        NormInput::Linear => "charts.input_linear",
        NormInput::Activation => "charts.input_activation",
        NormInput::BlockInput => "charts.input_block",
        NormInput::ResidualSum => "charts.input_residual",
    });
    let size = m.cols / m.groups.max(1);
    let columns = ("charts.columns_long", "charts.columns_short");
    let (name, (long, short)) = match m.kind {
        NormKind::None => {
            let params: [(&str, &dyn Display); 2] = [("formula", &formula), ("words", &words)];
            let short = trf("charts.none_short", &params);
            return [trf("charts.none_long", &params), short.clone(), short];
        }
        NormKind::Batch => ("BatchNorm".to_string(), columns),
        NormKind::Layer if m.formula.over_batch() => (
            trf("charts.layer_over_batch", &[("formula", &m.formula.name())]),
            columns,
        ),
        NormKind::Layer => (
            "LayerNorm".to_string(),
            ("charts.rows_long", "charts.rows_short"),
        ),
        NormKind::Rms => (
            "RMSNorm".to_string(),
            ("charts.rms_long", "charts.rms_short"),
        ),
        NormKind::Group => (
            trf("charts.group_name", &[("groups", &m.groups)]),
            ("charts.groups_long", "charts.groups_short"),
        ),
    };
    let [long, short] = [long, short].map(|key| trf(key, &[("size", &size)]));
    let params: [(&str, &dyn Display); 4] = [
        ("name", &name),
        ("formula", &formula),
        ("words", &words),
        ("long", &long),
    ];
    [
        trf("charts.description_long", &params),
        trf(
            "charts.description_short",
            &[("name", &name), ("formula", &formula), ("short", &short)],
        ),
        trf(
            "charts.description_shortest",
            &[("name", &name), ("short", &short)],
        ),
    ]
}

/// The colour bar's label for the tensor shown: "x = a = hWᵀ + b", "x̂", "y = γx̂ + β".
pub fn tensor_label(m: &LayerMatrix, tensor: MatrixTensor) -> String {
    match (tensor, m.kind) {
        (_, NormKind::None) | (MatrixTensor::Input, _) => format!("x = {}", m.input.formula()),
        (MatrixTensor::Normalized, _) if applied(m) != Formula::Torch => {
            let after = match m.formula {
                Formula::EpsAfter => " + ε",
                Formula::SeedFormula => " − ε",
                _ => "",
            };
            let (centred, v) = match m.kind {
                NormKind::Rms => ("x", "ms"),
                NormKind::Batch if m.running => ("(x − running mean)", "running var"),
                _ => ("(x − μ)", "σ²"),
            };
            let divisor = match applied(m) {
                Formula::Unbiased => format!("√({v}·n/(n−1) + ε)"),
                Formula::EpsOutside => format!("(√{v} + ε)"),
                Formula::NegativeEps | Formula::SeedFormula => format!("√({v} − ε)"),
                Formula::SeedCode => format!("(√({v}·n/(n−1)) + ε)"),
                _ => format!("√({v} + ε)"),
            };
            format!("x̂ = {centred} / {divisor}{after}")
        }
        (MatrixTensor::Normalized, NormKind::Rms) => "x̂ = x / rms".to_string(),
        (MatrixTensor::Normalized, NormKind::Batch) if m.running => {
            "x̂ = (x − running mean) / √(running var + ε)".to_string()
        }
        (MatrixTensor::Normalized, _) => "x̂ = (x − μ) / √(σ² + ε)".to_string(),
        (MatrixTensor::Output, NormKind::Rms) => "y = γx̂".to_string(),
        (MatrixTensor::Output, _) => "y = γx̂ + β".to_string(),
    }
}
