//! Which pass the charts show (docs/network.md, "Which pass the charts
//! show"): the last training step's, whose buffers the network holds after
//! the step, or a probe pass where there is none (step 0, BatchNorm
//! `mode=eval`, a snapshot). One function, [`forward_backward`], runs the
//! training step's pass and every probe pass.

use super::Scope;
use crate::core::config::{Mode, NormKind};
use crate::core::data::Batcher;
use crate::core::loss::{softmax_cross_entropy, CrossEntropy};
use crate::core::network::Network;
use crate::core::norm::Pass;
use crate::core::stats::{Detail, Stats};

/// Where the displayed pass lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// In the network's own buffers.
    Own,
    /// In `eval_probe`.
    EvalProbe,
}

impl Scope {
    /// Where the displayed pass is and its loss, after running the probe
    /// pass it needs (module docs), once per state.
    fn prepare(&mut self) -> (Shown, CrossEntropy) {
        let batch_norm = self.config.norm == NormKind::Batch;
        if self.step > 0 && self.config.mode == Mode::Eval && batch_norm {
            let ce = match self.eval_probe_loss {
                Some(ce) => ce,
                None => {
                    self.swap_eval_probe();
                    let ce = probe(&mut self.network, &self.batcher, self.config.mode);
                    self.swap_eval_probe();
                    *self.eval_probe_loss.insert(ce)
                }
            };
            return (Shown::EvalProbe, ce);
        }
        let ce = match self.own_loss {
            Some(ce) => ce,
            None => {
                *self
                    .own_loss
                    .insert(probe(&mut self.network, &self.batcher, self.config.mode))
            }
        };
        (Shown::Own, ce)
    }

    /// Swaps the eval probe's buffers with the network's own (no copy).
    fn swap_eval_probe(&mut self) {
        let (acts, grads) = &mut *self.eval_probe;
        std::mem::swap(&mut self.network.acts, acts);
        std::mem::swap(&mut self.network.grads, grads);
    }

    /// Runs `f` with the network holding the displayed pass in its buffers,
    /// and that pass's loss.
    pub(super) fn with_shown<R>(&mut self, f: impl FnOnce(&Scope, CrossEntropy) -> R) -> R {
        let (shown, loss) = self.prepare();
        let swap = shown == Shown::EvalProbe;
        if swap {
            self.swap_eval_probe();
        }
        let result = f(self, loss);
        if swap {
            self.swap_eval_probe();
        }
        result
    }

    /// The statistics of the pass in `network`'s buffers, whose loss is `ce`,
    /// with the histograms of `detail`.
    pub(super) fn measure(&self, network: &Network, ce: CrossEntropy, detail: Detail) -> Stats {
        let layers = Stats::measure(network, &self.update_ratio, &self.weight_std, detail);
        let nonfinite = layers
            .iter()
            .map(|s| s.pre.nonfinite + s.out.nonfinite + s.grad.nonfinite + s.grad_pre.nonfinite)
            .sum();
        Stats {
            step: self.step,
            loss: ce.loss,
            accuracy: ce.accuracy,
            nonfinite_logits: ce.nonfinite_logits,
            nonfinite,
            diverged: self.diverged.clone(),
            test: Some(self.test),
            theory: Some(self.theory()),
            layers,
            history: self.history.clone(),
        }
    }

    /// A probe pass: forward and backward on the current batch with the
    /// current parameters, in the config's mode, run on a copy of the
    /// parameters ([`Network::params_only`]) so that nothing here changes.
    /// Returns that network, its buffers filled, and its statistics with the
    /// histograms of `detail`.
    pub fn probe_pass(&self, detail: Detail) -> (Network, Stats) {
        let mut network = self.network.params_only();
        let ce = probe(&mut network, &self.batcher, self.config.mode);
        let stats = self.measure(&network, ce, detail);
        (network, stats)
    }
}

/// A probe pass of `network` on the batch in `mode`: batch statistics
/// without updating a running statistic, or (eval) the running statistics.
fn probe(network: &mut Network, batch: &Batcher, mode: Mode) -> CrossEntropy {
    let pass = match mode {
        Mode::Train => Pass::ProbeTrain,
        Mode::Eval => Pass::Eval,
    };
    forward_backward(network, (&batch.x, &batch.y), pass)
}

/// A forward pass of `pass` on the batch `(x, y)` into the network's own
/// buffers, the loss, and the backward pass: the training step's and every
/// probe pass's (one code path, so that their statistics agree bit for bit).
pub(super) fn forward_backward(
    network: &mut Network,
    (x, y): (&[f32], &[u8]),
    pass: Pass,
) -> CrossEntropy {
    let rows = y.len();
    network.forward(x, rows, pass);
    let d_logits = &mut network.grads.d_logits;
    crate::core::buffers::resize(d_logits, rows * 2);
    let ce = softmax_cross_entropy(&network.acts.logits[..rows * 2], y, 2, d_logits);
    network.backward();
    ce
}
