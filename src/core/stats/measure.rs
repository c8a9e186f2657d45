//! [`Stats::measure`]: the per-layer statistics of the pass in a network's
//! buffers, in two passes over each buffer.
//!
//! 1. **Moments**: count, sum, sum of squares, min, max and non-finite count
//!    of `a`, `h`, `dL/dh` and `dL/da` in one loop each (`moments.rs`),
//!    beside the dead and saturated shares and the collapse measures.
//! 2. **Histograms**, once every layer's extremes are known, since the layers
//!    of one quantity share a range: the linear histograms (of `h` and
//!    `dL/dh` only, unless [`Detail::All`]), and for `dL/dh` the linear and
//!    the symlog histogram in the same loop.
//!    The symlog bins come from a table of f32 bit patterns
//!    (`histogram/symlog.rs`); where a quantity has no non-finite value its
//!    linear bins skip the checks.

use super::moments::summary_of;
use super::{Detail, LayerStats, Stats, Summary, SYMLOG_DECADES};
use crate::core::activation::Activation;
use crate::core::collapse::{sample_cosine, sample_spread};
use crate::core::histogram::{Counts, Histogram, LinearBins, SymlogBins, SymlogTable};
use crate::core::network::Network;

impl Stats {
    /// Measures the network's buffers (`network.acts`, `network.grads`) after
    /// a forward and backward pass (module docs). `update_ratio` and
    /// `weight_std` hold per layer what the training step already knows of
    /// the network's current parameters (`scope.rs`); a layer they leave out
    /// or None has its weight's std measured here. `detail` says which
    /// histograms to fill.
    pub fn measure(
        network: &Network,
        update_ratio: &[Option<f32>],
        weight_std: &[Option<f32>],
        detail: Detail,
    ) -> Vec<LayerStats> {
        let rows = network.rows();
        let (acts, grads) = (&network.acts.blocks, &network.grads.blocks);
        let layers = network.blocks.iter().zip(acts.iter().zip(grads));
        // The buffers of each layer: a, h, dL/dh, dL/da.
        let buffers: Vec<[&[f32]; 4]> = layers
            .clone()
            .map(|(block, (a, g))| {
                let n = rows * block.linear.fan_out;
                [&a.pre[..n], &a.out[..n], &g.d_out[..n], &g.d_pre[..n]]
            })
            .collect();
        let mut stats: Vec<LayerStats> = layers
            .zip(&buffers)
            .enumerate()
            .map(|(l, ((block, (a, g)), &[pre, out, grad, grad_pre]))| {
                let (width, phi) = (block.linear.fan_out, block.activation);
                let n = rows * width;
                let weight_std = match weight_std.get(l).copied().flatten() {
                    Some(std) => std,
                    None => super::std_of(&block.linear.weight),
                };
                let weight_grad_std = super::std_of(&g.linear.dweight);
                LayerStats {
                    layer: l + 1,
                    pre: summary_of(pre),
                    out: summary_of(out),
                    grad: summary_of(grad),
                    grad_pre: summary_of(grad_pre),
                    grad_symlog: Histogram::default(),
                    sample_spread: sample_spread(out, width),
                    sample_cosine: sample_cosine(out, width),
                    saturated: saturated_share(phi, &block.phi_output(a)[..n]),
                    dead: dead_share(phi, &block.phi_input(a)[..n], width),
                    weight_std,
                    weight_grad_std,
                    grad_data_ratio: super::ratio(weight_grad_std, weight_std),
                    update_data_ratio: update_ratio.get(l).copied().flatten(),
                    bias_grad_max: max_abs(&g.linear.dbias),
                }
            })
            .collect();
        let range = |pick: fn(&LayerStats) -> &Summary| {
            let (lo, hi) = super::shared_range(stats.iter().map(pick));
            (LinearBins::new(lo, hi), lo, hi)
        };
        let ranges = [
            range(|s| &s.pre),
            range(|s| &s.out),
            range(|s| &s.grad),
            range(|s| &s.grad_pre),
        ];
        let (symlog, top, linthresh) = symlog_bins(&stats);
        let table = SymlogTable::new(&symlog);
        for (layer, values) in stats.iter_mut().zip(&buffers) {
            let summaries = [
                &mut layer.pre,
                &mut layer.out,
                &mut layer.grad,
                &mut layer.grad_pre,
            ];
            // No chart draws the histograms of pre and grad_pre.
            let all = detail == Detail::All;
            let fill = [all, true, true, all];
            for (q, summary) in summaries.into_iter().enumerate() {
                if !fill[q] {
                    continue;
                }
                let (bins, lo, hi) = ranges[q];
                let finite = summary.nonfinite == 0;
                let linear = |counts: &mut Counts, chunk: &[f32]| match finite {
                    true => counts.add_within(chunk, &bins),
                    false => counts.add(chunk, |v| bins.slot(v)),
                };
                let mut counts = Counts::default();
                if q == 2 {
                    // dL/dh: the linear and the symlog histogram in one loop.
                    let mut logs = Counts::default();
                    for chunk in values[q].chunks(1024) {
                        linear(&mut counts, chunk);
                        match &table {
                            Some(table) => logs.add(chunk, |v| table.slot(v)),
                            None => logs.add(chunk, |v| symlog.slot(v)),
                        }
                    }
                    layer.grad_symlog = logs.histogram(-top, top, linthresh);
                } else {
                    linear(&mut counts, values[q]);
                }
                summary.histogram = counts.histogram(lo, hi, 0.0);
            }
        }
        stats
    }
}

/// The symlog bins of the gradients, shared by all layers: from `-top` to
/// `top` in transformed units, resolving [`SYMLOG_DECADES`] below the
/// largest finite |dL/dh|.
fn symlog_bins(stats: &[LayerStats]) -> (SymlogBins, f32, f32) {
    let max_abs = stats
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
    (SymlogBins::new(-top, top, linthresh), top, linthresh)
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

/// Share of units whose input is <= 0 in every row, in one row-major pass:
/// a unit is alive once one of its inputs is not <= 0 (NaN included).
fn dead_share(activation: Activation, inputs: &[f32], width: usize) -> Option<f32> {
    if !activation.can_die() {
        return None;
    }
    let mut alive = vec![false; width];
    // Usually every unit is alive within a few rows: then stop looking.
    for rows in inputs.chunks(8 * width) {
        for row in rows.chunks_exact(width) {
            for (alive, &v) in alive.iter_mut().zip(row) {
                *alive |= v > 0.0 || v.is_nan();
            }
        }
        if alive.iter().all(|&alive| alive) {
            break;
        }
    }
    let dead = alive.iter().filter(|&&alive| !alive).count();
    Some(dead as f32 / width as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units dead in every row, alive in one, and NaN (not <= 0: alive).
    #[test]
    fn dead_units_by_hand() {
        let inputs = [-1.0, 0.0, 2.0, f32::NAN, -3.0, -0.0, -1.0, -2.0];
        assert_eq!(dead_share(Activation::Relu, &inputs, 4), Some(0.5));
        assert_eq!(dead_share(Activation::Tanh, &inputs, 4), None);
    }
}
