//! The mean-field (infinite-width) prediction for a plain network at
//! initialization: each layer's pre-activation and output variance, and how the
//! gradient's second moment changes from layer to layer (Poole et al. 2016,
//! Schoenholz et al. 2017; the same recursion Glorot & Bengio and He et al.
//! derive for the variance alone).
//!
//! With `a_l = h_{l-1} W_l^T + b_l`, `Var(W) = s_l^2` (the init's, `init.rs`) and
//! `Var(b) = t_l^2` (1/(3 fan_in) under torch_default, else 0), at infinite width
//! every unit's `a` is Gaussian over the inputs, so, for z ~ N(0, q_l):
//!
//! | wiring (`network.rs`)    | q_l = Var(a_l)                 | E[h_l^2]                     | E[(dL/da_l)^2] / E[(dL/dh_l)^2] |
//! |--------------------------|--------------------------------|------------------------------|----------------------------------|
//! | no norm                  | fan_in s^2 E[h_{l-1}^2] + t^2  | E[phi(z)^2]                  | E[phi'(z)^2]                     |
//! | norm before phi          | same                           | E[phi(u)^2], u ~ N(0, 1)      | E[phi'(u)^2] / q_l               |
//! | norm after phi           | same                           | 1 (RMSNorm too)              | E[phi'(z)^2] / Var(phi(z))       |
//!
//! and back through the Linear `E[(dL/dh_{l-1})^2] = fan_out s^2 E[(dL/da_l)^2]`.
//! A LayerNorm, GroupNorm or RMSNorm of a Gaussian vector divides by its std
//! (x̂ ~ N(0, 1); its Jacobian is 1/sigma times a projection that removes O(1/n)
//! of the gradient); BatchNorm's per-unit batch statistics give the same forward
//! variances. For BatchNorm's gradient the batch coupling matters even at
//! infinite width (Yang et al. 2019 find it grows towards the input), so no
//! gradient is predicted there. The Gaussian expectations are computed by
//! quadrature. The prediction does not apply to residual wiring (the
//! recursion above has no skip path) or after training starts (the weights are
//! no longer independent draws): [`predict`] says so instead.

use serde::{Deserialize, Serialize};

use crate::core::activation::Activation;
use crate::core::config::{Config, InitScheme, NormKind, Position, Residual};
use crate::core::init::weight_draw;

/// The prediction for one hidden layer (1-based).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TheoryLayer {
    pub layer: usize,
    /// Predicted variance of a (the Linear output).
    pub pre_var: f32,
    /// Predicted variance of h (the layer output).
    pub out_var: f32,
    /// Predicted std of dL/dh relative to the last hidden layer's; None where
    /// not predicted (BatchNorm).
    pub grad_rel: Option<f32>,
}

/// The mean-field prediction, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Theory {
    Predicted(Vec<TheoryLayer>),
    NotApplicable(String),
}

/// Quadrature: the midpoint rule on u in [-12, 12] with the standard normal
/// weight. Midpoints avoid u = 0 exactly, where ReLU's derivative jumps (torch
/// takes 0 there), so P(z > 0) comes out as 1/2 to rounding; the tails past 12
/// standard deviations weigh under 1e-32.
const NODES: usize = 2400;
const SPAN: f64 = 12.0;

/// E[f(sqrt(q) u)] for u ~ N(0, 1).
pub fn gaussian_mean(q: f64, f: impl Fn(f64) -> f64) -> f64 {
    let step = 2.0 * SPAN / NODES as f64;
    let sigma = q.max(0.0).sqrt();
    let norm = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
    let mut sum = 0.0;
    for i in 0..NODES {
        let u = -SPAN + (i as f64 + 0.5) * step;
        sum += norm * (-0.5 * u * u).exp() * f(sigma * u);
    }
    sum * step
}

fn phi(activation: Activation) -> impl Fn(f64) -> f64 {
    move |z| activation.apply(z as f32) as f64
}

fn phi_prime(activation: Activation) -> impl Fn(f64) -> f64 {
    move |z| {
        let y = activation.apply(z as f32);
        activation.derivative(z as f32, y) as f64
    }
}

/// The prediction for `config` at initialization, given the input's second
/// moment `input_square` (E[x^2] over the batch and features).
pub fn predict(config: &Config, input_square: f64, step: u64) -> Theory {
    if config.residual != Residual::None {
        return Theory::NotApplicable(
            "the mean-field recursion here has no skip path: residual wiring is not predicted"
                .into(),
        );
    }
    if step > 0 {
        return Theory::NotApplicable(
            "the prediction holds at initialization (step 0): trained weights are no longer independent draws".into(),
        );
    }
    let one_value_sets = (config.norm == NormKind::Group && config.groups == config.width)
        || (config.norm == NormKind::Batch && config.batch == 1);
    if one_value_sets {
        return Theory::NotApplicable(
            "each normalization set holds one value, so every normalized value is 0, not of variance 1".into(),
        );
    }
    let act = config.activation;
    let width = config.width;
    let mut layers = Vec::with_capacity(config.depth);
    // (E[(dL/da)^2] / E[(dL/dh)^2], fan_out s^2) per layer, for the backward sweep.
    let mut backward = Vec::with_capacity(config.depth);
    let mut square = input_square;
    for l in 0..config.depth {
        let fan_in = if l == 0 { config.input_dim() } else { width };
        let draw = weight_draw(config.init, config.scale, act, fan_in, width);
        let s2 = (draw.std(fan_in, width) as f64).powi(2);
        let t2 = match config.init {
            InitScheme::TorchDefault => 1.0 / (3.0 * fan_in as f64),
            _ => 0.0,
        };
        let q = fan_in as f64 * s2 * square + t2;
        let (mean, second, through) = match (config.norm, config.position) {
            (NormKind::None, _) => {
                let mean = gaussian_mean(q, phi(act));
                let second = gaussian_mean(q, |z| phi(act)(z).powi(2));
                (
                    mean,
                    second,
                    gaussian_mean(q, |z| phi_prime(act)(z).powi(2)),
                )
            }
            (_, Position::Before) => {
                let mean = gaussian_mean(1.0, phi(act));
                let second = gaussian_mean(1.0, |z| phi(act)(z).powi(2));
                let prime = gaussian_mean(1.0, |z| phi_prime(act)(z).powi(2));
                (mean, second, prime / q)
            }
            (norm, Position::After) => {
                let phi_mean = gaussian_mean(q, phi(act));
                let phi_second = gaussian_mean(q, |z| phi(act)(z).powi(2));
                let prime = gaussian_mean(q, |z| phi_prime(act)(z).powi(2));
                let (mean, divisor) = match norm {
                    NormKind::Rms => (phi_mean / phi_second.sqrt(), phi_second),
                    _ => (0.0, phi_second - phi_mean * phi_mean),
                };
                (mean, 1.0, prime / divisor)
            }
        };
        layers.push(TheoryLayer {
            layer: l + 1,
            pre_var: q as f32,
            out_var: (second - mean * mean).max(0.0) as f32,
            grad_rel: None,
        });
        backward.push((through, width as f64 * s2));
        square = second;
    }
    if config.norm != NormKind::Batch {
        // g_{l-1} = fan_out s_l^2 * through_l * g_l, from the last hidden layer down.
        let mut g = 1.0f64;
        for l in (0..config.depth).rev() {
            layers[l].grad_rel = Some(g.sqrt() as f32);
            let (through, fan_out_s2) = backward[l];
            g *= through * fan_out_s2;
        }
    }
    Theory::Predicted(layers)
}

impl Theory {
    /// As JSON for the page: `{"applies": true, "layers": [{layer, pre_var,
    /// out_var, grad_rel}]}` or `{"applies": false, "reason": "..."}`.
    pub fn to_json(&self) -> String {
        let value = match self {
            Theory::Predicted(layers) => serde_json::json!({"applies": true, "layers": layers}),
            Theory::NotApplicable(reason) => {
                serde_json::json!({"applies": false, "reason": reason})
            }
        };
        value.to_string()
    }
}
