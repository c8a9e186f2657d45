//! Per-layer statistics of one forward and backward pass (the last training
//! step's, before its update, or a probe pass's: `scope.rs`), and the bounded
//! training history.
//!
//! For every hidden layer and each of `pre` (a, the Linear output), `out` (h),
//! `grad` (dL/dh) and `grad_pre` (dL/da) a [`Summary`]: count, mean, population
//! std, min, max and non-finite count over the finite values, and a histogram.
//! All layers of one quantity share the histogram range, so the charts can put
//! them side by side. Gradients also get a symmetric-log histogram
//! (`t(v) = sign(v) log10(1 + |v|/c)`) since they span orders of magnitude.
//! The histograms of `pre` and `grad_pre`, which no chart draws, are filled
//! only for a snapshot ([`Detail`]).
//! Beside them, two collapse measures of h over the batch (`collapse.rs`): the
//! spread across samples and the mean cosine between samples.

use serde::{Deserialize, Serialize};

use crate::core::heldout::TestResult;
use crate::core::theory::Theory;

mod measure;
mod moments;

pub use crate::core::histogram::{Histogram, BINS};
pub use crate::core::history::{History, HISTORY_CAP};
/// Decades below the largest |gradient| that the symlog histogram resolves.
const SYMLOG_DECADES: f32 = 6.0;

/// Which histograms [`Stats::measure`] fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Those the charts draw: `out`, `grad` and `grad_symlog`. The histograms
    /// of `pre` and `grad_pre` stay empty (no bins), their moments are
    /// measured. What `Scope::stats` and every frame hold: the two cost a
    /// fifth of a frame's statistics at depth 64 x 256 and at the bench's M.
    Charts,
    /// Every histogram: a snapshot's (docs/snapshot.md).
    All,
}

/// Moments and extremes of one quantity in one layer (finite values only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub mean: f32,
    pub std: f32,
    pub min: f32,
    pub max: f32,
    pub nonfinite: usize,
    /// Empty (no bins, range 0) for `pre` and `grad_pre` unless measured with
    /// [`Detail::All`].
    pub histogram: Histogram,
}

/// Everything measured about one hidden layer (1-based `layer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    pub layer: usize,
    pub pre: Summary,
    pub out: Summary,
    pub grad: Summary,
    pub grad_pre: Summary,
    /// The gradient histogram on the symlog scale.
    pub grad_symlog: Histogram,
    /// Mean over units of each unit's std of h over the batch: the spread due
    /// to the input, which `out.std` mixes with the spread across units (see
    /// `collapse.rs`; None at batch 1).
    pub sample_spread: Option<f32>,
    /// Mean cosine similarity between the batch's rows of h (None at batch 1).
    pub sample_cosine: Option<f32>,
    /// Share of phi outputs that are saturated (tanh, sigmoid), else None.
    pub saturated: Option<f32>,
    /// Share of units whose phi input is <= 0 for every sample (relu,
    /// leaky_relu), else None.
    pub dead: Option<f32>,
    pub weight_std: f32,
    pub weight_grad_std: f32,
    /// std(dW) / std(W).
    pub grad_data_ratio: Option<f32>,
    /// std(last applied update) / std(W); None before the first step.
    pub update_data_ratio: Option<f32>,
    /// max |dL/db| over the layer's Linear bias. Zero in exact arithmetic when
    /// a train-mode BatchNorm follows the Linear: its output does not change
    /// when a constant is added to a column, so the bias only adds rounding.
    pub bias_grad_max: f32,
}

/// Where training first produced a non-finite number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    pub step: u64,
    /// 1-based hidden layer, or None when the loss or the head went first.
    pub layer: Option<usize>,
}

/// The statistics of one pass plus the global training state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub step: u64,
    /// In JSON a number, or "NaN"/"inf" when non-finite (`loss.rs`).
    #[serde(with = "crate::core::loss::text_when_nonfinite")]
    pub loss: f32,
    /// torch's argmax accuracy, also when logits are non-finite (`loss.rs`).
    pub accuracy: f32,
    /// Probe-batch logits that are NaN or infinite: when > 0 the loss is NaN
    /// or inf and the accuracy comes from non-finite logits.
    pub nonfinite_logits: usize,
    /// Non-finite values over all layers and quantities.
    pub nonfinite: usize,
    pub diverged: Option<Divergence>,
    /// The latest evaluation of the held-out split in eval mode (`heldout.rs`).
    pub test: Option<TestResult>,
    /// The mean-field prediction for this state, or why there is none
    /// (`theory.rs`); None only in a `Stats::default()`.
    pub theory: Option<Theory>,
    pub layers: Vec<LayerStats>,
    #[serde(skip)]
    pub history: History,
}

/// Population standard deviation; NaN when any value is not finite.
pub fn std_of(values: &[f32]) -> f32 {
    // torch.std of a tensor holding a NaN or an infinity is NaN.
    finite_std(values).unwrap_or(f32::NAN)
}

/// Population standard deviation when every value is finite, else None: one
/// pass that answers both (the training step's std(W) and its divergence
/// check, `scope.rs`).
pub fn finite_std(values: &[f32]) -> Option<f32> {
    let summary = moments::summary_of(values);
    (summary.nonfinite == 0).then_some(summary.std)
}

fn ratio(numerator: f32, denominator: f32) -> Option<f32> {
    (denominator > 0.0 && denominator.is_finite()).then(|| numerator / denominator)
}

/// A shared range `[lo, hi]` over the finite extremes of some summaries.
fn shared_range<'a>(summaries: impl Iterator<Item = &'a Summary>) -> (f32, f32) {
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for s in summaries.filter(|s| s.count > s.nonfinite) {
        lo = lo.min(s.min);
        hi = hi.max(s.max);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (-1.0, 1.0);
    }
    if (hi as f64 - lo as f64) <= f32::EPSILON as f64 * lo.abs().max(hi.abs()).max(1e-30) as f64 {
        // A single value: pad it, staying within the finite f32 range.
        let pad = (lo.abs() * 0.1).max(1e-6);
        return ((lo - pad).max(f32::MIN), (hi + pad).min(f32::MAX));
    }
    (lo, hi)
}

/// The columns of [`Stats::to_csv`], with what each holds (also in the README).
pub const CSV_COLUMNS: &[(&str, &str)] = &[
    ("layer", "hidden layer, 1-based"),
    ("pre_mean", "mean of a = h W^T + b"),
    ("pre_std", "population std of a"),
    ("out_mean", "mean of the layer output h"),
    ("out_std", "population std of h"),
    ("out_min", "minimum of h"),
    ("out_max", "maximum of h"),
    (
        "sample_spread",
        "mean over units of each unit's std of h over the batch (empty at batch 1)",
    ),
    (
        "sample_cosine",
        "mean cosine similarity between the samples' rows of h (empty at batch 1)",
    ),
    ("grad_mean", "mean of dL/dh"),
    ("grad_std", "population std of dL/dh"),
    ("grad_pre_std", "population std of dL/da"),
    ("nonfinite", "non-finite values in a, h, dL/dh and dL/da"),
    (
        "saturated",
        "share of saturated tanh/sigmoid outputs (empty otherwise)",
    ),
    (
        "dead",
        "share of ReLU units that are off for the whole batch (empty otherwise)",
    ),
    ("weight_std", "std of the layer's weight"),
    ("weight_grad_std", "std of dL/dW"),
    ("grad_data_ratio", "std(dL/dW) / std(W)"),
    (
        "update_data_ratio",
        "std(last update) / std(W) (empty before the first step)",
    ),
    ("bias_grad_max", "max |dL/db| of the layer's Linear bias"),
];

impl Stats {
    /// One CSV row per hidden layer with a header row; columns in [`CSV_COLUMNS`].
    pub fn to_csv(&self) -> String {
        let header: Vec<&str> = CSV_COLUMNS.iter().map(|(name, _)| *name).collect();
        let mut out = header.join(",") + "\n";
        let opt = |v: Option<f32>| v.map(|v| v.to_string()).unwrap_or_default();
        for s in &self.layers {
            let nonfinite =
                s.pre.nonfinite + s.out.nonfinite + s.grad.nonfinite + s.grad_pre.nonfinite;
            let row = [
                s.layer.to_string(),
                s.pre.mean.to_string(),
                s.pre.std.to_string(),
                s.out.mean.to_string(),
                s.out.std.to_string(),
                s.out.min.to_string(),
                s.out.max.to_string(),
                opt(s.sample_spread),
                opt(s.sample_cosine),
                s.grad.mean.to_string(),
                s.grad.std.to_string(),
                s.grad_pre.std.to_string(),
                nonfinite.to_string(),
                opt(s.saturated),
                opt(s.dead),
                s.weight_std.to_string(),
                s.weight_grad_std.to_string(),
                opt(s.grad_data_ratio),
                opt(s.update_data_ratio),
                s.bias_grad_max.to_string(),
            ];
            out += &row.join(",");
            out.push('\n');
        }
        out
    }
}
