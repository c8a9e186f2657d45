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
//! Beside them, two collapse measures of h over the batch (`collapse.rs`): the
//! spread across samples and the mean cosine between samples.

use serde::{Deserialize, Serialize};

use crate::core::activation::Activation;
use crate::core::collapse::{sample_cosine, sample_spread};
use crate::core::heldout::TestResult;
use crate::core::network::{BlockActs, BlockGrads, Network};
use crate::core::theory::Theory;

pub use crate::core::histogram::{Histogram, BINS};
pub use crate::core::history::{History, HISTORY_CAP};
/// Decades below the largest |gradient| that the symlog histogram resolves.
const SYMLOG_DECADES: f32 = 6.0;

/// Moments and extremes of one quantity in one layer (finite values only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub mean: f32,
    pub std: f32,
    pub min: f32,
    pub max: f32,
    pub nonfinite: usize,
    pub histogram: Histogram,
}

impl Summary {
    fn of(values: &[f32]) -> Summary {
        // LANES independent f64 sums, so consecutive adds do not wait on each
        // other, and min/max by comparison (f32::min is a libm call in wasm):
        // 3x faster on the 12M values a depth-64 probe measures.
        const LANES: usize = 4;
        let (mut n, mut sums, mut squares) = (0usize, [0.0f64; LANES], [0.0f64; LANES]);
        let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
        for chunk in values.chunks(LANES) {
            for (lane, &v) in chunk.iter().enumerate() {
                if v.is_finite() {
                    n += 1;
                    sums[lane] += v as f64;
                    squares[lane] += v as f64 * v as f64;
                    if v < min {
                        min = v;
                    }
                    if v > max {
                        max = v;
                    }
                }
            }
        }
        let (sum, sum_sq): (f64, f64) = (sums.iter().sum(), squares.iter().sum());
        let mean = if n > 0 { sum / n as f64 } else { 0.0 };
        let var = if n > 0 {
            (sum_sq / n as f64 - mean * mean).max(0.0)
        } else {
            0.0
        };
        // With no finite value there are no moments: NaN, as torch's mean/std
        // of an all-NaN tensor (never a finite-looking 0).
        let none = |v: f32| if n > 0 { v } else { f32::NAN };
        Summary {
            count: values.len(),
            mean: none(mean as f32),
            std: none(var.sqrt() as f32),
            min: none(min),
            max: none(max),
            nonfinite: values.len() - n,
            histogram: Histogram::default(),
        }
    }
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
    let summary = Summary::of(values);
    // torch.std of a tensor holding a NaN or an infinity is NaN.
    match summary.nonfinite {
        0 => summary.std,
        _ => f32::NAN,
    }
}

fn ratio(numerator: f32, denominator: f32) -> Option<f32> {
    (denominator > 0.0 && denominator.is_finite()).then(|| numerator / denominator)
}

/// A shared range `[lo, hi]` over the finite extremes of some summaries.
fn shared_range(summaries: &[&Summary]) -> (f32, f32) {
    let lo = summaries
        .iter()
        .filter(|s| s.count > s.nonfinite)
        .map(|s| s.min)
        .fold(f32::INFINITY, f32::min);
    let hi = summaries
        .iter()
        .filter(|s| s.count > s.nonfinite)
        .map(|s| s.max)
        .fold(f32::NEG_INFINITY, f32::max);
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

impl Stats {
    /// Measures the network's buffers (`network.acts`, `network.grads`) after
    /// a forward and backward pass.
    pub fn measure(network: &Network, update_ratio: &[Option<f32>]) -> Vec<LayerStats> {
        let rows = network.rows();
        let (acts, grads) = (&network.acts.blocks, &network.grads.blocks);
        let mut layers: Vec<LayerStats> = network
            .blocks
            .iter()
            .zip(acts.iter().zip(grads))
            .enumerate()
            .map(|(l, (block, (a, g)))| {
                let (width, phi) = (block.linear.fan_out, block.activation);
                let n = rows * width;
                let weight_std = std_of(&block.linear.weight);
                let weight_grad_std = std_of(&g.linear.dweight);
                LayerStats {
                    layer: l + 1,
                    pre: Summary::of(&a.pre[..n]),
                    out: Summary::of(&a.out[..n]),
                    grad: Summary::of(&g.d_out[..n]),
                    grad_pre: Summary::of(&g.d_pre[..n]),
                    grad_symlog: Histogram::default(),
                    sample_spread: sample_spread(&a.out[..n], width),
                    sample_cosine: sample_cosine(&a.out[..n], width),
                    saturated: saturated_share(phi, &a.act_out[..n]),
                    dead: dead_share(phi, &a.act_in[..n], width),
                    weight_std,
                    weight_grad_std,
                    grad_data_ratio: ratio(weight_grad_std, weight_std),
                    update_data_ratio: update_ratio.get(l).copied().flatten(),
                    bias_grad_max: max_abs(&g.linear.dbias),
                }
            })
            .collect();
        type Pick = fn(&mut LayerStats) -> &mut Summary;
        type Source = for<'a> fn(&'a BlockActs, &'a BlockGrads) -> &'a [f32];
        let quantities: [(Pick, Source); 4] = [
            (|s| &mut s.pre, |a, _| &a.pre),
            (|s| &mut s.out, |a, _| &a.out),
            (|s| &mut s.grad, |_, g| &g.d_out),
            (|s| &mut s.grad_pre, |_, g| &g.d_pre),
        ];
        for (pick, values) in quantities {
            let summaries: Vec<Summary> = layers.iter_mut().map(|s| pick(s).clone()).collect();
            let (lo, hi) = shared_range(&summaries.iter().collect::<Vec<_>>());
            for (stats, (block, (a, g))) in layers
                .iter_mut()
                .zip(network.blocks.iter().zip(acts.iter().zip(grads)))
            {
                let n = rows * block.linear.fan_out;
                pick(stats).histogram = Histogram::fill(&values(a, g)[..n], lo, hi, 0.0);
            }
        }
        let max_abs = layers
            .iter()
            .filter(|s| s.grad.count > s.grad.nonfinite)
            .map(|s| s.grad.min.abs().max(s.grad.max.abs()))
            .fold(0.0f32, f32::max);
        let linthresh = if max_abs > 0.0 {
            max_abs * 10f32.powf(-SYMLOG_DECADES)
        } else {
            1e-12
        };
        let top = Histogram::symlog(max_abs.max(linthresh), linthresh);
        for (stats, (block, g)) in layers.iter_mut().zip(network.blocks.iter().zip(grads)) {
            let n = rows * block.linear.fan_out;
            stats.grad_symlog = Histogram::fill(&g.d_out[..n], -top, top, linthresh);
        }
        layers
    }
}

/// The largest |value|; NaN when any value is NaN (f32::max would skip it).
fn max_abs(values: &[f32]) -> f32 {
    values
        .iter()
        .fold(0.0, |m: f32, v| match v.is_nan() || m.is_nan() {
            true => f32::NAN,
            false => m.max(v.abs()),
        })
}

fn saturated_share(activation: Activation, outputs: &[f32]) -> Option<f32> {
    activation.saturated(0.0)?;
    let saturated = outputs
        .iter()
        .filter(|&&y| activation.saturated(y) == Some(true))
        .count();
    Some(saturated as f32 / outputs.len().max(1) as f32)
}

fn dead_share(activation: Activation, inputs: &[f32], width: usize) -> Option<f32> {
    if !activation.can_die() {
        return None;
    }
    let dead = (0..width)
        .filter(|&j| inputs.iter().skip(j).step_by(width).all(|&v| v <= 0.0))
        .count();
    Some(dead as f32 / width as f32)
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
