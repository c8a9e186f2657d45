//! The symlog bins: equal bins of `t(v) = sign(v) log10(1 + |v|/c)` found
//! without a logarithm per value, by a search over their edges or, faster,
//! by one look-up in a table of the f32 bit patterns.

#[cfg(test)]
use super::Histogram;
use super::{BINS, UNCOUNTED};

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

    /// The [`Counts`] slot of any `v`: its bin, or [`UNCOUNTED`].
    #[inline(always)]
    pub(crate) fn slot(&self, v: f32) -> u8 {
        match v.is_finite() {
            true => self.bin(v) as u8,
            false => UNCOUNTED,
        }
    }
}

/// [`SymlogBins`] by one table look-up per value: the finite f32 values whose
/// top 12 bits (sign, exponent, 3 mantissa bits) agree form an interval, a
/// *cell*, of relative width at most 1/8, while consecutive symlog edges are
/// a factor of about 2 apart. So a cell holds at most one edge, and a value's
/// bin is the bin of its cell's lowest value plus one if it is at or above
/// that edge: exactly [`SymlogBins::bin`]. Where some cell holds two edges
/// (all gradients zero, or a denormal threshold), [`SymlogTable::new`] says
/// so and the search is used instead. Cells of infinities and NaNs give
/// [`UNCOUNTED`] and the slot above it.
pub(crate) struct SymlogTable {
    /// Per cell: the bin of its lowest value, and its one edge or +inf.
    base: [u8; CELLS],
    edge: [f32; CELLS],
}

const CELLS: usize = 1 << 12;

impl SymlogTable {
    /// The table of `bins`, or None where a cell holds more than one edge.
    pub(crate) fn new(bins: &SymlogBins) -> Option<Box<SymlogTable>> {
        let mut table = Box::new(SymlogTable {
            base: [UNCOUNTED; CELLS],
            edge: [f32::INFINITY; CELLS],
        });
        for cell in 0..CELLS as u32 {
            let (first, last) = (cell << 20, cell << 20 | 0xF_FFFF);
            let (a, b) = (f32::from_bits(first), f32::from_bits(last));
            if !a.is_finite() {
                continue;
            }
            // Negative cells run from their last bit pattern up to their first.
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let (bin, top) = (bins.bin(low), bins.bin(high));
            match top - bin {
                0 => {}
                1 => table.edge[cell as usize] = bins.edges[bin],
                _ => return None,
            }
            table.base[cell as usize] = bin as u8;
        }
        Some(table)
    }

    /// The [`Counts`] slot of any `v` (the bin of [`SymlogBins::bin`]).
    #[inline(always)]
    pub(crate) fn slot(&self, v: f32) -> u8 {
        let cell = (v.to_bits() >> 20) as usize;
        self.base[cell] + u8::from(self.edge[cell] <= v)
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

    /// The table gives the bin the search gives, for values across every
    /// decade, on and next to each edge, zeros, denormals and non-finite
    /// values; and it steps aside where a cell would hold two edges.
    #[test]
    fn the_symlog_table_bins_as_the_search() {
        let next = |v: f32, up: bool| match (v > 0.0 || (v == 0.0 && up)) == up {
            true => f32::from_bits(v.to_bits() + 1),
            false => f32::from_bits(v.to_bits() - 1),
        };
        for max_abs in [1.0f32, 3.7e-4, 2.5e8, 1e-30, 3e38] {
            let c = max_abs * 1e-6;
            let top = Histogram::symlog(max_abs, c);
            let bins = SymlogBins::new(-top, top, c);
            let table = SymlogTable::new(&bins).expect("one edge per cell");
            let mut values = vec![0.0, -0.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
            values.extend([f32::MAX, f32::MIN, 1e-45, -1e-45, 1e-40, -1e-40]);
            for &edge in bins.edges.iter().take(BINS - 1) {
                values.extend([edge, next(edge, true), next(edge, false)]);
            }
            for i in 0..20_000 {
                let magnitude = max_abs * 10f32.powf(-12.0 + 13.0 * (i as f32 * 0.618_034).fract());
                values.push(if i % 2 == 0 { magnitude } else { -magnitude });
            }
            // Both uncounted slots are alike.
            let bin = |slot: u8| (slot < UNCOUNTED).then_some(slot);
            for v in values {
                let (got, want) = (bin(table.slot(v)), bin(bins.slot(v)));
                assert_eq!(got, want, "max {max_abs:e}, value {v:e}");
            }
        }
        // All gradients zero (top = log10 2) puts edges 3% apart; a denormal
        // threshold puts several in one cell of denormals.
        for (top, c) in [(Histogram::symlog(1e-12, 1e-12), 1e-12), (6.0, 1e-44)] {
            assert!(SymlogTable::new(&SymlogBins::new(-top, top, c)).is_none());
        }
    }
}
