//! Distributions over time: for every hidden layer and each of `pre` (a, the
//! Linear output), `out` (h) and `grad` (dL/dh), the 0, 7, 16, 31, 50, 69,
//! 84, 93 and 100th percentiles of the batch x width values of the training
//! pass, per recorded step (TensorBoard's distributions). Step `s` holds the
//! forward and backward pass of training step `s`: the parameters after step
//! `s - 1` on the batch step `s` trained on (as the History's loss).
//!
//! Percentiles are exact, by nearest rank over the finite values: with the `n`
//! finite values sorted, percentile `p` is the value at index
//! `round(p / 100 * (n - 1))` (exactly: [`rank`], a half rounded up), found
//! by a histogram selection in linear time
//! ([`percentiles`]). A layer with no finite value records NaN. A record
//! costs about 5 ns a value natively on the 2-core test machine: 0.5 ms at
//! the bench's S config (a step 2.3 ms), 3.9 ms at M (17 ms), 55-80 ms at L
//! (0.7 s; `tests/timeline.rs`'s ignored `cost` test prints them), and
//! recording gets rarer as the stride below grows. The wasm build finds keys,
//! bins and extremes four values at a time (i32x4), and gathers the wanted
//! keys four at a time with a compare and a shuffle (`passes.rs`). In node 20
//! on the same machine (`core::profile`'s record, best of runs of 200 ms,
//! 2026-12-04), a record at M takes 1.7 ms (2.0-2.2 ms with the gather value
//! by value), at depth 64 x 256 7.4 ms (9.0-9.2 ms).
//! Percentiles read off the statistics' histograms would cost less but are
//! only as fine as a bin (1/40 of the range), and those histograms exist only
//! for the pass a frame shows (and, for `pre`, only a snapshot's: see
//! `stats::Detail`), not for every training step; so: exact.
//!
//! Memory is bounded: the timeline keeps at most [`TIMELINE_CAP`] records; one
//! more halves it (every other record kept, the stride doubled), as
//! `history.rs` does. So it holds `depth x 3 x 9` f32 per record, at most
//! `64 x 3 x 9 x 4 x 257` bytes = 1.8 MB at the largest depth.

use serde::{Deserialize, Serialize};

use crate::core::network::Network;

mod passes;
use passes::{bin, count_keys, gather, value, Found, BINS, LANES, NONFINITE_BINS, TRASH};

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
#[derive(Debug, Clone)]
pub struct Scratch {
    /// [`LANES`] histograms of the keys, value `i` counted in `i % LANES`;
    /// all zero between calls of [`percentiles`].
    counts: Box<[[u32; BINS]; LANES]>,
    /// Each bin's slot: which wanted bin it is, or [`TRASH`].
    slot_of: Box<[u8; BINS]>,
    /// The keys of the wanted bins, in the order met.
    gathered: Vec<i32>,
    /// The same keys, one segment per wanted bin.
    picked: Vec<i32>,
}

impl Default for Scratch {
    fn default() -> Scratch {
        Scratch {
            counts: Box::new([[0; BINS]; LANES]),
            slot_of: Box::new([TRASH; BINS]),
            gathered: Vec::new(),
            picked: Vec::new(),
        }
    }
}

/// The slot in [`percentiles`]' `wanted` of a rank whose value is +0.0.
const ZERO: usize = usize::MAX;

/// The index of whole percentile `p` among `n` sorted values,
/// `round(p / 100 * (n - 1))` in integers, so exact where the product ends
/// in a half (in f64, 0.69 * 10350 comes out below 7141.5 and rounds down).
pub fn rank(p: f32, n: usize) -> usize {
    ((p as u64 * (n as u64 - 1) + 50) / 100) as usize
}

/// The nearest-rank [`PERCENTILES`] of the finite `values` (NaN when none is
/// finite), exactly those of sorting them with `f32::total_cmp`.
///
/// A histogram selection (a radix select of one level) in two passes over
/// the values: one counts their keys in [`BINS`] fixed bins (the top 11 bits
/// of the key) and finds the finite extremes (percentiles 0 and 100), which
/// tells the bin and the rank within it of every other percentile; one
/// gathers the keys of the few bins that hold those (about a fifth of the
/// values), which are then laid out bin by bin, and `select_nth_unstable`
/// finds each rank inside its bin (several ranks in one bin: each in what
/// the one before left above it; a bin of one value needs no selection).
/// The first pass also counts the +0.0s, the lowest key of their bin: a rank
/// among them is +0.0 without gathering the bin, which holds half of a
/// ReLU's output (5% of the bench's M step in node 20). The two passes over
/// all values branch on no value and wait on no store of the value before
/// (four histograms, one cursor in a register); only the counting sort of
/// the gathered few does.
/// `tests/timeline.rs`'s ignored `cost` test prints a record's cost.
pub fn percentiles(values: &[f32], scratch: &mut Scratch) -> Band {
    let Scratch {
        counts,
        slot_of,
        gathered,
        picked,
    } = scratch;
    let found = count_keys(values, counts);
    let band = select_ranks(values, &found, counts, slot_of, gathered, picked);
    // The counts are zero between calls: clear the bins this one touched, the
    // finite values' span and the non-finite bins at both ends (never read:
    // the ranks lie in the span), rather than all 4 x 2048 (32 KiB, twice a
    // tensor of the S config; S's step 1.4% faster at best, 3.7% at the
    // median, in node 20).
    let span = match found.n {
        0 => 0..0,
        _ => bin(found.lo)..bin(found.hi) + 1,
    };
    for lane in counts.iter_mut() {
        lane[..NONFINITE_BINS].fill(0);
        lane[BINS - NONFINITE_BINS..].fill(0);
        lane[span.clone()].fill(0);
    }
    band
}

/// [`percentiles`] once the keys are counted.
fn select_ranks(
    values: &[f32],
    &Found { lo, hi, n, zeros }: &Found,
    counts: &[[u32; BINS]; LANES],
    slot_of: &mut [u8; BINS],
    gathered: &mut Vec<i32>,
    picked: &mut Vec<i32>,
) -> Band {
    let mut band = [f32::NAN; 9];
    if n == 0 {
        return band;
    }
    let at = |b: usize| counts.iter().map(|lane| lane[b] as usize).sum::<usize>();
    let ranks = PERCENTILES.map(|p| rank(p, n));
    // Each interior rank's bin and rank within it; bins get a slot each in
    // the order met (ranks ascend, so do their bins). The scan starts at the
    // bin of the finite minimum, past every non-finite bin below.
    // A slot's [start, end) in `picked`; a rank's (slot, rank in its bin),
    // or (ZERO, 0) where it is a +0.0.
    let mut segments = [(0usize, 0usize); 7];
    let mut wanted = [(0usize, 0usize); 7];
    let mut used: [usize; 7] = [BINS; 7]; // the bin of each slot
    let (mut slots, mut total, mut below, mut b) = (0, 0, 0, bin(lo));
    let mut here = at(b);
    for (want, &rank) in wanted.iter_mut().zip(&ranks[1..8]) {
        while below + here <= rank {
            below += here;
            b += 1;
            here = at(b);
        }
        if b == bin(0) && rank - below < zeros {
            // Key 0 is its bin's lowest: the bin's first `zeros` ranks are
            // +0.0, with no need to gather the bin (half a ReLU's output).
            *want = (ZERO, 0);
            continue;
        }
        if slots == 0 || used[slots - 1] != b {
            segments[slots] = (total, total + here);
            total += here;
            slot_of[b] = slots as u8;
            used[slots] = b;
            slots += 1;
        }
        *want = (slots - 1, rank - below);
    }
    // The keys of wanted bins, compacted: each is written, and the cursor
    // moves past it only if it is wanted (`LANES` spare entries at the end).
    gathered.clear();
    gathered.reserve(n + LANES); // grows to the largest tensor once: no allocation after
    gathered.resize(total + LANES, 0);
    gather(values, slot_of, &used[..slots], gathered);
    // Bin by bin (a counting sort of the few gathered keys).
    picked.clear();
    picked.reserve(n);
    picked.resize(total, 0);
    let mut fill = [0usize; 7];
    for (fill, (start, _)) in fill.iter_mut().zip(&segments[..slots]) {
        *fill = *start;
    }
    for &k in &gathered[..total] {
        let slot = usize::from(slot_of[bin(k)]) % 7;
        picked[fill[slot]] = k;
        fill[slot] += 1;
    }
    for &b in &used[..slots] {
        slot_of[b] = TRASH;
    }
    band[0] = value(lo);
    band[8] = value(hi);
    // Ranks ascend within a slot: each is selected in the part of the
    // segment from the one before (`done`), which the selection before left
    // at or above it. A segment of one key (checked once) needs none.
    let mut done = [0usize; 7];
    let mut single: [Option<bool>; 7] = [None; 7];
    for (out, &(slot, rank)) in band[1..8].iter_mut().zip(&wanted) {
        if slot == ZERO {
            *out = 0.0;
            continue;
        }
        let (start, end) = segments[slot];
        let segment = &mut picked[start..end];
        let first = segment[0];
        if *single[slot].get_or_insert_with(|| segment.iter().all(|&k| k == first)) {
            *out = value(first);
            continue;
        }
        let from = done[slot];
        *out = value(*segment[from..].select_nth_unstable(rank - from).1);
        done[slot] = rank;
    }
    band
}
