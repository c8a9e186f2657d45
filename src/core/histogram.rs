//! Histograms of the statistics: `BINS` equal bins over a shared range, of the
//! values themselves or, for gradients, of their symmetric log
//! `t(v) = sign(v) log10(1 + |v|/c)`, which resolves many decades at once.

use serde::{Deserialize, Serialize};

mod symlog;
pub(crate) use symlog::{SymlogBins, SymlogTable};

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
            counts.add(values, |v| bins.slot(v));
        } else {
            let bins = LinearBins::new(lo, hi);
            counts.add(values, |v| bins.slot(v));
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

    /// The [`Counts`] slot of any `v`: its bin, or [`UNCOUNTED`] when it is
    /// not finite. The cast to i32 saturates and truncates toward zero as one
    /// to usize would, so after the clamp it is the bin of `v` on every input.
    #[inline(always)]
    pub(crate) fn slot(&self, v: f32) -> u8 {
        let bin = ((v as f64 - self.lo) * self.bins_per_unit) as i32;
        match v.is_finite() {
            true => bin.clamp(0, BINS as i32 - 1) as u8,
            false => UNCOUNTED,
        }
    }

    /// [`LinearBins::slot`] of a finite `v` in `[lo, hi]`, without the
    /// checks: `v - lo` and `hi - lo` round the same way, so the scaled value
    /// is in `[0, BINS]` (BINS within rounding at `v = hi`), and `hi` itself
    /// lands in slot `BINS`, which [`Counts::histogram`] adds to the last bin.
    #[inline(always)]
    pub(crate) fn slot_within(&self, v: f32) -> u8 {
        ((v as f64 - self.lo) * self.bins_per_unit) as i32 as u8
    }
}

/// The slot of [`Counts`] where values that are not counted go (and the slot
/// above it): slots below `BINS` are bins, slot `BINS` counts in the last.
pub(crate) const UNCOUNTED: u8 = 254;

/// Bin counts, kept in four interleaved copies so that consecutive values
/// landing in one bin do not wait on each other's increment; summed at the end.
/// Each copy has a slot for every u8, so no index is ever out of range.
#[derive(Debug, Clone)]
pub(crate) struct Counts([[u32; 256]; 4]);

impl Default for Counts {
    fn default() -> Counts {
        Counts([[0; 256]; 4])
    }
}

impl Counts {
    /// Counts `values` in the slots `slot` gives.
    #[inline(always)]
    pub(crate) fn add(&mut self, values: &[f32], slot: impl Fn(f32) -> u8) {
        let mut quads = values.chunks_exact(4);
        for quad in &mut quads {
            for (copy, &v) in self.0.iter_mut().zip(quad) {
                copy[slot(v) as usize] += 1;
            }
        }
        for &v in quads.remainder() {
            self.0[0][slot(v) as usize] += 1;
        }
    }

    /// [`Counts::add`] with [`LinearBins::slot_within`] (finite values in the
    /// range only).
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub(crate) fn add_within(&mut self, values: &[f32], bins: &LinearBins) {
        self.add(values, |v| bins.slot_within(v));
    }

    /// As above, the slots of four values at once, by the same f64
    /// arithmetic on two f64x2. Within the range the scaled value `x` is in
    /// `[0, BINS]`, where truncation is `floor`, and `floor(x) + 2^52` holds
    /// the integer in its low 32 bits: so every slot equals
    /// [`LinearBins::slot_within`]'s, without the saturating conversion to
    /// i32, which V8 makes a long sequence (the bins alone: 2.5 against 0.4 ns a
    /// value in node 20 on the 2-core test machine).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub(crate) fn add_within(&mut self, values: &[f32], bins: &LinearBins) {
        use core::arch::wasm32::*;
        let (lo, scale) = (f64x2_splat(bins.lo), f64x2_splat(bins.bins_per_unit));
        let magic = f64x2_splat((1u64 << 52) as f64);
        let bin = |x: v128| f64x2_add(f64x2_floor(f64x2_mul(f64x2_sub(x, lo), scale)), magic);
        let mut quads = values.chunks_exact(4);
        for quad in &mut quads {
            let v = f32x4(quad[0], quad[1], quad[2], quad[3]);
            let low = bin(f64x2_promote_low_f32x4(v));
            let high = bin(f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 2, 3>(v, v)));
            // The low 32 bits of each f64 lane.
            let slot = i32x4_shuffle::<0, 2, 4, 6>(low, high);
            let [c0, c1, c2, c3] = &mut self.0;
            c0[i32x4_extract_lane::<0>(slot) as u8 as usize] += 1;
            c1[i32x4_extract_lane::<1>(slot) as u8 as usize] += 1;
            c2[i32x4_extract_lane::<2>(slot) as u8 as usize] += 1;
            c3[i32x4_extract_lane::<3>(slot) as u8 as usize] += 1;
        }
        for &v in quads.remainder() {
            self.0[0][bins.slot_within(v) as usize] += 1;
        }
    }

    pub(crate) fn histogram(&self, lo: f32, hi: f32, linthresh: f32) -> Histogram {
        let total = |slot: usize| self.0.iter().map(|copy| copy[slot]).sum::<u32>();
        let mut counts: Vec<u32> = (0..BINS).map(total).collect();
        counts[BINS - 1] += total(BINS);
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

    /// Without its checks the linear slot is the same for values in the
    /// range, and `hi`, in slot `BINS`, is counted in the last bin.
    #[test]
    fn the_unchecked_linear_slot_agrees_within_the_range() {
        for (lo, hi) in [(-3.0f32, 5.0f32), (0.0, 1e-3), (1.0, 1.0001), (-3e38, 3e38)] {
            let bins = LinearBins::new(lo, hi);
            let step = (hi as f64 - lo as f64) / 997.0;
            let values: Vec<f32> = (0..=997)
                .map(|i| (lo as f64 + i as f64 * step) as f32)
                .map(|v| v.clamp(lo, hi))
                .chain([lo, hi])
                .collect();
            for &v in &values {
                let slot = bins.slot_within(v);
                assert_eq!(
                    slot.min(BINS as u8 - 1),
                    bins.slot(v),
                    "[{lo}, {hi}] value {v}"
                );
                assert!(slot as usize <= BINS);
            }
            let (mut checked, mut unchecked) = (Counts::default(), Counts::default());
            checked.add(&values, |v| bins.slot(v));
            unchecked.add(&values, |v| bins.slot_within(v));
            assert_eq!(
                checked.histogram(lo, hi, 0.0),
                unchecked.histogram(lo, hi, 0.0)
            );
        }
    }
}
