//! A Linear layer `y = x W^T + b`, as `torch.nn.Linear` (W of shape
//! `(fan_out, fan_in)`), with its forward and backward passes on the matrix
//! kernels of `matrix.rs` (the forward reads W by columns: see there). The
//! gradients live apart, in a [`LinearGrads`] that backward writes.

use crate::core::buffers::resize;
use crate::core::config::Config;
use crate::core::init::{LinearInit, Rng};
use crate::core::matrix::{column_sums, gemm, gemm_bias_t, transpose};

/// A Linear layer `y = x W^T + b` with W of shape `(fan_out, fan_in)`.
#[derive(Debug, Clone)]
pub struct Linear {
    pub fan_in: usize,
    pub fan_out: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// The gradients of a [`Linear`], written by its backward pass.
#[derive(Debug, Clone, Default)]
pub struct LinearGrads {
    pub dweight: Vec<f32>,
    pub dbias: Vec<f32>,
}

impl LinearGrads {
    /// Zero gradients for `linear`.
    pub fn new(linear: &Linear) -> LinearGrads {
        LinearGrads {
            dweight: vec![0.0; linear.fan_in * linear.fan_out],
            dbias: vec![0.0; linear.fan_out],
        }
    }
}

impl Linear {
    pub(crate) fn new(config: &Config, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Linear {
        let mut linear = Linear {
            fan_in,
            fan_out,
            weight: vec![0.0; fan_in * fan_out],
            bias: vec![0.0; fan_out],
        };
        let init = LinearInit {
            scheme: config.init,
            scale: config.scale,
            activation: config.activation,
        };
        init.fill(fan_in, fan_out, rng, &mut linear.weight, &mut linear.bias);
        linear
    }

    pub(crate) fn forward(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        let (k, m) = (self.fan_in, self.fan_out);
        gemm_bias_t(x, &self.weight, &self.bias, out, rows, k, m);
    }

    /// Writes `dW = dA^T x`, `db = sum_rows dA` and, if asked, `dx = dA W`.
    /// `d_out_t` is scratch for dA^T (one buffer for the whole network,
    /// `Grads::d_out_t`): the product then reads its left operand by rows,
    /// where reading dA by columns, 4 values at a stride of `fan_out`, missed
    /// L1 as b's panels did (`matrix.rs`).
    pub(crate) fn backward(
        &self,
        grads: &mut LinearGrads,
        x: &[f32],
        rows: usize,
        d_out: &[f32],
        d_in: Option<&mut [f32]>,
        d_out_t: &mut Vec<f32>,
    ) {
        resize(&mut grads.dweight, self.fan_in * self.fan_out);
        resize(&mut grads.dbias, self.fan_out);
        let (n, m) = (self.fan_out, self.fan_in);
        resize(d_out_t, rows * n);
        transpose(&d_out[..rows * n], rows, n, d_out_t);
        gemm(d_out_t, x, &mut grads.dweight, n, rows, m);
        column_sums(&d_out[..rows * self.fan_out], &mut grads.dbias);
        if let Some(d_in) = d_in {
            gemm(d_out, &self.weight, d_in, rows, self.fan_out, self.fan_in);
        }
    }
}

/// Matmul floating-point operations of one forward and backward pass of a
/// `fan_in -> fan_out` Linear on `rows` rows: 2 n k m per product, three
/// products (forward, dW, dX), or two when no layer below needs dX.
pub fn linear_flops(rows: usize, fan_in: usize, fan_out: usize, with_input_grad: bool) -> f64 {
    let products = if with_input_grad { 3.0 } else { 2.0 };
    products * 2.0 * (rows * fan_in * fan_out) as f64
}
