//! Inference without caches: the eval-mode forward pass that the decision-region
//! chart runs on a grid of points. It uses its own scratch buffers and
//! [`Norm::infer`](crate::core::norm::Norm::infer), so the probe pass's caches
//! (what the other charts show) survive it, and it never allocates once its
//! buffers have grown to the largest chunk.

use crate::core::config::Position;
use crate::core::network::{resize, Block, Network, Wiring};

/// Four `rows x width` scratch matrices and the logits.
#[derive(Debug, Clone, Default)]
pub struct InferBuffers {
    h: Vec<f32>,
    out: Vec<f32>,
    tmp: Vec<f32>,
    tmp2: Vec<f32>,
    logits: Vec<f32>,
}

impl Block {
    /// `out = block(x)` in eval mode; `tmp`, `tmp2` are scratch of the same size.
    fn infer(&self, x: &[f32], rows: usize, tmp: &mut [f32], tmp2: &mut [f32], out: &mut [f32]) {
        let n = rows * self.linear.fan_out;
        let phi = self.activation;
        match self.wiring {
            Wiring::Plain(Position::Before) => {
                self.linear.forward(x, rows, tmp);
                self.norm.infer(tmp, rows, tmp2);
                phi.forward(&tmp2[..n], &mut out[..n]);
            }
            Wiring::Plain(Position::After) => {
                self.linear.forward(x, rows, tmp);
                phi.forward(&tmp[..n], &mut tmp2[..n]);
                self.norm.infer(tmp2, rows, out);
            }
            Wiring::Pre => {
                self.norm.infer(x, rows, tmp);
                self.linear.forward(tmp, rows, tmp2);
                phi.forward(&tmp2[..n], &mut tmp[..n]);
                for i in 0..n {
                    out[i] = x[i] + tmp[i];
                }
            }
            Wiring::Post => {
                self.linear.forward(x, rows, tmp);
                phi.forward(&tmp[..n], &mut tmp2[..n]);
                for i in 0..n {
                    tmp2[i] += x[i];
                }
                self.norm.infer(tmp2, rows, out);
            }
        }
    }
}

impl Network {
    /// The logits (`rows x 2`) of `x (rows x d_in)` in eval mode, leaving every
    /// cache of the last forward/backward pass untouched.
    pub fn infer(&mut self, x: &[f32], rows: usize) -> &[f32] {
        let width = self.head.fan_in;
        let d_in = self.blocks[0].linear.fan_in;
        let b = &mut self.infer_buffers;
        for buffer in [&mut b.h, &mut b.out, &mut b.tmp, &mut b.tmp2] {
            resize(buffer, rows * width.max(d_in));
        }
        resize(&mut b.logits, rows * 2);
        b.h[..rows * d_in].copy_from_slice(&x[..rows * d_in]);
        for block in &self.blocks {
            block.infer(&b.h, rows, &mut b.tmp, &mut b.tmp2, &mut b.out);
            std::mem::swap(&mut b.h, &mut b.out);
        }
        let head_in = match &self.final_norm {
            Some(norm) => {
                norm.infer(&b.h, rows, &mut b.out);
                &b.out
            }
            None => &b.h,
        };
        self.head.forward(head_in, rows, &mut b.logits);
        &b.logits[..rows * 2]
    }
}
