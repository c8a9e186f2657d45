//! The bounded training history: loss, accuracy and each layer's update:data
//! ratio per recorded step, and the held-out loss and accuracy at the steps
//! they were evaluated. When it holds more than [`HISTORY_CAP`] records it
//! drops every other one and doubles its stride, so a long run keeps an evenly
//! thinned picture of the whole run in constant memory; the held-out series
//! thins the same way on its own.

use serde::{Deserialize, Serialize};

use crate::core::timeline::Timeline;

/// Records kept before the history halves its resolution.
pub const HISTORY_CAP: usize = 1000;

/// Loss, accuracy and per-layer update ratios over training, thinned to at
/// most [`HISTORY_CAP`] records by doubling the recording stride.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub stride: u64,
    pub steps: Vec<u64>,
    pub loss: Vec<f32>,
    pub accuracy: Vec<f32>,
    /// `update_ratio[layer][record]`.
    pub update_ratio: Vec<Vec<f32>>,
    /// The held-out split's loss and accuracy in eval mode, at `test_steps`.
    pub test: TestHistory,
    /// Every layer's percentile bands over training (`timeline.rs`).
    pub timeline: Timeline,
}

/// Held-out loss and accuracy at the steps they were evaluated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TestHistory {
    pub stride: u64,
    pub steps: Vec<u64>,
    pub loss: Vec<f32>,
    pub accuracy: Vec<f32>,
}

impl TestHistory {
    fn new() -> TestHistory {
        TestHistory {
            stride: 1,
            steps: Vec::with_capacity(HISTORY_CAP + 1),
            loss: Vec::with_capacity(HISTORY_CAP + 1),
            accuracy: Vec::with_capacity(HISTORY_CAP + 1),
        }
    }

    /// Records one evaluation; beyond [`HISTORY_CAP`] keeps every other one.
    pub fn record(&mut self, step: u64, loss: f32, accuracy: f32) {
        self.steps.push(step);
        self.loss.push(loss);
        self.accuracy.push(accuracy);
        if self.steps.len() > HISTORY_CAP {
            every_other(&mut self.loss);
            every_other(&mut self.accuracy);
            every_other(&mut self.steps);
            self.stride *= 2;
        }
    }
}

impl History {
    pub fn new(layers: usize) -> History {
        History {
            stride: 1,
            steps: Vec::with_capacity(HISTORY_CAP + 1),
            loss: Vec::with_capacity(HISTORY_CAP + 1),
            accuracy: Vec::with_capacity(HISTORY_CAP + 1),
            // Not `vec![v; n]`: cloning a Vec drops its capacity.
            update_ratio: (0..layers)
                .map(|_| Vec::with_capacity(HISTORY_CAP + 1))
                .collect(),
            test: TestHistory::new(),
            timeline: Timeline::new(layers),
        }
    }

    /// Records step `step` if it falls on the stride.
    pub fn record(&mut self, step: u64, loss: f32, accuracy: f32, ratios: &[Option<f32>]) {
        if step % self.stride != 0 {
            return;
        }
        self.steps.push(step);
        self.loss.push(loss);
        self.accuracy.push(accuracy);
        for (series, ratio) in self.update_ratio.iter_mut().zip(ratios) {
            series.push(ratio.unwrap_or(f32::NAN));
        }
        if self.steps.len() > HISTORY_CAP {
            self.stride *= 2;
            let stride = self.stride;
            let keep: Vec<bool> = self.steps.iter().map(|s| s % stride == 0).collect();
            let thin = |v: &mut Vec<f32>| {
                let mut i = 0;
                v.retain(|_| (keep[i], i += 1).0);
            };
            thin(&mut self.loss);
            thin(&mut self.accuracy);
            self.update_ratio.iter_mut().for_each(thin);
            self.steps.retain(|s| s % stride == 0);
        }
    }
}

/// Keeps entries 0, 2, 4, ... of `values`.
fn every_other<T>(values: &mut Vec<T>) {
    let mut i = 0;
    values.retain(|_| (i % 2 == 0, i += 1).0);
}
