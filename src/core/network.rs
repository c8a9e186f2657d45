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
//! is `logits = h W_o^T + b_o`. Every block caches its input, `a` (`pre`), the
//! input and output of phi, and its output; backward walks the same steps in
//! reverse. All buffers are owned and resized only when the row count grows.

use crate::core::activation::Activation;
use crate::core::config::{Config, NormKind, Position, Residual};
use crate::core::init::Rng;
pub use crate::core::linear::Linear;
use crate::core::norm::{Norm, Pass};

/// How a block is wired (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiring {
    Plain(Position),
    Pre,
    Post,
}

/// One hidden layer with its caches. Buffers are `rows x width` unless noted.
#[derive(Debug, Clone)]
pub struct Block {
    pub wiring: Wiring,
    pub activation: Activation,
    pub linear: Linear,
    pub norm: Norm,
    /// `h_{l-1}` (`rows x fan_in`).
    pub input: Vec<f32>,
    /// Residual pre: `N(h_{l-1})`, the Linear's input. Post: `h_{l-1} + phi(a)`.
    pub residual_buf: Vec<f32>,
    /// `a`, the Linear output.
    pub pre: Vec<f32>,
    /// The input and output of phi.
    pub act_in: Vec<f32>,
    pub act_out: Vec<f32>,
    /// `h_l`.
    pub out: Vec<f32>,
    /// dL/dh_l, dL/da and dL/dh_{l-1}.
    pub d_out: Vec<f32>,
    pub d_pre: Vec<f32>,
    pub d_in: Vec<f32>,
    scratch: Vec<f32>,
}

/// Grows `buffer` to at least `len` entries (never shrinks: no reallocation
/// once the largest row count has been seen).
pub(crate) fn resize(buffer: &mut Vec<f32>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
}

impl Block {
    fn new(config: &Config, index: usize, fan_in: usize, rng: &mut Rng) -> Block {
        let width = config.width;
        let wiring = match (config.residual, index) {
            (Residual::None, _) | (_, 0) => Wiring::Plain(config.position),
            (Residual::Pre, _) => Wiring::Pre,
            (Residual::Post, _) => Wiring::Post,
        };
        let norm_features = if wiring == Wiring::Pre { fan_in } else { width };
        Block {
            wiring,
            activation: config.activation,
            linear: Linear::new(config, fan_in, width, rng),
            norm: new_norm(config, norm_features),
            input: Vec::new(),
            residual_buf: Vec::new(),
            pre: Vec::new(),
            act_in: Vec::new(),
            act_out: Vec::new(),
            out: Vec::new(),
            d_out: Vec::new(),
            d_pre: Vec::new(),
            d_in: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn ensure_rows(&mut self, rows: usize) {
        let (n_in, n) = (rows * self.linear.fan_in, rows * self.linear.fan_out);
        for buffer in [&mut self.input, &mut self.residual_buf, &mut self.d_in] {
            resize(buffer, n_in.max(n));
        }
        for buffer in [
            &mut self.pre,
            &mut self.act_in,
            &mut self.act_out,
            &mut self.out,
            &mut self.d_out,
            &mut self.d_pre,
            &mut self.scratch,
        ] {
            resize(buffer, n);
        }
    }

    /// Runs the block on `self.input[..rows * fan_in]`, writing `self.out`.
    fn forward(&mut self, rows: usize, pass: Pass) {
        let n = rows * self.linear.fan_out;
        let phi = self.activation;
        match self.wiring {
            Wiring::Plain(Position::Before) => {
                self.linear.forward(&self.input, rows, &mut self.pre);
                self.norm.forward(&self.pre, rows, &mut self.act_in, pass);
                phi.forward(&self.act_in[..n], &mut self.act_out[..n]);
                self.out[..n].copy_from_slice(&self.act_out[..n]);
            }
            Wiring::Plain(Position::After) => {
                self.linear.forward(&self.input, rows, &mut self.pre);
                self.act_in[..n].copy_from_slice(&self.pre[..n]);
                phi.forward(&self.act_in[..n], &mut self.act_out[..n]);
                self.norm.forward(&self.act_out, rows, &mut self.out, pass);
            }
            Wiring::Pre => {
                self.norm
                    .forward(&self.input, rows, &mut self.residual_buf, pass);
                self.linear.forward(&self.residual_buf, rows, &mut self.pre);
                self.act_in[..n].copy_from_slice(&self.pre[..n]);
                phi.forward(&self.act_in[..n], &mut self.act_out[..n]);
                for i in 0..n {
                    self.out[i] = self.input[i] + self.act_out[i];
                }
            }
            Wiring::Post => {
                self.linear.forward(&self.input, rows, &mut self.pre);
                self.act_in[..n].copy_from_slice(&self.pre[..n]);
                phi.forward(&self.act_in[..n], &mut self.act_out[..n]);
                for i in 0..n {
                    self.residual_buf[i] = self.input[i] + self.act_out[i];
                }
                self.norm
                    .forward(&self.residual_buf, rows, &mut self.out, pass);
            }
        }
    }

    /// From `self.d_out`, writes the parameter gradients, `d_pre` and (unless
    /// this is the first block) `d_in`.
    fn backward(&mut self, rows: usize, need_input_grad: bool) {
        let n = rows * self.linear.fan_out;
        let phi = self.activation;
        let d_in = if need_input_grad {
            Some(&mut self.d_in[..])
        } else {
            None
        };
        match self.wiring {
            Wiring::Plain(Position::Before) => {
                let (act_in, act_out) = (&self.act_in[..n], &self.act_out[..n]);
                phi.backward(act_in, act_out, &self.d_out[..n], &mut self.scratch[..n]);
                self.norm.backward(&self.scratch, &mut self.d_pre);
                self.linear.backward(&self.input, rows, &self.d_pre, d_in);
            }
            Wiring::Plain(Position::After) => {
                self.norm.backward(&self.d_out, &mut self.scratch);
                let (act_in, act_out) = (&self.act_in[..n], &self.act_out[..n]);
                phi.backward(act_in, act_out, &self.scratch[..n], &mut self.d_pre[..n]);
                self.linear.backward(&self.input, rows, &self.d_pre, d_in);
            }
            Wiring::Pre => {
                let (act_in, act_out) = (&self.act_in[..n], &self.act_out[..n]);
                phi.backward(act_in, act_out, &self.d_out[..n], &mut self.d_pre[..n]);
                let d_normed = Some(&mut self.scratch[..]);
                self.linear
                    .backward(&self.residual_buf, rows, &self.d_pre, d_normed);
                self.norm.backward(&self.scratch, &mut self.d_in);
                for i in 0..n {
                    self.d_in[i] += self.d_out[i];
                }
            }
            Wiring::Post => {
                self.norm.backward(&self.d_out, &mut self.scratch);
                let (act_in, act_out) = (&self.act_in[..n], &self.act_out[..n]);
                phi.backward(act_in, act_out, &self.scratch[..n], &mut self.d_pre[..n]);
                self.linear.backward(&self.input, rows, &self.d_pre, d_in);
                for i in 0..n {
                    self.d_in[i] += self.scratch[i];
                }
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

/// The whole MLP.
#[derive(Debug, Clone)]
pub struct Network {
    pub blocks: Vec<Block>,
    /// The final N of residual=pre (None otherwise, or with norm=none).
    pub final_norm: Option<Norm>,
    pub head: Linear,
    /// The head's input (the final norm's output, or the last block's output).
    pub head_in: Vec<f32>,
    pub logits: Vec<f32>,
    pub d_logits: Vec<f32>,
    d_head_in: Vec<f32>,
    rows: usize,
    /// Scratch of [`Network::infer`], apart from the probe pass's caches.
    pub(crate) infer_buffers: crate::core::infer::InferBuffers,
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
        Network {
            blocks,
            final_norm,
            head,
            head_in: Vec::new(),
            logits: Vec::new(),
            d_logits: Vec::new(),
            d_head_in: Vec::new(),
            rows: 0,
            infer_buffers: Default::default(),
        }
    }

    /// Rows of the last forward pass.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Runs `x (rows x d_in)` through the network; the logits are in `self.logits`.
    pub fn forward(&mut self, x: &[f32], rows: usize, pass: Pass) {
        self.rows = rows;
        let width = self.head.fan_in;
        for block in &mut self.blocks {
            block.ensure_rows(rows);
        }
        resize(&mut self.head_in, rows * width);
        resize(&mut self.d_head_in, rows * width);
        resize(&mut self.logits, rows * 2);
        resize(&mut self.d_logits, rows * 2);
        let d_in = self.blocks[0].linear.fan_in;
        self.blocks[0].input[..rows * d_in].copy_from_slice(&x[..rows * d_in]);
        for l in 0..self.blocks.len() {
            self.blocks[l].forward(rows, pass);
            let (done, rest) = self.blocks.split_at_mut(l + 1);
            let out = &done[l].out[..rows * width];
            match rest.first_mut() {
                Some(next) => next.input[..rows * width].copy_from_slice(out),
                None => match &mut self.final_norm {
                    Some(norm) => norm.forward(out, rows, &mut self.head_in, pass),
                    None => self.head_in[..rows * width].copy_from_slice(out),
                },
            }
        }
        self.head.forward(&self.head_in, rows, &mut self.logits);
    }

    /// Backpropagates `self.d_logits` (dL/dlogits of the last forward).
    pub fn backward(&mut self) {
        let rows = self.rows;
        let width = self.head.fan_in;
        let n = rows * width;
        self.head.backward(
            &self.head_in,
            rows,
            &self.d_logits,
            Some(&mut self.d_head_in),
        );
        let last = self.blocks.len() - 1;
        match &mut self.final_norm {
            Some(norm) => norm.backward(&self.d_head_in, &mut self.blocks[last].d_out),
            None => self.blocks[last].d_out[..n].copy_from_slice(&self.d_head_in[..n]),
        }
        for l in (0..self.blocks.len()).rev() {
            self.blocks[l].backward(rows, l > 0);
            if l > 0 {
                let (before, after) = self.blocks.split_at_mut(l);
                before[l - 1].d_out[..n].copy_from_slice(&after[0].d_in[..n]);
            }
        }
    }

    /// Calls `visit(owner, param, values, grads)` for every trainable parameter,
    /// always in the same order (the optimizer keys its state on that order).
    pub fn visit_params(&mut self, mut visit: impl FnMut(Owner, Param, &mut [f32], &[f32])) {
        fn visit_norm(
            norm: &mut Norm,
            owner: Owner,
            visit: &mut impl FnMut(Owner, Param, &mut [f32], &[f32]),
        ) {
            if norm.has_gamma() {
                visit(owner, Param::Gamma, &mut norm.gamma, &norm.dgamma);
            }
            if norm.has_beta() {
                visit(owner, Param::Beta, &mut norm.beta, &norm.dbeta);
            }
        }
        for (l, block) in self.blocks.iter_mut().enumerate() {
            let owner = Owner::Block(l);
            let linear = &mut block.linear;
            visit(owner, Param::Weight, &mut linear.weight, &linear.dweight);
            visit(owner, Param::Bias, &mut linear.bias, &linear.dbias);
            linear.sync();
            visit_norm(&mut block.norm, owner, &mut visit);
        }
        if let Some(norm) = &mut self.final_norm {
            visit_norm(norm, Owner::FinalNorm, &mut visit);
        }
        visit(
            Owner::Head,
            Param::Weight,
            &mut self.head.weight,
            &self.head.dweight,
        );
        visit(
            Owner::Head,
            Param::Bias,
            &mut self.head.bias,
            &self.head.dbias,
        );
        self.head.sync();
    }
}
