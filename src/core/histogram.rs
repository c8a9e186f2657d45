//! Histograms of the statistics: `BINS` equal bins over a shared range, of the
//! values themselves or, for gradients, of their symmetric log
//! `t(v) = sign(v) log10(1 + |v|/c)`, which resolves many decades at once.

use serde::{Deserialize, Serialize};

/// Bins of every histogram.
pub const BINS: usize = 40;

/// Counts of values in `BINS` equal bins over `[lo, hi]` (of the transformed
/// value for a symlog histogram, where `linthresh` is c; 0 for linear). Values
/// outside the range count in the first or last bin.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub lo: f32,
    pub hi: f32,
    pub linthresh: f32,
    pub counts: Vec<u32>,
}

impl Histogram {
    /// The symlog transform with threshold `c`.
    pub fn symlog(v: f32, c: f32) -> f32 {
        v.signum() * (1.0 + v.abs() / c).log10()
    }

    /// The inverse of [`Histogram::symlog`].
    pub fn symlog_inverse(t: f32, c: f32) -> f32 {
        t.signum() * c * (10f32.powf(t.abs()) - 1.0)
    }

    /// The histogram of the finite `values` (the statistics fill theirs with
    /// [`Counts`] directly, two histograms per loop where they can).
    #[cfg(test)]
    pub(crate) fn fill(values: &[f32], lo: f32, hi: f32, linthresh: f32) -> Histogram {
        let mut counts = Counts::default();
        if linthresh > 0.0 {
            let bins = SymlogBins::new(lo, hi, linthresh);
            counts.add(values, |v| bins.bin(v));
        } else {
            let bins = LinearBins::new(lo, hi);
            counts.add(values, |v| bins.bin(v));
        }
        counts.histogram(lo, hi, linthresh)
    }
}

/// Equal bins over `[lo, hi]`, in f64: near f32::MAX, `hi - lo` overflows
/// f32. The `as usize` cast saturates (negative and NaN give 0), so the
/// clamp covers both ends.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinearBins {
    lo: f64,
    bins_per_unit: f64,
}

impl LinearBins {
    pub(crate) fn new(lo: f32, hi: f32) -> LinearBins {
        LinearBins {
            lo: lo as f64,
            bins_per_unit: BINS as f64 / (hi as f64 - lo as f64),
        }
    }

    /// The bin of a finite `v`.
    #[inline(always)]
    pub(crate) fn bin(&self, v: f32) -> usize {
        (((v as f64 - self.lo) * self.bins_per_unit) as usize).min(BINS - 1)
    }
}

/// Symlog bins without a logarithm per value: symlog is increasing, so the
/// inner bin edges are mapped back to values once and each value finds its
/// bin by a branch-free binary search (6 comparisons over 64 padded edges).
/// The edges are kept as the smallest f32 at or above the f64 edge, so that
/// for an f32 value `edge <= v` in f32 exactly when it holds in f64.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SymlogBins {
    edges: [f32; 64],
}

impl SymlogBins {
    pub(crate) fn new(lo: f32, hi: f32, c: f32) -> SymlogBins {
        let width = (hi as f64 - lo as f64) / BINS as f64;
        let c = c as f64;
        let inverse = |t: f64| t.signum() * c * (10f64.powf(t.abs()) - 1.0);
        // Edge i + 1 (1..BINS) at index i; the padding is above every value.
        let mut edges = [f32::INFINITY; 64];
        for (i, edge) in edges.iter_mut().enumerate().take(BINS - 1) {
            *edge = f32_at_or_above(inverse(lo as f64 + (i + 1) as f64 * width));
        }
        SymlogBins { edges }
    }

    /// The bin of a finite `v`: how many inner edges are `<= v`.
    #[inline(always)]
    pub(crate) fn bin(&self, v: f32) -> usize {
        let mut below = 0;
        for half in [32, 16, 8, 4, 2, 1] {
            below += usize::from(self.edges[below + half - 1] <= v) * half;
        }
        below
    }
}

/// The smallest f32 that is `>= x` (x an f64; +inf above the f32 range).
fn f32_at_or_above(x: f64) -> f32 {
    let rounded = x as f32;
    if (rounded as f64) >= x {
        return rounded;
    }
    // One f32 step up (f32::next_up needs Rust 1.86).
    if rounded == f32::NEG_INFINITY {
        f32::MIN
    } else if rounded == 0.0 {
        f32::from_bits(1)
    } else if rounded > 0.0 {
        f32::from_bits(rounded.to_bits() + 1)
    } else {
        f32::from_bits(rounded.to_bits() - 1)
    }
}

/// Bin counts, kept in four interleaved copies so that consecutive values
/// landing in one bin do not wait on each other's increment; summed at the end.
#[derive(Debug, Clone)]
pub(crate) struct Counts([[u32; BINS]; 4]);

impl Default for Counts {
    fn default() -> Counts {
        Counts([[0; BINS]; 4])
    }
}

impl Counts {
    /// Counts the finite `values` in the bins `bin` gives.
    #[inline(always)]
    pub(crate) fn add(&mut self, values: &[f32], bin: impl Fn(f32) -> usize) {
        let mut chunks = values.chunks_exact(4);
        for chunk in &mut chunks {
            for (copy, &v) in self.0.iter_mut().zip(chunk) {
                if v.is_finite() {
                    copy[bin(v)] += 1;
                }
            }
        }
        for &v in chunks.remainder() {
            if v.is_finite() {
                self.0[0][bin(v)] += 1;
            }
        }
    }

    pub(crate) fn histogram(&self, lo: f32, hi: f32, linthresh: f32) -> Histogram {
        let counts = (0..BINS)
            .map(|b| self.0.iter().map(|copy| copy[b]).sum())
            .collect();
        Histogram {
            lo,
            hi,
            linthresh,
            counts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The edge search puts each value in the bin of its transformed value,
    /// `floor((symlog(v) - lo) / width)`, over nine decades and both signs;
    /// only values within rounding of an edge may land next door.
    #[test]
    fn symlog_bins_match_the_transform() {
        let c = 1e-6f32;
        let values: Vec<f32> = (0..20_000)
            .map(|i| {
                let magnitude = 10f32.powf(-9.0 + 9.0 * (i as f32 * 0.618_034).fract());
                if i % 2 == 0 {
                    magnitude
                } else {
                    -magnitude
                }
            })
            .chain([0.0, f32::NAN, f32::INFINITY, 5.0, -5.0])
            .collect();
        let top = Histogram::symlog(1.0, c);
        let histogram = Histogram::fill(&values, -top, top, c);
        let mut direct = vec![0u32; BINS];
        for &v in values.iter().filter(|v| v.is_finite()) {
            let t = Histogram::symlog(v, c) as f64;
            let bin = ((t + top as f64) * BINS as f64 / (2.0 * top as f64)).floor();
            direct[(bin.max(0.0) as usize).min(BINS - 1)] += 1;
        }
        let total: u32 = histogram.counts.iter().sum();
        assert_eq!(total, 20_003, "every finite value is counted once");
        let moved: u32 = histogram
            .counts
            .iter()
            .zip(&direct)
            .map(|(a, b)| a.abs_diff(*b))
            .sum();
        assert!(
            moved <= 4,
            "{moved} values changed bins: {:?} vs {direct:?}",
            histogram.counts
        );
        assert!(histogram.counts[BINS / 2] > 0 && histogram.counts[BINS - 1] > 0);
    }

    /// The f32 edges give the bin the f64 edges gave (`partition_point` over
    /// `inverse(lo + (i + 1) width)` in f64), also for the values nearest
    /// to each edge on both sides.
    #[test]
    fn symlog_f32_edges_bin_as_the_f64_edges() {
        let (c, top) = (3e-5f32, 2.7f32);
        let width = 2.0 * top as f64 / BINS as f64;
        let edges: Vec<f64> = (1..BINS)
            .map(|i| {
                let t = -top as f64 + i as f64 * width;
                t.signum() * c as f64 * (10f64.powf(t.abs()) - 1.0)
            })
            .collect();
        let bins = SymlogBins::new(-top, top, c);
        let step = |v: f32, up: bool| match (v > 0.0) == up {
            true => f32::from_bits(v.to_bits() + 1),
            false => f32::from_bits(v.to_bits().saturating_sub(1)),
        };
        let mut values = vec![0.0, -0.0, f32::MAX, f32::MIN, 1e-30, -1e-30];
        for &edge in &edges {
            let v = edge as f32;
            values.extend([v, step(v, true), step(v, false)]);
        }
        for v in values {
            let want = edges.partition_point(|&edge| edge <= v as f64);
            assert_eq!(bins.bin(v), want, "value {v:e}");
        }
    }
}
