//! What a config costs in memory, estimated before anything is built, and
//! the budget that refuses a config whose estimate passes [`MEMORY_BUDGET`].
//!
//! The estimate counts the buffers a [`Scope`](crate::core::scope::Scope)
//! holds once it has trained and drawn (f32 = 4 bytes), with `d` the input
//! width, `w` the width, `b` the batch, `L` the depth:
//!
//! - **parameters**: every Linear's weight and bias; each norm's gamma, beta
//!   and running statistics;
//! - **parameter gradients**: dW, db, dgamma, dbeta;
//! - **optimizer state**: none for `sgd`, one buffer per parameter for
//!   `momentum`, two for `adam`, and one scratch buffer as large as the
//!   largest parameter (each entry's applied update, `optim.rs`);
//! - **training buffers**: what one forward pass writes per row (the
//!   network's input; each block's Linear output, block output, the norm's
//!   cache, and its residual buffer, phi input or output as its wiring uses
//!   them (`buffers::Uses`), and gelu's erf for the backward) and one
//!   backward pass (per block dL/dh, dL/da and, where used, scratch, and one
//!   layer's dL/da transposed for the weight gradient), times `b`;
//! - **BatchNorm eval's second set**: with `norm=batch` and `mode=eval` the
//!   charts show a probe pass in buffers of its own (training and gradient
//!   buffers and dW again). The page checks the config with its new mode
//!   before it switches, so a switch that would pass the budget is refused;
//! - **inference buffers**: the forward buffers of the decision grid and the
//!   held-out split (chunks of 256 rows);
//! - **data and frame**: the dataset, the history, and what one frame holds
//!   (the statistics with their history, a layer's matrix, its bytes).
//!
//! `tests/memory.rs` holds the estimate to the bytes the allocator hands out
//! natively, and `tests/node/memory.test.mjs` to the growth of the wasm
//! memory; docs/network.md gives the figures.

use serde::Serialize;

use crate::core::buffers::Uses;
use crate::core::config::{Config, Mode, NormKind, Optimizer, Residual};
use crate::core::data::{DATASET_SIZE, TEST_SIZE};
use crate::core::error::{Error, Result};
use crate::core::history::HISTORY_CAP;
use crate::core::network::Wiring;
use crate::core::timeline::TIMELINE_CAP;

/// The most memory a config may need: 1 GiB. A phone's browser kills a tab
/// well before wasm32's 4 GiB; the largest config (depth 64, width 512,
/// batch 1024) needed 1.86 GB before the budget. It is estimated at 733 MiB
/// now without a norm and 1341 MiB with LayerNorm, which is refused
/// (docs/network.md).
pub const MEMORY_BUDGET: u64 = 1 << 30;

/// Rows the decision grid and the held-out split run through at a time.
const INFER_ROWS: usize = 256;

/// Estimated bytes of each part of a config's memory (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MemoryEstimate {
    pub parameters: u64,
    pub parameter_grads: u64,
    pub optimizer: u64,
    pub training: u64,
    pub eval_set: u64,
    pub inference: u64,
    pub data_and_frame: u64,
}

/// Counts of f32 values, as the network lays them out.
struct Shapes {
    /// Weights of every Linear (the head included).
    weights: usize,
    /// Biases, norm parameters and running statistics.
    vectors: usize,
    /// Trained vectors: biases, and gamma and beta when the norm is affine.
    trained_vectors: usize,
    /// Forward and backward buffers per row.
    forward_per_row: usize,
    /// Per row, what phi's forward saves for the backward (gelu's erf);
    /// inference passes save nothing.
    saved_per_row: usize,
    backward_per_row: usize,
    /// The largest parameter (the optimizer's scratch buffer).
    largest: usize,
}

impl Shapes {
    fn of(config: &Config) -> Shapes {
        let (d, w, depth) = (config.input_dim(), config.width, config.depth);
        let has_norm = config.norm != NormKind::None;
        let final_norm = config.residual == Residual::Pre && depth > 1 && has_norm;
        let norms = depth + usize::from(final_norm);
        // x_hat; LayerNorm and GroupNorm also cache their input; `none`
        // caches nothing.
        let norm_cache = match config.norm {
            NormKind::Layer | NormKind::Group => 2 * w,
            NormKind::None => 0,
            _ => w,
        };
        // The buffers each block's wiring adds (`buffers::Uses`): the
        // residual buffer, phi's input N(a) or output, and a gradient scratch.
        let uses = (0..depth).map(|l| Uses::new(Wiring::of(config, l), config.norm));
        let count = |used: fn(&Uses) -> bool| uses.clone().filter(used).count();
        let forward_extra = count(|u| u.residual) + count(|u| u.act_in) + count(|u| u.act_out);
        // The network's input; per block: a, h, the norm's cache and the
        // buffers above (a block reads the block before's h: no copy of its
        // input).
        let forward_blocks = d + depth * (2 * w + norm_cache) + forward_extra * w;
        // Per block: dL/dh (which the block after writes), dL/da and the
        // scratch above; once, one layer's dL/da transposed (`Linear::backward`).
        let backward_blocks = depth * 2 * w + count(|u| u.scratch) * w + w;
        let affine = has_norm && config.affine;
        Shapes {
            weights: d * w + (depth - 1) * w * w + 2 * w,
            vectors: depth * w + 2 + norms * 4 * w,
            trained_vectors: depth * w + 2 + if affine { norms * 2 * w } else { 0 },
            // The final norm's cache, the head's input and the logits.
            forward_per_row: forward_blocks + usize::from(final_norm) * norm_cache + w + 2,
            saved_per_row: usize::from(config.activation.saves()) * depth * w,
            // dL/dlogits and the head's dX.
            backward_per_row: backward_blocks + 2 + w,
            largest: (d * w).max(if depth > 1 { w * w } else { 0 }),
        }
    }
}

impl MemoryEstimate {
    /// The estimate for `config` (module docs); nothing is built.
    pub fn of(config: &Config) -> MemoryEstimate {
        let shapes = Shapes::of(config);
        let bytes = |floats: usize| 4 * floats as u64;
        let (b, w, depth) = (config.batch, config.width, config.depth);
        let trained = shapes.weights + shapes.trained_vectors;
        let states = match config.optimizer {
            Optimizer::Sgd => 0,
            Optimizer::Momentum => 1,
            Optimizer::Adam => 2,
        };
        let batch_set =
            b * (shapes.forward_per_row + shapes.saved_per_row + shapes.backward_per_row);
        let eval_set = match (config.norm, config.mode) {
            (NormKind::Batch, Mode::Eval) => {
                bytes(batch_set + shapes.weights + shapes.trained_vectors)
            }
            _ => 0,
        };
        // The history: per record a step, loss, accuracy and L update
        // ratios (8 + 4 + 4 + 4 L bytes); the timeline: per record and layer
        // three bands of nine percentiles, plus its scratch copy of a layer.
        let history = HISTORY_CAP as u64 * (16 + 4 * depth as u64)
            + (TIMELINE_CAP as u64 + 1) * depth as u64 * 3 * 36;
        // A frame: the statistics and history held by the scope, the frame's
        // copy and its bytes; the layer matrix (a, x_hat, output) and its bytes.
        let frame = 3 * history + depth as u64 * 1000 + 2 * bytes(3 * b * w);
        let points = (DATASET_SIZE + TEST_SIZE) * config.input_dim();
        MemoryEstimate {
            parameters: bytes(shapes.weights + shapes.vectors),
            parameter_grads: bytes(shapes.weights + shapes.vectors),
            optimizer: states * bytes(trained) + bytes(shapes.largest),
            training: bytes(batch_set),
            eval_set,
            inference: bytes(INFER_ROWS * shapes.forward_per_row),
            data_and_frame: bytes(points + b * w) + history + frame,
        }
    }

    /// All parts together.
    pub fn total(&self) -> u64 {
        self.parameters
            + self.parameter_grads
            + self.optimizer
            + self.training
            + self.eval_set
            + self.inference
            + self.data_and_frame
    }

    /// In wasm, asks the allocator for the whole estimate in one block and
    /// hands it back before a network is built, so that the wasm memory
    /// grows once and the buffers are carved from what was freed. Buffer by
    /// buffer, dlmalloc grows the memory for each new one, and V8 runs its
    /// garbage collector as the memory grows: building depth 64 x 256 in a
    /// fresh instance took 0.66-0.78 s and its first step 0.42-0.59 s,
    /// against 0.30-0.34 s and 0.15-0.17 s so (node 20, 2-core test machine,
    /// four runs each).
    /// Nothing is reserved where the block cannot be had, nor natively.
    pub fn reserve(&self) {
        #[cfg(target_arch = "wasm32")]
        {
            let mut block = Vec::<u8>::new();
            if block.try_reserve_exact(self.total() as usize).is_ok() {
                // Kept from being optimized away: an unused allocation may be.
                drop(std::hint::black_box(block));
            }
        }
    }

    /// Refuses a config whose estimate passes [`MEMORY_BUDGET`], naming what it
    /// needs and the keys that lower it.
    pub fn check(config: &Config) -> Result<MemoryEstimate> {
        let estimate = MemoryEstimate::of(config);
        if estimate.total() <= MEMORY_BUDGET {
            return Ok(estimate);
        }
        Err(Error::OverBudget {
            needs_mib: estimate.total().div_ceil(1 << 20),
            budget_mib: MEMORY_BUDGET >> 20,
            keys: "depth, width, batch".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng as _, SeedableRng};

    use super::Shapes;
    use crate::core::config::Config;
    use crate::core::init::Rng;
    use crate::core::network::Network;
    use crate::core::norm::{NormCache, Pass};

    /// The floats a forward and a backward pass leave in the network's
    /// buffers are exactly what [`Shapes`] counts per row (the norms'
    /// per-set statistics aside), for every norm, wiring and whether phi
    /// saves anything.
    #[test]
    fn the_buffers_per_row_are_what_a_pass_allocates() {
        let norms = ["none", "batch", "layer", "rms", "group"];
        let wirings = [
            "residual=none",
            "position=after",
            "residual=pre",
            "residual=post",
        ];
        for norm in norms {
            for wiring in wirings {
                for phi in ["tanh", "gelu"] {
                    let query = format!(
                        "depth=3&width=8&batch=4&groups=2&norm={norm}&{wiring}&activation={phi}"
                    );
                    let config: Config = query.parse().unwrap();
                    let shapes = Shapes::of(&config);
                    let rows = config.batch;
                    let expected = (
                        rows * (shapes.forward_per_row + shapes.saved_per_row),
                        rows * shapes.backward_per_row,
                    );
                    assert_eq!(floats_after_a_pass(&config), expected, "{query}");
                }
            }
        }
    }

    /// The estimate and the buffers share `Uses`, so the test above cannot
    /// see a buffer both allocate for nothing: by hand, a plain network
    /// without a norm keeps per block only a, h, dL/dh and dL/da (4 rows of
    /// width 8: 32 floats each). Forward: x (4 x 2), 3 blocks x 2 x 32, the
    /// head's input (32) and the logits (8); backward: dL/dlogits (8), the
    /// head's dX (32), one dL/da transposed (32) and 3 blocks x 2 x 32.
    #[test]
    fn a_plain_network_without_a_norm_keeps_only_its_outputs_and_their_gradients() {
        let config: Config = "depth=3&width=8&batch=4".parse().unwrap();
        assert_eq!(
            floats_after_a_pass(&config),
            (8 + 192 + 32 + 8, 8 + 32 + 32 + 192)
        );
    }

    /// (forward, backward) floats in a network's buffers after one pass.
    fn floats_after_a_pass(config: &Config) -> (usize, usize) {
        let mut rng = Rng::seed_from_u64(7);
        let mut network = Network::new(config, &mut rng);
        let rows = config.batch;
        let x: Vec<f32> = (0..rows * config.input_dim())
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        network.forward(&x, rows, Pass::Train);
        network.grads.d_logits.resize(rows * 2, 0.1);
        network.backward();
        let (acts, grads) = (&network.acts, &network.grads);
        let cache = |c: &NormCache| c.x_hat.len() + c.input.len();
        let blocks = acts.blocks.iter().map(|a| {
            let buffers = [&a.residual_buf, &a.pre, &a.act_in, &a.act_out, &a.out];
            buffers.iter().map(|b| b.len()).sum::<usize>() + a.phi_saved.len() + cache(&a.norm)
        });
        let forward = acts.input.len()
            + acts.head_in.len()
            + acts.logits.len()
            + cache(&acts.final_norm)
            + blocks.sum::<usize>();
        let block_grads = grads
            .blocks
            .iter()
            .map(|g| g.d_out.len() + g.d_pre.len() + g.scratch.len());
        let backward = grads.d_logits.len()
            + grads.d_head_in.len()
            + grads.d_out_t.len()
            + block_grads.sum::<usize>();
        (forward, backward)
    }
}
