//! Weight initialization, as `torch.nn.init` (fans of a Linear weight of shape
//! `(out, in)`: fan_in = in, fan_out = out; gains from `calculate_gain`).
//!
//! | scheme          | distribution                                      | `scale` is        |
//! |-----------------|---------------------------------------------------|-------------------|
//! | zeros           | 0                                                 | ignored           |
//! | normal          | N(0, s^2)                                         | sigma s           |
//! | uniform         | U(-a, a)                                          | bound a           |
//! | xavier_uniform  | U(-a, a), a = g sqrt(6 / (fan_in + fan_out))      | gain g            |
//! | xavier_normal   | N(0, s^2), s = g sqrt(2 / (fan_in + fan_out))     | gain g            |
//! | kaiming_uniform | U(-b, b), b = sqrt 3 * k gain / sqrt fan_in       | multiplier k      |
//! | kaiming_normal  | N(0, s^2), s = k gain / sqrt fan_in               | multiplier k      |
//! | lecun_normal    | N(0, s^2), s = k / sqrt fan_in (untruncated)      | multiplier k      |
//! | orthogonal      | QR of a Gaussian matrix, sign-fixed; W^T W = g^2 I | gain g           |
//! | torch_default   | nn.Linear: U(-b, b), b = k / sqrt fan_in (kaiming_uniform a=sqrt 5); bias U(+-1/sqrt fan_in) | multiplier k (weight) |
//!
//! `gain` is the activation's torch gain (tanh 5/3, relu sqrt 2, ...); torch has
//! none for GELU and normscope uses sqrt 2 (see `activation.rs`). Kaiming uses
//! mode='fan_in'. Biases start at 0 except under torch_default.

use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

use crate::core::config::Activation;
pub use crate::core::config::InitScheme;

/// The project's seeded generator (PCG, same stream natively and in wasm).
pub type Rng = rand_pcg::Pcg64Mcg;

/// The distribution a scheme draws a Linear weight from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Draw {
    Zero,
    Normal { std: f32 },
    Uniform { bound: f32 },
    Orthogonal { gain: f32 },
}

impl Draw {
    /// The standard deviation of one weight under this draw (for orthogonal,
    /// of a matrix whose rows or columns are orthonormal times gain).
    pub fn std(self, fan_in: usize, fan_out: usize) -> f32 {
        match self {
            Draw::Zero => 0.0,
            Draw::Normal { std } => std,
            Draw::Uniform { bound } => bound / 3f32.sqrt(),
            Draw::Orthogonal { gain } => gain / (fan_in.max(fan_out) as f32).sqrt(),
        }
    }
}

/// The distribution of a `(fan_out, fan_in)` weight under `scheme`.
pub fn weight_draw(
    scheme: InitScheme,
    scale: f32,
    activation: Activation,
    fan_in: usize,
    fan_out: usize,
) -> Draw {
    let (fan_in_f, fan_sum) = (fan_in as f32, (fan_in + fan_out) as f32);
    match scheme {
        InitScheme::Zeros => Draw::Zero,
        InitScheme::Normal => Draw::Normal { std: scale },
        InitScheme::Uniform => Draw::Uniform { bound: scale },
        InitScheme::XavierUniform => Draw::Uniform {
            bound: scale * (6.0 / fan_sum).sqrt(),
        },
        InitScheme::XavierNormal => Draw::Normal {
            std: scale * (2.0 / fan_sum).sqrt(),
        },
        InitScheme::KaimingUniform => Draw::Uniform {
            bound: 3f32.sqrt() * scale * activation.gain() / fan_in_f.sqrt(),
        },
        InitScheme::KaimingNormal => Draw::Normal {
            std: scale * activation.gain() / fan_in_f.sqrt(),
        },
        InitScheme::LecunNormal => Draw::Normal {
            std: scale / fan_in_f.sqrt(),
        },
        InitScheme::Orthogonal => Draw::Orthogonal { gain: scale },
        InitScheme::TorchDefault => Draw::Uniform {
            bound: scale / fan_in_f.sqrt(),
        },
    }
}

/// How a Linear layer is initialized: the scheme, its `scale` and the
/// activation whose torch gain kaiming uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearInit {
    pub scheme: InitScheme,
    pub scale: f32,
    pub activation: Activation,
}

impl LinearInit {
    /// The distribution of a `(fan_out, fan_in)` weight.
    pub fn draw(&self, fan_in: usize, fan_out: usize) -> Draw {
        weight_draw(self.scheme, self.scale, self.activation, fan_in, fan_out)
    }

    /// Fills a Linear layer's `weight (fan_out x fan_in)` and `bias (fan_out)`.
    pub fn fill(
        &self,
        fan_in: usize,
        fan_out: usize,
        rng: &mut Rng,
        weight: &mut [f32],
        bias: &mut [f32],
    ) {
        match self.draw(fan_in, fan_out) {
            Draw::Zero => weight.iter_mut().for_each(|w| *w = 0.0),
            Draw::Normal { std } => weight.iter_mut().for_each(|w| *w = std * normal(rng)),
            Draw::Uniform { bound } => weight.iter_mut().for_each(|w| *w = uniform(rng, bound)),
            Draw::Orthogonal { gain } => orthogonal(fan_out, fan_in, gain, rng, weight),
        }
        if self.scheme == InitScheme::TorchDefault {
            let bound = 1.0 / (fan_in as f32).sqrt();
            bias.iter_mut().for_each(|b| *b = uniform(rng, bound));
        } else {
            bias.iter_mut().for_each(|b| *b = 0.0);
        }
    }
}

/// One draw from N(0, 1).
pub fn normal(rng: &mut Rng) -> f32 {
    let z: f64 = StandardNormal.sample(rng);
    z as f32
}

/// One draw from U(-bound, bound).
pub fn uniform(rng: &mut Rng, bound: f32) -> f32 {
    let u: f64 = rng.random::<f64>();
    ((2.0 * u - 1.0) * bound as f64) as f32
}

/// `torch.nn.init.orthogonal_`: QR of a Gaussian `(big x small)` matrix (its
/// transpose when rows < cols), `q *= sign(diag r)`, times `gain`. Modified
/// Gram-Schmidt in f64 yields the R with positive diagonal directly, which is
/// exactly the sign-fixed factor (Saxe et al. 2013).
fn orthogonal(rows: usize, cols: usize, gain: f32, rng: &mut Rng, weight: &mut [f32]) {
    let (big, small) = (rows.max(cols), rows.min(cols));
    // columns[c] is column c of the big x small Gaussian matrix.
    let mut columns: Vec<Vec<f64>> = (0..small)
        .map(|_| (0..big).map(|_| StandardNormal.sample(rng)).collect())
        .collect();
    for c in 0..small {
        let (done, rest) = columns.split_at_mut(c);
        let column = &mut rest[0];
        for q in done.iter() {
            let dot: f64 = q.iter().zip(column.iter()).map(|(a, b)| a * b).sum();
            column.iter_mut().zip(q).for_each(|(v, q)| *v -= dot * q);
        }
        let norm = column.iter().map(|v| v * v).sum::<f64>().sqrt();
        column.iter_mut().for_each(|v| *v /= norm);
    }
    for i in 0..rows {
        for j in 0..cols {
            // Q is big x small; W = Q when rows >= cols, else Q^T.
            let q = if rows >= cols {
                columns[j][i]
            } else {
                columns[i][j]
            };
            weight[i * cols + j] = (q * gain as f64) as f32;
        }
    }
}
