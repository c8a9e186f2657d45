//! The MLP: `depth` hidden blocks, an optional final norm and a 2-class head.
//!
//! With `h0 = x` (`rows x d_in`), `N` the layer's normalization and `phi` the
//! activation, hidden block `l` computes (block 1 is always plain):
//!
//! | wiring          | forward                                   |
//! |-----------------|-------------------------------------------|
//! | plain, before   | `a = h W^T + b;  h' = phi(N(a))`          |
//! | plain, after    | `a = h W^T + b;  h' = N(phi(a))`          |
//! | residual pre    | `a = N(h) W^T + b;  h' = h + phi(a)`      |
//! | residual post   | `a = h W^T + b;  h' = N(h + phi(a))`      |
//!
//! `pre` adds a final `N` before the head (as Pre-LN transformers do; only when
//! depth > 1 and norm is not `none`). The head
//! is `logits = h W_o^T + b_o`. Every block caches `a` (`pre`), the input
//! and output of phi (with gelu also its `erf(x / sqrt 2)`, which the
//! backward reuses; not in an inference pass), and its output, which the
//! next block reads as its input where it lies ([`Activations::block_input`]);
//! backward walks the same steps in reverse, each block writing dL/dh of the
//! block before into that block's `d_out`. phi reads `a` in place where no
//! norm comes between, and writes `h'` in place where it is the block's last
//! step ([`Block::phi_input`], [`Block::phi_output`]). So no block copies a
//! buffer of its own into another: phi in place saved 4% of a step at depth
//! 64 x 256 in node 20, the input and dL/dh in place another 2-4%. Left: x
//! into `acts.input`, and without a final norm, the last h into the head's
//! input and its gradient back (one layer's worth, once a step).
//!
//! [`Network`] holds the parameters (and BatchNorm's running statistics) apart
//! from the per-batch buffers (`buffers.rs`): its own [`Activations`] and
//! [`Grads`] for training, while [`Network::forward_with`] runs the one forward
//! implementation into any other [`Activations`] (the decision grid, the
//! held-out split; [`Pass::Infer`]).

use crate::core::activation::Activation;
use crate::core::buffers::{add_into, resize, sum_into, Uses};
pub use crate::core::buffers::{Activations, BlockActs, BlockGrads, Grads};
use crate::core::config::{Config, NormKind, Position, Residual};
use crate::core::init::Rng;
pub use crate::core::linear::{Linear, LinearGrads};
use crate::core::norm::{Norm, NormGrads, Pass};

/// How a block is wired (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiring {
    Plain(Position),
    Pre,
    Post,
}

impl Wiring {
    /// Block `index`'s wiring under `config`: the first block is always plain.
    pub fn of(config: &Config, index: usize) -> Wiring {
        match (config.residual, index) {
            (Residual::None, _) | (_, 0) => Wiring::Plain(config.position),
            (Residual::Pre, _) => Wiring::Pre,
            (Residual::Post, _) => Wiring::Post,
        }
    }
}

/// One hidden layer's parameters: its Linear and its normalization.
#[derive(Debug, Clone)]
pub struct Block {
    pub wiring: Wiring,
    pub activation: Activation,
    pub linear: Linear,
    pub norm: Norm,
}

impl Block {
    fn new(config: &Config, index: usize, fan_in: usize, rng: &mut Rng) -> Block {
        let width = config.width;
        let wiring = Wiring::of(config, index);
        let norm_features = if wiring == Wiring::Pre { fan_in } else { width };
        Block {
            wiring,
            activation: config.activation,
            linear: Linear::new(config, fan_in, width, rng),
            norm: new_norm(config, norm_features),
        }
    }

    /// Whether phi reads `act_in`, N(a): in a plain block that normalizes
    /// before phi. Everywhere else it reads `pre`, a itself, in place
    /// (nothing is copied).
    pub fn phi_reads_act_in(&self) -> bool {
        Uses::of(self).act_in
    }

    /// phi's input among `a`'s buffers (see [`Block::phi_reads_act_in`]).
    pub fn phi_input<'a>(&self, a: &'a BlockActs) -> &'a [f32] {
        match self.phi_reads_act_in() {
            true => &a.act_in,
            false => &a.pre,
        }
    }

    /// phi's output among `a`'s buffers: `out` itself in a plain block with
    /// its norm (any, `none` included) before phi, h = phi(N(a)); `act_out`
    /// everywhere else.
    pub fn phi_output<'a>(&self, a: &'a BlockActs) -> &'a [f32] {
        match Uses::of(self).act_out {
            true => &a.act_out,
            false => &a.out,
        }
    }

    /// Runs the block on `input[..rows * fan_in]` (the block before's `out`,
    /// or the network's input), writing `a.out`.
    fn forward(&mut self, input: &[f32], a: &mut BlockActs, rows: usize, pass: Pass) {
        let n = rows * self.linear.fan_out;
        let phi = self.activation;
        let reads_act_in = self.phi_reads_act_in();
        let norm = &mut self.norm;
        // Empty for an inference pass, which no backward follows
        // (`Network::forward_with` ensures the buffers so): nothing saved.
        let saved = &mut a.phi_saved[..];
        match self.wiring {
            // h = phi(N(a)), written by phi straight into `out`; without a
            // norm, phi reads `a` itself (nothing copied).
            Wiring::Plain(Position::Before) => {
                self.linear.forward(input, rows, &mut a.pre);
                let x = match reads_act_in {
                    true => {
                        norm.forward(&mut a.norm, &a.pre, rows, &mut a.act_in, pass);
                        &a.act_in
                    }
                    false => {
                        norm.pass_through(&mut a.norm, rows, pass);
                        &a.pre
                    }
                };
                phi.forward(&x[..n], &mut a.out[..n], saved);
            }
            Wiring::Plain(Position::After) => {
                self.linear.forward(input, rows, &mut a.pre);
                phi.forward(&a.pre[..n], &mut a.act_out[..n], saved);
                norm.forward(&mut a.norm, &a.act_out, rows, &mut a.out, pass);
            }
            Wiring::Pre => {
                norm.forward(&mut a.norm, input, rows, &mut a.residual_buf, pass);
                self.linear.forward(&a.residual_buf, rows, &mut a.pre);
                phi.forward(&a.pre[..n], &mut a.act_out[..n], saved);
                sum_into(&mut a.out[..n], &input[..n], &a.act_out[..n]);
            }
            Wiring::Post => {
                self.linear.forward(input, rows, &mut a.pre);
                phi.forward(&a.pre[..n], &mut a.act_out[..n], saved);
                sum_into(&mut a.residual_buf[..n], &input[..n], &a.act_out[..n]);
                norm.forward(&mut a.norm, &a.residual_buf, rows, &mut a.out, pass);
            }
        }
    }

    /// From `g.d_out`, writes the parameter gradients, `d_pre` and dL/d
    /// `input` into `d_in` (the block before's `d_out`), which the first
    /// block, always plain, is not given.
    fn backward(
        &self,
        (input, a, g): (&[f32], &BlockActs, &mut BlockGrads),
        d_in: Option<&mut [f32]>,
        rows: usize,
        d_out_t: &mut Vec<f32>,
    ) {
        let n = rows * self.linear.fan_out;
        let phi = self.activation;
        let (norm, linear) = (&self.norm, &self.linear);
        let phi_pass = (
            &self.phi_input(a)[..n],
            &self.phi_output(a)[..n],
            &a.phi_saved[..],
        );
        match self.wiring {
            Wiring::Plain(Position::Before) if !self.phi_reads_act_in() => {
                phi.backward(phi_pass, &g.d_out[..n], &mut g.d_pre[..n]);
                linear.backward(&mut g.linear, input, rows, &g.d_pre, d_in, d_out_t);
            }
            Wiring::Plain(Position::Before) => {
                phi.backward(phi_pass, &g.d_out[..n], &mut g.scratch[..n]);
                norm.backward(&a.norm, &mut g.norm, &g.scratch, &mut g.d_pre);
                linear.backward(&mut g.linear, input, rows, &g.d_pre, d_in, d_out_t);
            }
            Wiring::Plain(Position::After) => {
                norm.backward(&a.norm, &mut g.norm, &g.d_out, &mut g.scratch);
                phi.backward(phi_pass, &g.scratch[..n], &mut g.d_pre[..n]);
                linear.backward(&mut g.linear, input, rows, &g.d_pre, d_in, d_out_t);
            }
            // A residual block is never the first (`Block::new`), so it is
            // always given `d_in`.
            Wiring::Pre => {
                let Some(d_in) = d_in else {
                    unreachable!("a residual block is never the first")
                };
                phi.backward(phi_pass, &g.d_out[..n], &mut g.d_pre[..n]);
                let d_normed = Some(&mut g.scratch[..]);
                let x = &a.residual_buf;
                linear.backward(&mut g.linear, x, rows, &g.d_pre, d_normed, d_out_t);
                norm.backward(&a.norm, &mut g.norm, &g.scratch, d_in);
                add_into(&mut d_in[..n], &g.d_out[..n]);
            }
            Wiring::Post => {
                let Some(d_in) = d_in else {
                    unreachable!("a residual block is never the first")
                };
                norm.backward(&a.norm, &mut g.norm, &g.d_out, &mut g.scratch);
                phi.backward(phi_pass, &g.scratch[..n], &mut g.d_pre[..n]);
                let d_input = Some(&mut *d_in);
                linear.backward(&mut g.linear, input, rows, &g.d_pre, d_input, d_out_t);
                add_into(&mut d_in[..n], &g.scratch[..n]);
            }
        }
    }
}

fn new_norm(config: &Config, features: usize) -> Norm {
    let mut norm = Norm::new(
        config.norm,
        features,
        config.groups,
        config.eps,
        config.momentum,
        config.affine,
    );
    norm.formula = config.formula;
    norm
}

/// Which parameter of which layer an optimizer is updating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Weight,
    Bias,
    Gamma,
    Beta,
}

/// The layer a parameter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Hidden block, 0-based.
    Block(usize),
    FinalNorm,
    Head,
}

/// The whole MLP: its parameters, and the buffers of its training passes.
#[derive(Debug, Clone)]
pub struct Network {
    pub blocks: Vec<Block>,
    /// The final N of residual=pre (None otherwise, or with norm=none).
    pub final_norm: Option<Norm>,
    pub head: Linear,
    /// The last forward pass of training (or of a probe pass).
    pub acts: Activations,
    /// The last backward pass.
    pub grads: Grads,
}

impl Network {
    /// Builds and initializes the network from `rng` (in layer order).
    pub fn new(config: &Config, rng: &mut Rng) -> Network {
        let mut fan_in = config.input_dim();
        let mut blocks = Vec::with_capacity(config.depth);
        for index in 0..config.depth {
            blocks.push(Block::new(config, index, fan_in, rng));
            fan_in = config.width;
        }
        let pre_residual = config.residual == Residual::Pre && config.depth > 1;
        let final_norm =
            (pre_residual && config.norm != NormKind::None).then(|| new_norm(config, config.width));
        let head = Linear::new(config, config.width, 2, rng);
        let block_grads = |block: &Block| BlockGrads {
            linear: LinearGrads::new(&block.linear),
            norm: NormGrads::default(),
            ..Default::default()
        };
        let grads = Grads {
            blocks: blocks.iter().map(block_grads).collect(),
            head: LinearGrads::new(&head),
            ..Default::default()
        };
        Network {
            acts: Activations {
                blocks: vec![BlockActs::default(); blocks.len()],
                ..Default::default()
            },
            blocks,
            final_norm,
            head,
            grads,
        }
    }

    /// The parameters (and running statistics) alone, with empty buffers: a
    /// network to run a pass on without touching this one's.
    pub fn params_only(&self) -> Network {
        Network {
            blocks: self.blocks.clone(),
            final_norm: self.final_norm.clone(),
            head: self.head.clone(),
            acts: Activations::default(),
            grads: Grads::default(),
        }
    }

    /// Rows of the last training (or probe) forward pass.
    pub fn rows(&self) -> usize {
        self.acts.rows
    }

    /// Runs `x (rows x d_in)` through the network into its own buffers; the
    /// logits are in `self.acts.logits`.
    pub fn forward(&mut self, x: &[f32], rows: usize, pass: Pass) {
        let mut acts = std::mem::take(&mut self.acts);
        self.forward_with(&mut acts, x, rows, pass);
        self.acts = acts;
    }

    /// Runs `x (rows x d_in)` through the network into `acts` (grown to
    /// `rows` if needed, never shrunk) and returns the logits (`rows x 2`).
    /// The one forward implementation: training, probe and inference.
    pub fn forward_with<'a>(
        &mut self,
        acts: &'a mut Activations,
        x: &[f32],
        rows: usize,
        pass: Pass,
    ) -> &'a [f32] {
        acts.rows = rows;
        let width = self.head.fan_in;
        acts.blocks.resize_with(self.blocks.len(), Default::default);
        for (a, block) in acts.blocks.iter_mut().zip(&self.blocks) {
            a.ensure(rows, block, block.activation.saves() && pass != Pass::Infer);
        }
        resize(&mut acts.head_in, rows * width);
        resize(&mut acts.logits, rows * 2);
        let d_in = self.blocks[0].linear.fan_in;
        resize(&mut acts.input, rows * d_in);
        acts.input[..rows * d_in].copy_from_slice(&x[..rows * d_in]);
        // Block l reads block l-1's output where it lies (nothing copied).
        for (l, block) in self.blocks.iter_mut().enumerate() {
            let (input, a) = acts.input_and_block(l);
            block.forward(input, a, rows, pass);
        }
        let out = acts
            .blocks
            .last()
            .map_or(&[][..], |last| &last.out[..rows * width]);
        match &mut self.final_norm {
            Some(norm) => norm.forward(&mut acts.final_norm, out, rows, &mut acts.head_in, pass),
            None => acts.head_in[..rows * width].copy_from_slice(out),
        }
        self.head.forward(&acts.head_in, rows, &mut acts.logits);
        &acts.logits[..rows * 2]
    }

    /// Backpropagates `self.grads.d_logits` (dL/dlogits of the last forward
    /// into `self.acts`), writing `self.grads`.
    pub fn backward(&mut self) {
        let (acts, grads) = (&self.acts, &mut self.grads);
        let rows = acts.rows;
        let width = self.head.fan_in;
        let n = rows * width;
        grads
            .blocks
            .resize_with(self.blocks.len(), Default::default);
        for (g, block) in grads.blocks.iter_mut().zip(&self.blocks) {
            g.ensure(rows, block);
        }
        resize(&mut grads.d_head_in, n);
        self.head.backward(
            &mut grads.head,
            &acts.head_in,
            rows,
            &grads.d_logits,
            Some(&mut grads.d_head_in),
            &mut grads.d_out_t,
        );
        let last = self.blocks.len() - 1;
        let d_last = &mut grads.blocks[last].d_out;
        match &self.final_norm {
            Some(norm) => norm.backward(
                &acts.final_norm,
                &mut grads.final_norm,
                &grads.d_head_in,
                d_last,
            ),
            None => d_last[..n].copy_from_slice(&grads.d_head_in[..n]),
        }
        // Block l writes dL/dh_{l-1} straight into block l-1's `d_out`.
        for (l, block) in self.blocks.iter().enumerate().rev() {
            let input = acts.block_input(l);
            let (before, after) = grads.blocks.split_at_mut(l);
            let d_in = before.last_mut().map(|g| &mut g.d_out[..n]);
            let buffers = (input, &acts.blocks[l], &mut after[0]);
            block.backward(buffers, d_in, rows, &mut grads.d_out_t);
        }
    }

    /// Calls `visit(owner, param, values, grads)` for every trainable parameter,
    /// always in the same order (the optimizer keys its state on that order).
    pub fn visit_params(&mut self, mut visit: impl FnMut(Owner, Param, &mut [f32], &[f32])) {
        fn visit_norm(
            norm: &mut Norm,
            grads: &NormGrads,
            owner: Owner,
            visit: &mut impl FnMut(Owner, Param, &mut [f32], &[f32]),
        ) {
            if norm.has_gamma() {
                visit(owner, Param::Gamma, &mut norm.gamma, &grads.dgamma);
            }
            if norm.has_beta() {
                visit(owner, Param::Beta, &mut norm.beta, &grads.dbeta);
            }
        }
        let grads = &self.grads;
        for (l, (block, g)) in self.blocks.iter_mut().zip(&grads.blocks).enumerate() {
            let owner = Owner::Block(l);
            let linear = &mut block.linear;
            visit(owner, Param::Weight, &mut linear.weight, &g.linear.dweight);
            visit(owner, Param::Bias, &mut linear.bias, &g.linear.dbias);
            visit_norm(&mut block.norm, &g.norm, owner, &mut visit);
        }
        if let Some(norm) = &mut self.final_norm {
            visit_norm(norm, &grads.final_norm, Owner::FinalNorm, &mut visit);
        }
        let head = &mut self.head;
        visit(
            Owner::Head,
            Param::Weight,
            &mut head.weight,
            &grads.head.dweight,
        );
        visit(Owner::Head, Param::Bias, &mut head.bias, &grads.head.dbias);
    }
}
