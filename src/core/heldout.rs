//! The held-out test split, evaluated in eval mode: the number that makes
//! BatchNorm's train/eval gap visible (at batch 2 its batch statistics look fine
//! while its running statistics, used in eval mode, are useless).
//!
//! The split is [`TEST_SIZE`] points drawn from the dataset's stream right
//! after the training set (`data.rs`), so it is fixed by the seed and never
//! trained on. Evaluating it is a forward pass of `TEST_SIZE` rows, about
//! `TEST_SIZE / (3 batch)` training steps' worth of matmuls, so it runs every
//! [`HeldOut::every`] steps, chosen to cost under [`TEST_COST_SHARE`] of the
//! training time, and at step 0.

use serde::{Deserialize, Serialize};

use crate::core::config::Config;
use crate::core::data::{Data, TEST_SIZE};
use crate::core::loss::softmax_cross_entropy;
use crate::core::network::{Activations, Network};
use crate::core::norm::Pass;

/// The largest share of training time the held-out evaluation may take.
pub const TEST_COST_SHARE: f64 = 0.1;

/// One evaluation of the test split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The training step it was evaluated at.
    pub step: u64,
    /// In JSON a number, or "NaN"/"inf" when non-finite (`loss.rs`).
    #[serde(with = "crate::core::loss::text_when_nonfinite")]
    pub loss: f32,
    pub accuracy: f32,
}

/// The test split and its evaluation buffers.
#[derive(Debug, Clone)]
pub struct HeldOut {
    pub data: Data,
    /// Evaluate after every `every` training steps.
    pub every: u64,
    d_logits: Vec<f32>,
}

impl HeldOut {
    pub fn new(config: &Config, data: Data) -> HeldOut {
        HeldOut {
            every: cadence(config),
            d_logits: vec![0.0; data.len() * 2],
            data,
        }
    }

    /// Whether step `step` is due for an evaluation.
    pub fn due(&self, step: u64) -> bool {
        step % self.every == 0
    }

    /// Loss and accuracy of the split in eval mode (BatchNorm with its
    /// running statistics), run into `acts` ([`Pass::Infer`]) so that the
    /// training step's buffers stay as they were.
    pub fn evaluate(
        &mut self,
        network: &mut Network,
        acts: &mut Activations,
        step: u64,
    ) -> TestResult {
        let rows = self.data.len();
        let logits = network.forward_with(acts, &self.data.x, rows, Pass::Infer);
        let result = softmax_cross_entropy(logits, &self.data.y, 2, &mut self.d_logits);
        TestResult {
            step,
            loss: result.loss,
            accuracy: result.accuracy,
        }
    }
}

/// Steps between evaluations so that they cost at most [`TEST_COST_SHARE`] of
/// training: a forward pass is a third of a step's matmul work per row.
pub fn cadence(config: &Config) -> u64 {
    let evaluation = config.flops(TEST_SIZE) / 3.0;
    let step = config.flops_per_step();
    (evaluation / (TEST_COST_SHARE * step)).ceil().max(1.0) as u64
}
