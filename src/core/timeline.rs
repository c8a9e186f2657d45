//! Distributions over time: for every hidden layer and each of `pre` (a, the
//! Linear output), `out` (h) and `grad` (dL/dh), the 0, 7, 16, 31, 50, 69,
//! 84, 93 and 100th percentiles of the batch x width values of the training
//! pass, per recorded step (TensorBoard's distributions). Step `s` holds the
//! forward and backward pass of training step `s`: the parameters after step
//! `s - 1` on the batch step `s` trained on (as the History's loss).
//!
//! Percentiles are exact, by nearest rank over the finite values: with the `n`
//! finite values sorted, percentile `p` is the value at index
//! `round(p / 100 * (n - 1))`, found by a histogram selection in linear time
//! ([`percentiles`]). A layer with no finite value records NaN. At the bench's L
//! config (depth 64, 256 x 256 values in each of its 192 tensors) recording
//! one step took 350 ms against 3.1 s for the step itself (11%, release
//! build without LTO on the shared 2-core test machine; `tests/timeline.rs`'s
//! ignored `cost` test), and recording gets rarer as the stride below grows.
//! Percentiles read off the statistics' histograms would cost less but are
//! only as fine as a bin (1/40 of the range), and those histograms exist only
//! for the probe pass, not for every training step; so: exact.
//!
//! Memory is bounded: the timeline keeps at most [`TIMELINE_CAP`] records; one
//! more halves it (every other record kept, the stride doubled), as
//! `history.rs` does. So it holds `depth x 3 x 9` f32 per record, at most
//! `64 x 3 x 9 x 4 x 257` bytes = 1.8 MB at the largest depth.

use serde::{Deserialize, Serialize};

use crate::core::network::Network;

/// The percentiles recorded, ascending.
pub const PERCENTILES: [f32; 9] = [0.0, 7.0, 16.0, 31.0, 50.0, 69.0, 84.0, 93.0, 100.0];

/// Records kept before the timeline halves its resolution.
pub const TIMELINE_CAP: usize = 256;

/// The tensors recorded, in the order of [`Timeline::bands`]' inner arrays.
pub const TENSORS: [&str; 3] = ["pre", "out", "grad"];

/// One record's nine percentiles.
pub type Band = [f32; 9];

/// Percentile bands of every layer and tensor over training, thinned to at
/// most [`TIMELINE_CAP`] records.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timeline {
    pub stride: u64,
    pub steps: Vec<u64>,
    /// `bands[layer][tensor][record]`, tensor as in [`TENSORS`].
    pub bands: Vec<[Vec<Band>; 3]>,
    /// Reused buffers of [`percentiles`], one per thread that records (no
    /// allocation per step once the pool's threads have each recorded).
    #[serde(skip)]
    scratch: Vec<Scratch>,
}

/// Equal records (the scratch buffer is no part of the value).
impl PartialEq for Timeline {
    fn eq(&self, other: &Timeline) -> bool {
        (self.stride, &self.steps, &self.bands) == (other.stride, &other.steps, &other.bands)
    }
}

impl Timeline {
    pub fn new(layers: usize) -> Timeline {
        let series = || Vec::with_capacity(TIMELINE_CAP + 1);
        Timeline {
            stride: 1,
            steps: Vec::with_capacity(TIMELINE_CAP + 1),
            bands: (0..layers)
                .map(|_| [series(), series(), series()])
                .collect(),
            scratch: vec![Scratch::default()],
        }
    }

    /// Index of a tensor name of [`TENSORS`].
    pub fn tensor_index(name: &str) -> Option<usize> {
        TENSORS.iter().position(|t| *t == name)
    }

    /// Records step `step` if it falls on the stride: `layers` yields each
    /// hidden layer's `[pre, out, grad]` values, layer 1 first.
    pub fn record<'a>(&mut self, step: u64, layers: impl Iterator<Item = [&'a [f32]; 3]>) {
        if step % self.stride != 0 {
            return;
        }
        self.steps.push(step);
        let scratch = &mut self.scratch[0];
        for (series, tensors) in self.bands.iter_mut().zip(layers) {
            for (band, values) in series.iter_mut().zip(tensors) {
                band.push(percentiles(values, scratch));
            }
        }
        self.thin();
    }

    /// Halves the records when they pass the cap: every other one is kept
    /// and the stride doubles.
    fn thin(&mut self) {
        if self.steps.len() > TIMELINE_CAP {
            self.stride *= 2;
            let stride = self.stride;
            // Thinned in place, by the steps kept (no allocation in a training step).
            let steps = &self.steps;
            for band in self.bands.iter_mut().flatten() {
                let mut i = 0;
                band.retain(|_| (steps[i] % stride == 0, i += 1).0);
            }
            self.steps.retain(|s| s % stride == 0);
        }
    }

    /// Records step `step` from the network's caches after a training pass.
    /// With the `threads` feature the layers are shared out among rayon's
    /// threads in contiguous parts, each with its own scratch; the bands are
    /// exact, so the same as on one thread.
    pub fn record_network(&mut self, step: u64, network: &Network) {
        let rows = network.rows();
        let layer = |i: usize| {
            let (a, g) = (&network.acts.blocks[i], &network.grads.blocks[i]);
            let n = rows * network.blocks[i].linear.fan_out;
            [&a.pre[..n], &a.out[..n], &g.d_out[..n]]
        };
        #[cfg(feature = "threads")]
        {
            let threads = rayon::current_num_threads();
            let values: usize = network
                .blocks
                .iter()
                .map(|b| 3 * rows * b.linear.fan_out)
                .sum();
            let parallel = crate::core::matrix::parallel_chunk(values).is_some();
            if parallel && step % self.stride == 0 && self.bands.len() > 1 {
                use rayon::prelude::*;
                self.steps.push(step);
                self.scratch.resize_with(threads, Scratch::default);
                let per = self.bands.len().div_ceil(threads);
                let parts = self
                    .bands
                    .par_chunks_mut(per)
                    .zip(self.scratch.par_iter_mut());
                parts.enumerate().for_each(|(part, (bands, scratch))| {
                    for (i, series) in bands.iter_mut().enumerate() {
                        for (band, values) in series.iter_mut().zip(layer(part * per + i)) {
                            band.push(percentiles(values, scratch));
                        }
                    }
                });
                return self.thin();
            }
        }
        self.record(step, (0..network.blocks.len()).map(layer));
    }

    /// Whether every series has one band per step and `layers` layers.
    pub fn is_consistent(&self, layers: usize) -> bool {
        self.bands.len() == layers
            && self.stride >= 1
            && self
                .bands
                .iter()
                .flatten()
                .all(|b| b.len() == self.steps.len())
    }
}

/// Reused buffers of [`percentiles`] (no allocation once they have grown to
/// a tensor's size).
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// The finite values as order-preserving integers ([`key`]).
    keys: Vec<i32>,
    /// The histogram of the keys.
    counts: Vec<u32>,
    /// The keys of the bins that hold a wanted rank, one segment per bin,
    /// and one spare entry.
    picked: Vec<i32>,
}

/// The histogram has at most `2^BINS_LOG2` bins.
const BINS_LOG2: u32 = 10;
/// The slot of the bins that hold no wanted rank (slots 0 to 6 are theirs).
const TRASH: u8 = 7;

/// An integer whose order is `f32::total_cmp`'s (the usual sign trick), so
/// that comparisons are plain integer ones.
fn key(v: f32) -> i32 {
    let bits = v.to_bits() as i32;
    bits ^ (((bits >> 31) as u32) >> 1) as i32
}

/// The inverse of [`key`].
fn value(key: i32) -> f32 {
    f32::from_bits((key ^ (((key >> 31) as u32) >> 1) as i32) as u32)
}

/// The nearest-rank [`PERCENTILES`] of the finite `values` (NaN when none is
/// finite), exactly those of sorting them with `f32::total_cmp`.
///
/// A histogram selection (a radix select of one level): one pass keys the
/// finite values and finds the extremes (percentiles 0 and 100), one counts
/// them in at most 1024 bins of equal key span between the extremes, which
/// tells the bin and the rank within it of every other percentile; one
/// gathers the few bins that hold those, and `select_nth_unstable` finds each
/// rank inside its bin. Keys are spread over the float's exponents, so a
/// bin holds a small part of a layer's values; when one holds most (many
/// equal values, e.g. a ReLU's zeros), the selection in it is as costly as
/// selecting in all. 2 to 4 times faster than successive selections over the
/// whole copy (`tests/timeline.rs`'s ignored `cost` test prints a record's
/// cost).
pub fn percentiles(values: &[f32], scratch: &mut Scratch) -> Band {
    let Scratch {
        keys,
        counts,
        picked,
    } = scratch;
    keys.clear();
    let (mut lo, mut hi) = (i32::MAX, i32::MIN);
    for &v in values {
        if v.is_finite() {
            let k = key(v);
            lo = lo.min(k);
            hi = hi.max(k);
            keys.push(k);
        }
    }
    let mut band = [f32::NAN; 9];
    let n = keys.len();
    if n == 0 {
        return band;
    }
    let ranks = PERCENTILES.map(|p| (p as f64 / 100.0 * (n - 1) as f64).round() as usize);
    // Bin of a key: its offset from `lo`, shifted so that at most 1024 bins span the keys.
    let span = (hi as i64 - lo as i64) as u64;
    let shift = (u64::BITS - span.leading_zeros()).saturating_sub(BINS_LOG2);
    let bin = |k: i32| ((k as i64 - lo as i64) as u64 >> shift) as usize;
    counts.clear();
    counts.resize(bin(hi) + 1, 0);
    for &k in keys.iter() {
        counts[bin(k)] += 1;
    }
    // Each interior rank's bin and rank within it; bins get a slot each in
    // the order met (ranks ascend, so do their bins).
    let mut slot_of = [TRASH; 1 << BINS_LOG2];
    let mut segments = [(0usize, 0usize); 7]; // a slot's [start, end) in `picked`
    let mut wanted = [(0usize, 0usize); 7]; // a rank's (slot, rank in its bin)
    let (mut slots, mut gathered, mut below, mut b) = (0, 0, 0, 0);
    for (want, &rank) in wanted.iter_mut().zip(&ranks[1..8]) {
        while below + counts[b] as usize <= rank {
            below += counts[b] as usize;
            b += 1;
        }
        if slot_of[b] == TRASH {
            segments[slots] = (gathered, gathered + counts[b] as usize);
            gathered += counts[b] as usize;
            slot_of[b] = slots as u8;
            slots += 1;
        }
        *want = (slot_of[b] as usize, rank - below);
    }
    // Without a branch: a key of an unwanted bin is written to one spare
    // entry past the segments, which its slot never advances.
    picked.reserve(n + 1);
    picked.clear();
    picked.resize(gathered + 1, 0);
    let mut fill = [gathered; 8];
    for (fill, (start, _)) in fill.iter_mut().zip(&segments[..slots]) {
        *fill = *start;
    }
    for &k in keys.iter() {
        let slot = usize::from(slot_of[bin(k)]);
        picked[fill[slot]] = k;
        fill[slot] += usize::from(slot != usize::from(TRASH));
    }
    band[0] = value(lo);
    band[8] = value(hi);
    for (out, &(slot, rank)) in band[1..8].iter_mut().zip(&wanted) {
        let (start, end) = segments[slot];
        *out = value(*picked[start..end].select_nth_unstable(rank).1);
    }
    band
}
