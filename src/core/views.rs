//! Chart data beyond the per-layer [`crate::Stats`]: the matrix a layer
//! normalizes (with its statistic sets) and the decision regions in the plane.

use serde::{Deserialize, Serialize};

use crate::core::config::{Formula, NormKind, Position};
use crate::core::data::Data;
use crate::core::network::{Activations, Block, Network, Wiring};
use crate::core::norm::Pass;

/// Which tensor a block hands to its normalization (see the wiring table in
/// `network.rs`). Under `norm=none` it is the tensor a norm *would* receive
/// there, which passes through unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NormInput {
    /// Plain block, position before: `a = h W^T + b`, the Linear output.
    Linear,
    /// Plain block, position after: `phi(a)`, the activation output.
    Activation,
    /// Residual pre: `h`, the block input (the residual stream).
    BlockInput,
    /// Residual post: `h + phi(a)`, the residual sum.
    ResidualSum,
}

impl NormInput {
    /// The tensor as a formula, e.g. "a = hWᵀ + b".
    pub fn formula(self) -> &'static str {
        match self {
            NormInput::Linear => "a = hWᵀ + b",
            NormInput::Activation => "φ(a)",
            NormInput::BlockInput => "h",
            NormInput::ResidualSum => "h + φ(a)",
        }
    }

    /// The tensor in words, e.g. "the Linear output".
    pub fn words(self) -> &'static str {
        match self {
            NormInput::Linear => "the Linear output",
            NormInput::Activation => "the activation output",
            NormInput::BlockInput => "the block input (residual stream)",
            NormInput::ResidualSum => "the residual sum",
        }
    }
}

/// The `rows x cols` input x of one layer's normalization in the pass the
/// statistics come from (the training step, or a probe pass),
/// its normalized value x̂ and its output y = γx̂ + β (RMSNorm: γx̂), and the
/// mean and divisor `sqrt(var + eps)` (RMSNorm: `sqrt(mean(x^2) + eps)`) of
/// every set of entries that shares them: one per column for BatchNorm, one per
/// row (LayerNorm, RMSNorm) or per row and group (GroupNorm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerMatrix {
    pub layer: usize,
    pub rows: usize,
    pub cols: usize,
    /// Which tensor `values` is.
    pub input: NormInput,
    /// x, the normalization's input.
    pub values: Vec<f32>,
    /// x̂ and y, `rows x cols` each; empty under `norm=none`.
    pub x_hat: Vec<f32>,
    pub output: Vec<f32>,
    pub kind: NormKind,
    /// How x̂ was computed; batch_axes and seed_formula make LayerNorm's sets columns.
    pub formula: Formula,
    pub groups: usize,
    pub set_mean: Vec<f32>,
    pub set_divisor: Vec<f32>,
    /// Whether BatchNorm used running statistics (eval mode).
    pub running: bool,
}

impl LayerMatrix {
    /// The matrix of hidden layer `layer` (1-based) of `acts`.
    pub(crate) fn of(layer: usize, block: &Block, acts: &Activations) -> LayerMatrix {
        let (cols, rows) = (block.norm.features, acts.rows);
        let a = &acts.blocks[layer - 1];
        // The output is read only where the norm is not `none`: with `none`,
        // a plain block before phi does not write `act_in` (`Block::phi_input`).
        let (input, source, output): (_, &[f32], &[f32]) = match block.wiring {
            Wiring::Plain(Position::Before) => (NormInput::Linear, &a.pre, &a.act_in),
            Wiring::Plain(Position::After) => (NormInput::Activation, &a.act_out, &a.out),
            Wiring::Pre => (
                NormInput::BlockInput,
                acts.block_input(layer - 1),
                &a.residual_buf,
            ),
            Wiring::Post => (NormInput::ResidualSum, &a.residual_buf, &a.out),
        };
        let n = rows * cols;
        let normalized = block.norm.kind != NormKind::None;
        let (x_hat, output) = match normalized {
            true => (a.norm.x_hat()[..n].to_vec(), output[..n].to_vec()),
            false => (Vec::new(), Vec::new()),
        };
        let (set_mean, set_divisor) = a.norm.set_stats(block.norm.kind);
        LayerMatrix {
            layer,
            rows,
            cols,
            input,
            values: source[..n].to_vec(),
            x_hat,
            output,
            kind: block.norm.kind,
            formula: block.norm.formula,
            groups: block.norm.groups,
            set_mean,
            set_divisor,
            running: !a.norm.batch_stats(),
        }
    }

    /// The `rows x cols` values of `tensor`; None where it does not exist
    /// (x̂ and y under `norm=none`).
    pub fn tensor(&self, tensor: MatrixTensor) -> Option<&[f32]> {
        let values = match tensor {
            MatrixTensor::Input => &self.values,
            MatrixTensor::Normalized => &self.x_hat,
            MatrixTensor::Output => &self.output,
        };
        (values.len() >= self.rows * self.cols).then_some(values.as_slice())
    }
}

/// Which of a [`LayerMatrix`]'s tensors a chart shows: x, x̂ or γx̂ + β.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatrixTensor {
    #[default]
    Input,
    Normalized,
    Output,
}

/// The rectangle of the input plane a decision grid covers: `x_range` by
/// `y_range`, each `(lo, hi)` with `lo < hi`, finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Extent {
    pub x_range: (f32, f32),
    pub y_range: (f32, f32),
}

/// The largest coordinate an [`Extent`] may reach: far beyond any dataset
/// (their points lie within a few units of the origin, noise included).
const EXTENT_LIMIT: f32 = 1e4;

impl Extent {
    /// The 2-D points of `data` padded by a tenth of their span on each side
    /// (non-finite coordinates left out); None for data that is not 2-D.
    pub fn of(data: &Data) -> Option<Extent> {
        if data.dim != 2 {
            return None;
        }
        let bounds = |axis: usize| {
            let values = data
                .x
                .iter()
                .skip(axis)
                .step_by(2)
                .filter(|v| v.is_finite());
            let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
            if lo > hi {
                return (-1.0, 1.0); // no finite point
            }
            let pad = 0.1 * (hi - lo).max(1e-3);
            (lo - pad, hi + pad)
        };
        Some(Extent {
            x_range: bounds(0),
            y_range: bounds(1),
        })
    }

    /// The smallest extent holding both: what a comparison draws A's and B's
    /// decision regions over, so that equal pixels are equal inputs.
    pub fn union(self, other: Extent) -> Extent {
        let join = |a: (f32, f32), b: (f32, f32)| (a.0.min(b.0), a.1.max(b.1));
        Extent {
            x_range: join(self.x_range, other.x_range),
            y_range: join(self.y_range, other.y_range),
        }
    }

    /// `[x_lo, x_hi, y_lo, y_hi]`, as the page passes it.
    pub fn to_array(self) -> [f32; 4] {
        [
            self.x_range.0,
            self.x_range.1,
            self.y_range.0,
            self.y_range.1,
        ]
    }

    /// The extent of `[x_lo, x_hi, y_lo, y_hi]`; refuses another length, a
    /// non-finite or reversed range, or a coordinate beyond ±10⁴.
    pub fn from_slice(values: &[f32]) -> Result<Extent, String> {
        let &[x0, x1, y0, y1] = values else {
            return Err(format!(
                "a decision extent is 4 numbers (x_lo, x_hi, y_lo, y_hi), got {}",
                values.len()
            ));
        };
        let ok = |lo: f32, hi: f32| {
            lo.is_finite() && hi.is_finite() && lo < hi && lo.abs().max(hi.abs()) <= EXTENT_LIMIT
        };
        if !(ok(x0, x1) && ok(y0, y1)) {
            return Err(format!(
                "a decision extent needs finite ranges with lo < hi within ±{EXTENT_LIMIT}, got x {x0}..{x1}, y {y0}..{y1}"
            ));
        }
        Ok(Extent {
            x_range: (x0, x1),
            y_range: (y0, y1),
        })
    }
}

/// P(class 1) over a `resolution x resolution` grid (row 0 at `y_max`), with the
/// dataset's points for the overlay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionGrid {
    pub resolution: usize,
    pub x_range: (f32, f32),
    pub y_range: (f32, f32),
    pub probability: Vec<f32>,
}

/// Rows of one inference chunk.
const CHUNK: usize = 256;

impl DecisionGrid {
    /// The grid over `extent` for `network` in eval mode ([`Pass::Infer`]),
    /// run in chunks of [`CHUNK`] points through the one forward pass into
    /// `acts` (reused: after the first frame, no buffer grows).
    pub(crate) fn compute(
        network: &mut Network,
        acts: &mut Activations,
        extent: Extent,
        resolution: usize,
    ) -> DecisionGrid {
        let Extent { x_range, y_range } = extent;
        let cells = resolution * resolution;
        let step = |range: (f32, f32), i: usize| {
            range.0 + (range.1 - range.0) * (i as f32 + 0.5) / resolution as f32
        };
        // Cell i is (column i % resolution, row i / resolution).
        let point = |i: usize| {
            let (row, col) = (i / resolution, i % resolution);
            [step(x_range, col), step(y_range, resolution - 1 - row)]
        };
        let mut chunk = [0.0f32; CHUNK * 2];
        let mut probability = Vec::with_capacity(cells);
        for first in (0..cells).step_by(CHUNK) {
            let rows = CHUNK.min(cells - first);
            for (i, xy) in chunk.chunks_exact_mut(2).take(rows).enumerate() {
                xy.copy_from_slice(&point(first + i));
            }
            let logits = network.forward_with(acts, &chunk, rows, Pass::Infer);
            for z in logits.chunks_exact(2) {
                probability.push(1.0 / (1.0 + (z[0] - z[1]).exp()));
            }
        }
        DecisionGrid {
            resolution,
            x_range,
            y_range,
            probability,
        }
    }
}
