//! The value axis of the distribution charts (`distribution.rs`): the
//! histograms' own range and symlog threshold, or in a comparison the axis
//! shared by A and B (`range=lo,hi&linthresh=c`, see `options.rs`). On a
//! shared axis each side's own bins are placed by their real edges: a bin's
//! edge b in the histogram's own units u_b = lo + (hi - lo) b / BINS is the
//! real value symlog⁻¹(u_b; own c) (or u_b when linear), drawn at
//! symlog(value; shared c); a pixel row beyond the own range has no values.

use super::distribution::Distribution;
use crate::core::stats::{Histogram, BINS};

/// A value axis shared by A and B: real range and symlog threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharedAxis {
    pub lo: f64,
    pub hi: f64,
    /// None: the chart's own.
    pub linthresh: Option<f64>,
}

impl Distribution<'_> {
    /// Whether the histograms have a usable range: finite, with a bin width
    /// that does not overflow f32 (else every value lands in one bin).
    pub(super) fn binned(&self) -> bool {
        let histogram = self.layers.first().map(self.histogram);
        histogram.is_some_and(|h| (h.hi - h.lo).is_finite() && h.hi > h.lo)
    }

    /// Whether any histogram counts a value (a diverged network's count none:
    /// their placeholder range is no range of values).
    fn counted(&self) -> bool {
        self.layers
            .iter()
            .any(|s| (self.histogram)(s).counts.iter().any(|&c| c > 0))
    }

    /// The histograms' own range, in their own units.
    pub(super) fn own_range(&self) -> (f64, f64) {
        match self.layers.first().map(self.histogram) {
            Some(h) if self.binned() => (h.lo as f64, h.hi as f64),
            _ => (-1.0, 1.0),
        }
    }

    /// The histograms' own range in real values, and the symlog threshold on
    /// a symlog axis; None when they have no usable range or count no value
    /// (a comparison then shares the other side's range alone).
    pub(super) fn real_range(&self) -> Option<Vec<f64>> {
        if !self.binned() || !self.counted() {
            return None;
        }
        let range = vec![self.edge_real(0), self.edge_real(BINS)];
        match self.symlog {
            true => Some([range, vec![self.own_linthresh()]].concat()),
            false => Some(range),
        }
    }

    /// The range of the value axis, in axis units: the histograms' own, or
    /// the shared one.
    pub(super) fn range(&self) -> (f64, f64) {
        match self.shared {
            Some(axis) if self.binned() => (self.to_axis(axis.lo), self.to_axis(axis.hi)),
            _ => self.own_range(),
        }
    }

    /// The histograms' own symlog threshold (0 when linear).
    pub(super) fn own_linthresh(&self) -> f64 {
        self.layers
            .first()
            .map_or(0.0, |s| (self.histogram)(s).linthresh as f64)
    }

    /// The value axis's symlog threshold.
    pub(super) fn linthresh(&self) -> f64 {
        self.shared
            .and_then(|axis| axis.linthresh)
            .unwrap_or_else(|| self.own_linthresh())
    }

    /// A real value in axis units.
    pub(super) fn to_axis(&self, v: f64) -> f64 {
        if self.symlog {
            Histogram::symlog(v as f32, self.linthresh() as f32) as f64
        } else {
            v
        }
    }

    /// Axis units back to a real value.
    pub(super) fn to_real(&self, t: f64) -> f64 {
        if self.symlog {
            Histogram::symlog_inverse(t as f32, self.linthresh() as f32) as f64
        } else {
            t
        }
    }

    /// The real value of the histograms' own bin edge `b` (0..=BINS).
    pub(super) fn edge_real(&self, b: usize) -> f64 {
        let (lo, hi) = self.own_range();
        let own = lo + (hi - lo) * b as f64 / BINS as f64;
        match self.symlog {
            true => Histogram::symlog_inverse(own as f32, self.own_linthresh() as f32) as f64,
            false => own,
        }
    }

    /// Bin edge `b` (0..=BINS) on the value axis, in axis units.
    pub(super) fn edge(&self, b: usize) -> f64 {
        let (lo, hi) = self.range();
        match self.shared {
            Some(_) => self.to_axis(self.edge_real(b)),
            None => lo + (hi - lo) * b as f64 / BINS as f64,
        }
    }

    /// The own bin at axis value `t`; None beyond the histograms' own range
    /// (only on a shared axis: else the nearest bin).
    pub(super) fn bin_at(&self, t: f64) -> Option<usize> {
        let (lo, hi) = self.own_range();
        let own = match (self.shared, self.symlog) {
            (None, _) => t,
            (Some(_), false) => t,
            (Some(_), true) => {
                let real = self.to_real(t) as f32;
                Histogram::symlog(real, self.own_linthresh() as f32) as f64
            }
        };
        let at = (own - lo) / (hi - lo) * BINS as f64;
        if self.shared.is_some() && !(0.0..=BINS as f64).contains(&at) {
            return None;
        }
        Some((at.floor().max(0.0) as usize).min(BINS - 1))
    }
}
