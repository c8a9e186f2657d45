//! The per-batch buffers of a [`Network`](crate::core::network::Network),
//! apart from its parameters (llm.c keeps params, activations and grads in
//! separate structs; so do we): [`Activations`] is what one forward pass
//! writes, [`Grads`] what one backward pass writes. Training owns one pair;
//! the decision grid and the held-out split run the same forward pass into
//! an [`Activations`] of their own, so the training step's caches (what the
//! charts show) survive them. Every buffer grows to the largest row count it
//! has seen and is reused after: no allocation per step or per frame.

use crate::core::config::{NormKind, Position};
use crate::core::linear::LinearGrads;
use crate::core::network::{Block, Wiring};
use crate::core::norm::{NormCache, NormGrads};

/// Grows `buffer` to at least `len` entries (never shrinks: no reallocation
/// once the largest row count has been seen).
pub(crate) fn resize(buffer: &mut Vec<f32>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

/// `out = a + b` elementwise (the residual sum).
pub(crate) fn sum_into(out: &mut [f32], a: &[f32], b: &[f32]) {
    debug_assert!(a.len() == out.len() && b.len() == out.len());
    for ((out, &a), &b) in out.iter_mut().zip(a).zip(b) {
        *out = a + b;
    }
}

/// `acc += x` elementwise (the residual's share of a gradient).
pub(crate) fn add_into(acc: &mut [f32], x: &[f32]) {
    debug_assert_eq!(acc.len(), x.len());
    for (acc, &x) in acc.iter_mut().zip(x) {
        *acc += x;
    }
}

/// Which of a block's optional buffers its wiring writes and reads; the
/// others stay empty (at depth 64, width 512, batch 1024 each is 128 MiB
/// over the network; `memory.rs` counts the same):
///
/// | wiring | `residual_buf` | `act_in` | `act_out` | dL `scratch` |
/// |---|---|---|---|---|
/// | plain, norm before phi, `none` | | | | |
/// | plain, norm before phi | | yes | | yes |
/// | plain, norm after phi | | | yes | yes |
/// | residual `pre` or `post` | yes | | yes | yes |
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Uses {
    pub residual: bool,
    pub act_in: bool,
    pub act_out: bool,
    pub scratch: bool,
}

impl Uses {
    /// The buffers of a block wired `wiring` with a norm of kind `norm`
    /// (the table above): phi reads N(a) from `act_in` in a plain block
    /// that normalizes before phi, and writes `act_out` wherever it is not
    /// the block's last step; a gradient scratch goes with either.
    pub(crate) fn new(wiring: Wiring, norm: NormKind) -> Uses {
        let plain_before = wiring == Wiring::Plain(Position::Before);
        let act_in = plain_before && norm != NormKind::None;
        let act_out = !plain_before;
        Uses {
            residual: matches!(wiring, Wiring::Pre | Wiring::Post),
            act_in,
            act_out,
            scratch: act_in || act_out,
        }
    }

    pub(crate) fn of(block: &Block) -> Uses {
        Uses::new(block.wiring, block.norm.kind)
    }
}

/// What one hidden block's forward pass writes. `rows x width` unless noted;
/// a buffer the block's wiring does not use stays empty ([`Uses`]).
#[derive(Debug, Clone, Default)]
pub struct BlockActs {
    /// Residual pre: `N(h_{l-1})`, the Linear's input. Post: `h_{l-1} + phi(a)`.
    pub residual_buf: Vec<f32>,
    /// `a`, the Linear output.
    pub pre: Vec<f32>,
    /// The input and output of phi where they are not `pre` and `out`
    /// themselves: phi reads `pre` in place unless a norm comes between
    /// (`act_in` = N(a), plain blocks before phi), and writes `out` directly
    /// in plain blocks before phi (`Block::phi_input`, `Block::phi_output`).
    pub act_in: Vec<f32>,
    pub act_out: Vec<f32>,
    /// `h_l`.
    pub out: Vec<f32>,
    /// What phi's forward saves for its backward (gelu's `erf(x / sqrt 2)`:
    /// `Activation::saves`); empty for the other activations.
    pub phi_saved: Vec<f32>,
    /// The normalization's cache (x_hat, per-set mean and rstd).
    pub norm: NormCache,
}

impl BlockActs {
    /// Grows the buffers `block` uses to `rows` rows; `phi_saved` only
    /// where `saves`, else it is emptied (keeping its allocation).
    pub(crate) fn ensure(&mut self, rows: usize, block: &Block, saves: bool) {
        let (n_in, n) = (rows * block.linear.fan_in, rows * block.linear.fan_out);
        let uses = Uses::of(block);
        if uses.residual {
            resize(&mut self.residual_buf, n_in.max(n));
        }
        // A pass that saves nothing leaves nothing a backward could take
        // for its own: the erf of an earlier pass would be stale.
        match saves {
            true => resize(&mut self.phi_saved, n),
            false => self.phi_saved.clear(),
        }
        if uses.act_in {
            resize(&mut self.act_in, n);
        }
        if uses.act_out {
            resize(&mut self.act_out, n);
        }
        resize(&mut self.pre, n);
        resize(&mut self.out, n);
    }
}

/// What one hidden block's backward pass writes.
#[derive(Debug, Clone, Default)]
pub struct BlockGrads {
    /// dL/dW and dL/db of the Linear.
    pub linear: LinearGrads,
    /// dL/dgamma and dL/dbeta of the norm.
    pub norm: NormGrads,
    /// dL/dh_l (written by the block after, or for the last block by the
    /// final norm or the head) and dL/da.
    pub d_out: Vec<f32>,
    pub d_pre: Vec<f32>,
    pub(crate) scratch: Vec<f32>,
}

impl BlockGrads {
    /// Grows the buffers `block` uses to `rows` rows ([`Uses`]).
    pub(crate) fn ensure(&mut self, rows: usize, block: &Block) {
        let n = rows * block.linear.fan_out;
        resize(&mut self.d_out, n);
        resize(&mut self.d_pre, n);
        if Uses::of(block).scratch {
            resize(&mut self.scratch, n);
        }
    }
}

/// Everything one forward pass writes: per block, the final norm's cache,
/// the head's input and the logits.
#[derive(Debug, Clone, Default)]
pub struct Activations {
    /// x, the network's input (`rows x d_in`): block 1's input. Block l > 1
    /// reads block l-1's `out`.
    pub input: Vec<f32>,
    pub blocks: Vec<BlockActs>,
    pub final_norm: NormCache,
    /// The head's input (the final norm's output, or the last block's output).
    pub head_in: Vec<f32>,
    /// `rows x 2`.
    pub logits: Vec<f32>,
    /// Rows of the last forward pass.
    pub rows: usize,
}

impl Activations {
    /// The input of hidden block `l` (0-based): the network's input for the
    /// first, else the block before's output, where it lies.
    pub fn block_input(&self, l: usize) -> &[f32] {
        match l {
            0 => &self.input,
            _ => &self.blocks[l - 1].out,
        }
    }

    /// Block `l`'s input (as [`Activations::block_input`]) beside its own
    /// buffers, to write: what a forward pass of block `l` takes.
    pub(crate) fn input_and_block(&mut self, l: usize) -> (&[f32], &mut BlockActs) {
        let (done, rest) = self.blocks.split_at_mut(l);
        let input = done
            .last()
            .map_or(&self.input[..], |before| &before.out[..]);
        (input, &mut rest[0])
    }
}

/// Everything one backward pass writes, from dL/dlogits down.
#[derive(Debug, Clone, Default)]
pub struct Grads {
    pub blocks: Vec<BlockGrads>,
    pub final_norm: NormGrads,
    pub head: LinearGrads,
    /// dL/dlogits, the backward pass's input (`rows x 2`).
    pub d_logits: Vec<f32>,
    pub(crate) d_head_in: Vec<f32>,
    /// Scratch for one layer's dL/da transposed (`Linear::backward`).
    pub(crate) d_out_t: Vec<f32>,
}
