//! [`Stats::measure`]: the per-layer statistics of the pass in a network's
//! buffers, in two passes over each buffer.
//!
//! 1. **Moments**: count, sum, sum of squares, min, max and non-finite count
//!    of `a`, `h`, `dL/dh` and `dL/da` in one loop each ([`summary_of`]),
//!    beside the dead and saturated shares and the collapse measures.
//! 2. **Histograms**, once every layer's extremes are known, since the layers
//!    of one quantity share a range: the linear histograms, and for `dL/dh`
//!    the linear and the symlog histogram in the same loop.
//!
//! The sums run in four interleaved f64 lanes (value `i` into lane `i % 4`,
//! added in order), so that consecutive adds do not wait on each other; the
//! numbers are the same, bit for bit, as a loop that adds lane by lane.

use super::{LayerStats, Stats, Summary, SYMLOG_DECADES};
use crate::core::activation::Activation;
use crate::core::collapse::{sample_cosine, sample_spread};
use crate::core::histogram::{Counts, Histogram, LinearBins, SymlogBins};
use crate::core::network::Network;

/// Moments and extremes of the finite `values` (its histogram left empty).
pub(super) fn summary_of(values: &[f32]) -> Summary {
    const LANES: usize = 4;
    let (mut counts, mut sums, mut squares) = ([0usize; LANES], [0.0f64; LANES], [0.0f64; LANES]);
    let (mut mins, mut maxs) = ([f32::INFINITY; LANES], [f32::NEG_INFINITY; LANES]);
    // Branch-free: a non-finite value adds 0 (x + 0.0 == x for the sums here,
    // which start at +0) and is never below the min nor above the max
    // (compared, not f32::min, which is a libm call in wasm).
    let mut add = |lane: usize, v: f32| {
        let finite = v.is_finite();
        let x = if finite { v as f64 } else { 0.0 };
        counts[lane] += usize::from(finite);
        sums[lane] += x;
        squares[lane] += x * x;
        let (low, high) = if finite {
            (v, v)
        } else {
            (f32::INFINITY, f32::NEG_INFINITY)
        };
        mins[lane] = if low < mins[lane] { low } else { mins[lane] };
        maxs[lane] = if high > maxs[lane] { high } else { maxs[lane] };
    };
    let mut chunks = values.chunks_exact(LANES);
    for chunk in &mut chunks {
        // A constant trip count: unrolled, the lanes stay in registers.
        #[allow(clippy::needless_range_loop)]
        for lane in 0..LANES {
            add(lane, chunk[lane]);
        }
    }
    for (lane, &v) in chunks.remainder().iter().enumerate() {
        add(lane, v);
    }
    let min = first_equal(
        values,
        mins.into_iter()
            .fold(f32::INFINITY, |m, v| if v < m { v } else { m }),
    );
    let max = first_equal(
        values,
        maxs.into_iter()
            .fold(f32::NEG_INFINITY, |m, v| if v > m { v } else { m }),
    );
    let n: usize = counts.iter().sum();
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

/// `extreme`, with the sign of the first zero in `values` when it is zero:
/// a min or max taken in order keeps the first of equal values, and 0.0 and
/// -0.0 are the only equal values that print differently.
fn first_equal(values: &[f32], extreme: f32) -> f32 {
    match extreme == 0.0 {
        true => values
            .iter()
            .copied()
            .find(|&v| v == 0.0)
            .unwrap_or(extreme),
        false => extreme,
    }
}

impl Stats {
    /// Measures the network's buffers (`network.acts`, `network.grads`) after
    /// a forward and backward pass (module docs).
    pub fn measure(network: &Network, update_ratio: &[Option<f32>]) -> Vec<LayerStats> {
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
                let weight_std = super::std_of(&block.linear.weight);
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
                    saturated: saturated_share(phi, &a.act_out[..n]),
                    dead: dead_share(phi, &a.act_in[..n], width),
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
        for (layer, values) in stats.iter_mut().zip(&buffers) {
            let summaries = [
                &mut layer.pre,
                &mut layer.out,
                &mut layer.grad,
                &mut layer.grad_pre,
            ];
            for (q, summary) in summaries.into_iter().enumerate() {
                let (bins, lo, hi) = ranges[q];
                let mut counts = Counts::default();
                if q == 2 {
                    // dL/dh: the linear and the symlog histogram in one loop.
                    let mut logs = Counts::default();
                    for chunk in values[q].chunks(1024) {
                        counts.add(chunk, |v| bins.bin(v));
                        logs.add(chunk, |v| symlog.bin(v));
                    }
                    layer.grad_symlog = logs.histogram(-top, top, linthresh);
                } else {
                    counts.add(values[q], |v| bins.bin(v));
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
    for row in inputs.chunks_exact(width) {
        for (alive, &v) in alive.iter_mut().zip(row) {
            *alive |= v > 0.0 || v.is_nan();
        }
    }
    let dead = alive.iter().filter(|&&alive| !alive).count();
    Some(dead as f32 / width as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-loop summary equals the branching loop it replaced, bit for
    /// bit: lane `i % 4` sums, extremes in order (the first of 0.0 and -0.0).
    #[test]
    fn the_summary_equals_an_in_order_loop() {
        let mut values: Vec<f32> = (0..1003)
            .map(|i| ((i as f32) * 0.618).sin() * 10f32.powi(i % 7 - 3))
            .collect();
        values[5] = f32::NAN;
        values[17] = f32::INFINITY;
        values[400] = f32::NEG_INFINITY;
        let positive: Vec<f32> = values.iter().map(|v| v.abs()).collect();
        let zeros = [vec![3.0, -0.0, 2.0, 0.0, 0.0], vec![0.0; 9]].concat();
        let negative = [vec![-1.0, 0.0, -0.0], vec![-2.0; 6]].concat();
        for values in [values, positive, zeros, negative, vec![], vec![f32::NAN; 3]] {
            let got = summary_of(&values);
            let (mut n, mut sums, mut squares) = (0, [0.0f64; 4], [0.0f64; 4]);
            let (mut min, mut max) = (f32::INFINITY, f32::NEG_INFINITY);
            for (i, &v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
                n += 1;
                sums[i % 4] += v as f64;
                squares[i % 4] += v as f64 * v as f64;
                if v < min {
                    min = v;
                }
                if v > max {
                    max = v;
                }
            }
            let mean = sums.iter().sum::<f64>() / n as f64;
            let var = (squares.iter().sum::<f64>() / n as f64 - mean * mean).max(0.0);
            let bits = |v: f32| {
                if n > 0 {
                    v.to_bits()
                } else {
                    f32::NAN.to_bits()
                }
            };
            assert_eq!(got.mean.to_bits(), bits(mean as f32));
            assert_eq!(got.std.to_bits(), bits(var.sqrt() as f32));
            assert_eq!(
                (got.min.to_bits(), got.max.to_bits()),
                (bits(min), bits(max))
            );
            assert_eq!((got.count, got.nonfinite), (values.len(), values.len() - n));
        }
    }

    /// Units dead in every row, alive in one, and NaN (not <= 0: alive).
    #[test]
    fn dead_units_by_hand() {
        let inputs = [-1.0, 0.0, 2.0, f32::NAN, -3.0, -0.0, -1.0, -2.0];
        assert_eq!(dead_share(Activation::Relu, &inputs, 4), Some(0.5));
        assert_eq!(dead_share(Activation::Tanh, &inputs, 4), None);
    }
}
