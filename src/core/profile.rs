//! Where a training step's time goes, for `cargo xtask bench`: each kind of
//! work of one step (matmuls, norms, activations, loss, optimizer) run alone
//! over every layer, on a copy of the network with the step's own buffers and
//! shapes, repeated until `min_ms` have passed; plus the statistics a frame
//! measures after a step (`Stats::measure`) and one record of the
//! distributions over time (`timeline.rs`: every layer's percentile bands,
//! recorded after every step for the first 256 steps, then after every 2nd,
//! 4th, ...). What a step spends beside the step's parts (copies, residual
//! sums, update ratios, history with its timeline records, held-out
//! evaluation) is the step's time minus their sum, which the bench prints as
//! "other".
//!
//! The clock is the caller's (milliseconds), so the core stays free of the
//! browser: `Instant` natively, `Date.now()` in wasm.

use serde::Serialize;

use crate::core::buffers::resize;
use crate::core::config::NormKind;
use crate::core::loss::softmax_cross_entropy;
use crate::core::network::{Network, Wiring};
use crate::core::norm::Pass;
use crate::core::scope::Scope;
use crate::core::stats::{Detail, Stats};
use crate::core::timeline::{Timeline, TIMELINE_CAP};

/// Milliseconds of each part, per training step (statistics: per frame).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Breakdown {
    /// Forward, dW and dX products of every Linear and the head.
    pub matmuls: f64,
    /// Forward and backward of every normalization that is not `none` (the
    /// final one included).
    pub norms: f64,
    /// Forward and backward of every activation.
    pub activations: f64,
    /// Softmax cross-entropy and its gradient.
    pub loss: f64,
    /// The parameter update.
    pub optimizer: f64,
    /// The per-layer statistics of one frame.
    pub statistics: f64,
    /// One record of the timeline's percentile bands (part of a step when
    /// the step falls on the timeline's stride, so part of "other").
    pub timeline: f64,
}

/// Times the parts of one training step of `scope`'s network on its batch.
pub fn breakdown(scope: &Scope, clock: &dyn Fn() -> f64, min_ms: f64) -> Breakdown {
    let mut network = scope.network().clone();
    let mut optimizer = scope.optimizer().clone();
    let (x, y) = scope.batch();
    let rows = y.len();
    // One whole pass first, so that every buffer has its size.
    network.forward(x, rows, Pass::ProbeTrain);
    network.grads.d_logits.resize(rows * 2, 0.0);
    loss(&mut network, y);
    network.backward();
    // The norms part writes every norm's output to `act_in`, the activations
    // part phi's output to `scratch`: buffers a block's wiring may leave
    // empty (`buffers::Uses`).
    for ((a, g), block) in network
        .acts
        .blocks
        .iter_mut()
        .zip(&mut network.grads.blocks)
        .zip(&network.blocks)
    {
        let n = rows * block.linear.fan_in.max(block.linear.fan_out);
        resize(&mut a.act_in, n);
        resize(&mut g.scratch, n);
    }
    let time = |part: &mut dyn FnMut()| {
        let (start, mut calls) = (clock(), 0u32);
        while calls < 2 || clock() - start < min_ms {
            part();
            calls += 1;
        }
        (clock() - start) / calls as f64
    };
    Breakdown {
        matmuls: time(&mut || matmuls(&mut network)),
        norms: time(&mut || norms(&mut network)),
        activations: time(&mut || activations(&mut network)),
        loss: time(&mut || loss(&mut network, y)),
        optimizer: time(&mut || {
            let mut index = 0;
            optimizer.begin_step();
            network.visit_params(|_, _, values, grads| {
                optimizer.update(index, values, grads);
                index += 1;
            });
        }),
        statistics: time(&mut || {
            let weight_std = scope.weight_std();
            std::hint::black_box(Stats::measure(&network, &[], weight_std, Detail::Charts));
        }),
        timeline: {
            let mut timeline = Timeline::new(network.blocks.len());
            time(&mut || record(&mut timeline, &network))
        },
    }
}

/// One timeline record of `network`, on every call: step 0 lies on every
/// stride, and the timeline starts over before it reaches the cap, so it
/// never thins. (Counting the steps up instead skipped every other call
/// after 256 records, 3 of 4 after 512, ...: the bench put S's record at a
/// quarter of its cost.)
fn record(timeline: &mut Timeline, network: &Network) {
    if timeline.steps.len() == TIMELINE_CAP {
        *timeline = Timeline::new(network.blocks.len());
    }
    timeline.record_network(0, network);
}

fn loss(network: &mut Network, labels: &[u8]) {
    let logits = &network.acts.logits[..labels.len() * 2];
    std::hint::black_box(softmax_cross_entropy(
        logits,
        labels,
        2,
        &mut network.grads.d_logits,
    ));
}

/// The three products of every Linear, as in a step.
fn matmuls(network: &mut Network) {
    let Network {
        blocks,
        head,
        acts,
        grads,
        ..
    } = network;
    let rows = acts.rows;
    for (l, block) in blocks.iter().enumerate() {
        // As the step: block l reads block l-1's output and writes dL/dh_{l-1}
        // into block l-1's `d_out`.
        let (input, a) = acts.input_and_block(l);
        let input = match block.wiring {
            Wiring::Pre => &a.residual_buf[..],
            _ => input,
        };
        block.linear.forward(input, rows, &mut a.pre);
        let (before, after) = grads.blocks.split_at_mut(l);
        let g = &mut after[0];
        let d_in = before.last_mut().map(|g| &mut g.d_out[..]);
        let d_out_t = &mut grads.d_out_t;
        block
            .linear
            .backward(&mut g.linear, input, rows, &g.d_pre, d_in, d_out_t);
    }
    head.forward(&acts.head_in, rows, &mut acts.logits);
    let d_head_in = Some(&mut grads.d_head_in[..]);
    head.backward(
        &mut grads.head,
        &acts.head_in,
        rows,
        &grads.d_logits,
        d_head_in,
        &mut grads.d_out_t,
    );
}

/// Forward (train mode) and backward of every norm but `none`, on tensors of
/// its shape.
fn norms(network: &mut Network) {
    let Network {
        blocks,
        final_norm,
        acts,
        grads,
        ..
    } = network;
    let rows = acts.rows;
    for (block, (a, g)) in blocks
        .iter_mut()
        .zip(acts.blocks.iter_mut().zip(grads.blocks.iter_mut()))
    {
        // `none` normalizes nothing: a plain block with position=before skips
        // it, and the copy that stands in for it elsewhere (position=after,
        // residual blocks) is part of "other".
        if block.norm.kind == NormKind::None {
            continue;
        }
        // Every norm has `width` features but layer 1's under residual=pre,
        // which is a plain block: the Linear output has its shape.
        block
            .norm
            .forward(&mut a.norm, &a.pre, rows, &mut a.act_in, Pass::Train);
        block
            .norm
            .backward(&a.norm, &mut g.norm, &g.d_out, &mut g.scratch);
    }
    if let (Some(norm), Some(a), Some(g)) =
        (final_norm, acts.blocks.last_mut(), grads.blocks.last_mut())
    {
        norm.forward(
            &mut acts.final_norm,
            &a.out,
            rows,
            &mut a.act_in,
            Pass::Train,
        );
        norm.backward(
            &acts.final_norm,
            &mut grads.final_norm,
            &g.d_out,
            &mut g.scratch,
        );
    }
}

/// Forward and backward of every activation.
fn activations(network: &mut Network) {
    let rows = network.acts.rows;
    let layers = network
        .acts
        .blocks
        .iter_mut()
        .zip(network.grads.blocks.iter_mut());
    for (block, (a, g)) in network.blocks.iter().zip(layers) {
        let n = rows * block.linear.fan_out;
        let phi = block.activation;
        // phi's output goes to the gradients' scratch (as large), and its
        // saved values are held aside, so that phi's input is where the
        // step reads it (`Block::phi_input`) while both are written.
        let mut saved = std::mem::take(&mut a.phi_saved);
        let (x, y) = (&block.phi_input(a)[..n], &mut g.scratch[..n]);
        phi.forward(x, y, &mut saved);
        phi.backward((x, y, &saved), &g.d_out[..n], &mut g.d_pre[..n]);
        a.phi_saved = saved;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Config;

    /// The timed record never skips a call, past the cap too.
    #[test]
    fn every_timed_call_records() {
        let config: Config = "depth=2&width=4&batch=3".parse().expect("config");
        let mut scope = Scope::new(config).expect("scope");
        scope.step(1);
        let mut timeline = Timeline::new(2);
        for call in 0..3 * TIMELINE_CAP {
            record(&mut timeline, scope.network());
            assert_eq!(timeline.steps.len(), call % TIMELINE_CAP + 1, "call {call}");
        }
    }
}
