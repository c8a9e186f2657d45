//! Distributions over time: for every hidden layer and each of `pre` (a, the
//! Linear output), `out` (h) and `grad` (dL/dh), the 0, 7, 16, 31, 50, 69,
//! 84, 93 and 100th percentiles of the batch x width values of the training
//! pass, per recorded step (TensorBoard's distributions). Step `s` holds the
//! forward and backward pass of training step `s`: the parameters after step
//! `s - 1` on the batch step `s` trained on (as the History's loss).
//!
//! Percentiles are exact, by nearest rank over the finite values: with the `n`
//! finite values sorted, percentile `p` is the value at index
//! `round(p / 100 * (n - 1))`, found with successive `select_nth_unstable`
//! (linear time). A layer with no finite value records NaN. At the bench's L
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
    /// Reused copy of one tensor's finite values (no allocation per step).
    #[serde(skip)]
    scratch: Vec<f32>,
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
            scratch: Vec::new(),
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
        for (series, tensors) in self.bands.iter_mut().zip(layers) {
            for (band, values) in series.iter_mut().zip(tensors) {
                band.push(percentiles(values, &mut self.scratch));
            }
        }
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
    pub fn record_network(&mut self, step: u64, network: &Network) {
        let rows = network.rows();
        self.record(
            step,
            network
                .blocks
                .iter()
                .zip(network.acts.blocks.iter().zip(&network.grads.blocks))
                .map(|(block, (a, g))| {
                    let n = rows * block.linear.fan_out;
                    [&a.pre[..n], &a.out[..n], &g.d_out[..n]]
                }),
        );
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

/// The nearest-rank [`PERCENTILES`] of the finite `values` (NaN when none is
/// finite); `scratch` is reused for the copy that is partially sorted.
pub fn percentiles(values: &[f32], scratch: &mut Vec<f32>) -> Band {
    scratch.clear();
    scratch.extend(values.iter().copied().filter(|v| v.is_finite()));
    let mut band = [f32::NAN; 9];
    let n = scratch.len();
    if n == 0 {
        return band;
    }
    // Ranks ascend, so each selection only needs the part right of the last.
    let mut start = 0;
    for (value, p) in band.iter_mut().zip(PERCENTILES) {
        let rank = (p as f64 / 100.0 * (n - 1) as f64).round() as usize;
        let rest = &mut scratch[start..];
        let (_, nth, _) = rest.select_nth_unstable_by(rank - start, f32::total_cmp);
        *value = *nth;
        start = rank;
    }
    band
}
