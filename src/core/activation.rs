//! The elementwise nonlinearities phi and their derivatives, as torch computes
//! them.
//!
//! | name       | phi(x)                        | phi'(x)                          |
//! |------------|-------------------------------|----------------------------------|
//! | linear     | x                             | 1                                |
//! | tanh       | tanh x                        | 1 - tanh^2 x                     |
//! | sigmoid    | 1 / (1 + e^-x)                | s (1 - s)                        |
//! | relu       | max(0, x)                     | 1 if x > 0 else 0 (0 at x = 0, as torch's `threshold_backward`) |
//! | leaky_relu | x if x > 0 else 0.01 x        | 1 if x > 0 else 0.01             |
//! | gelu       | x Phi(x) = x/2 (1 + erf(x/sqrt 2)) (exact, torch's default) | Phi(x) + x phi_N(x) |
//!
//! Non-finite values go where torch 2.15's float32 CPU kernels send them
//! (`tests/nonfinite.rs` checks every case against torch):
//! - relu keeps NaN (`relu(NaN) = NaN`, not `f32::max`'s 0) and its backward
//!   is torch's `threshold_backward(dy, y, 0)`, a select on the *output*:
//!   `dx = 0 if y <= 0 else dy`. So the gradient at a NaN input passes through
//!   (NaN <= 0 is false), and a NaN or inf `dy` at an inactive unit gives 0,
//!   not `0 * NaN`.
//! - leaky_relu: `x > 0` is false for NaN, so `phi(NaN) = 0.01 NaN = NaN` with
//!   slope 0.01 (torch's `leaky_relu_backward` tests the input the same way).
//! - tanh, sigmoid: `phi(+-inf) = +-1` (sigmoid 1 and 0) with derivative 0, so
//!   an infinite `dy` there gives `0 * inf = NaN`, as torch's
//!   `grad * (1 - y^2)`.
//! - gelu: `gelu(-inf) = -inf * 0 = NaN`, and torch's vectorized float32
//!   kernel, which every tensor of two or more values runs, also returns NaN
//!   for `gelu(+inf)` (its float64 kernel and a one-element tensor give inf);
//!   the derivative is NaN at both (`+-inf * pdf = +-inf * 0`).

pub use crate::core::config::Activation;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod gelu4;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod musl4;

/// The negative slope of `leaky_relu` (torch's default).
pub const LEAKY_SLOPE: f32 = 0.01;

const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// 1 / sqrt(2 pi), the standard normal density at 0.
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// `(gelu(x), erf(x / sqrt 2))`, the erf as gelu computes it
/// (`x * FRAC_1_SQRT_2`): what [`Activation::apply`] gives, and what the
/// backward pass reuses.
fn gelu_and_erf(x: f32) -> (f32, f32) {
    let erf = libm::erff(x * FRAC_1_SQRT_2);
    match x == f32::INFINITY {
        true => (f32::NAN, erf),
        false => (0.5 * x * (1.0 + erf), erf),
    }
}

/// gelu'(x) = Phi(x) + x phi_N(x), given `erf(x / sqrt 2)` (as
/// [`gelu_and_erf`] computes it).
fn gelu_derivative(x: f32, erf: f32) -> f32 {
    let cdf = 0.5 * (1.0 + erf);
    cdf + x * INV_SQRT_2PI * (-0.5 * x * x).exp()
}

impl Activation {
    /// phi(x) for one value.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Linear => x,
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            // Not `x.max(0.0)`: f32::max drops the NaN.
            Activation::Relu => {
                if x <= 0.0 {
                    0.0
                } else {
                    x
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
            Activation::Gelu => gelu_and_erf(x).0,
        }
    }

    /// phi'(x), given the input `x` and the output `y = phi(x)`. For relu it
    /// is 1 where `y` is not <= 0 (so 1 at NaN), as `threshold_backward`.
    pub fn derivative(self, x: f32, y: f32) -> f32 {
        match self {
            Activation::Linear => 1.0,
            Activation::Tanh => 1.0 - y * y,
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Relu => {
                if y <= 0.0 {
                    0.0
                } else {
                    1.0
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Gelu => gelu_derivative(x, libm::erff(x * FRAC_1_SQRT_2)),
        }
    }

    /// Whether phi's backward reads what its forward saved (`saved` in
    /// [`Activation::forward`] and [`Activation::backward`]): gelu's
    /// `erf(x / sqrt 2)`, so that the backward does not compute it again.
    pub fn saves(self) -> bool {
        self == Activation::Gelu
    }

    /// `y = phi(x)` elementwise (with the `threads` feature, a long tensor in
    /// one contiguous part per thread: each entry computed as on one thread).
    /// Where phi [`saves`](Activation::saves) and `saved` is at least as long
    /// as `y`, it receives what the backward reuses; an inference pass, which
    /// no backward follows, passes it empty (a shorter one is not written
    /// either). Other activations do not touch it.
    pub fn forward(self, x: &[f32], y: &mut [f32], saved: &mut [f32]) {
        #[cfg(feature = "threads")]
        if let Some(chunk) = crate::core::matrix::parallel_chunk(y.len()) {
            use rayon::prelude::*;
            let saves = self.saves() && saved.len() >= y.len();
            let saved = &mut saved[..if saves { y.len() } else { 0 }];
            let parts = y.par_chunks_mut(chunk).zip(x.par_chunks(chunk));
            if saves {
                let parts = parts.zip(saved.par_chunks_mut(chunk));
                return parts.for_each(|((y, x), saved)| self.forward_serial(x, y, saved));
            }
            return parts.for_each(|(y, x)| self.forward_serial(x, y, &mut []));
        }
        self.forward_serial(x, y, saved)
    }

    /// One loop per activation: linear, relu and leaky relu each with phi
    /// known at compile time, so they vectorize however large this function
    /// grows; in wasm, tanh, sigmoid and gelu four lanes at a time with the
    /// same bits (`activation/musl4.rs`, gelu's `activation/gelu4.rs`),
    /// natively one libm call per value.
    fn forward_serial(self, x: &[f32], y: &mut [f32], saved: &mut [f32]) {
        fn each(x: &[f32], y: &mut [f32], phi: impl Fn(f32) -> f32) {
            for (y, &x) in y.iter_mut().zip(x) {
                *y = phi(x);
            }
        }
        match self {
            Activation::Linear => {
                let n = x.len().min(y.len()); // as the zips below
                y[..n].copy_from_slice(&x[..n])
            }
            Activation::Relu => each(x, y, |v| Activation::Relu.apply(v)),
            Activation::LeakyRelu => each(x, y, |v| Activation::LeakyRelu.apply(v)),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Activation::Tanh => musl4::tanh_forward(x, y),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Activation::Sigmoid => musl4::sigmoid_forward(x, y),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Activation::Gelu => gelu4::gelu_forward(x, y, saved),
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Activation::Gelu if saved.len() >= x.len().min(y.len()) => {
                for ((y, erf), &x) in y.iter_mut().zip(saved.iter_mut()).zip(x) {
                    (*y, *erf) = gelu_and_erf(x);
                }
            }
            #[allow(unreachable_patterns)]
            phi => each(x, y, |v| phi.apply(v)),
        }
    }

    /// `dx = phi'(x) * dy` elementwise, with `y = phi(x)` and `saved` from
    /// the forward pass ([`Activation::forward`]); for relu the select
    /// `0 if y <= 0 else dy` (no `0 * NaN`), as torch.
    pub fn backward(self, (x, y, saved): (&[f32], &[f32], &[f32]), dy: &[f32], dx: &mut [f32]) {
        #[cfg(feature = "threads")]
        if let Some(chunk) = crate::core::matrix::parallel_chunk(dx.len()) {
            use rayon::prelude::*;
            let saves = self.saves() && saved.len() >= dx.len();
            let saved = &saved[..if saves { dx.len() } else { 0 }];
            let inputs = x.par_chunks(chunk).zip(y.par_chunks(chunk));
            let parts = dx
                .par_chunks_mut(chunk)
                .zip(dy.par_chunks(chunk))
                .zip(inputs);
            if saves {
                let parts = parts.zip(saved.par_chunks(chunk));
                return parts.for_each(|(((dx, dy), (x, y)), saved)| {
                    self.backward_serial((x, y, saved), dy, dx)
                });
            }
            return parts.for_each(|((dx, dy), (x, y))| self.backward_serial((x, y, &[]), dy, dx));
        }
        self.backward_serial((x, y, saved), dy, dx)
    }

    /// As [`Activation::forward_serial`]: one loop per activation; for relu
    /// the select on `y`, in wasm gelu four lanes at a time.
    fn backward_serial(self, (x, y, saved): (&[f32], &[f32], &[f32]), dy: &[f32], dx: &mut [f32]) {
        fn each(x: &[f32], y: &[f32], dy: &[f32], dx: &mut [f32], phi: impl Fn(f32, f32) -> f32) {
            for (((dx, &x), &y), &dy) in dx.iter_mut().zip(x).zip(y).zip(dy) {
                *dx = phi(x, y) * dy;
            }
        }
        match self {
            Activation::Relu => {
                for ((dx, &y), &dy) in dx.iter_mut().zip(y).zip(dy) {
                    *dx = if y <= 0.0 { 0.0 } else { dy };
                }
            }
            Activation::Linear => each(x, y, dy, dx, |x, y| Activation::Linear.derivative(x, y)),
            Activation::Tanh => each(x, y, dy, dx, |x, y| Activation::Tanh.derivative(x, y)),
            Activation::Sigmoid => each(x, y, dy, dx, |x, y| Activation::Sigmoid.derivative(x, y)),
            Activation::LeakyRelu => {
                each(x, y, dy, dx, |x, y| Activation::LeakyRelu.derivative(x, y))
            }
            // A forward that saved nothing (an inference pass, which no
            // backward should follow): erf again, value by value.
            Activation::Gelu if saved.len() < dx.len() => {
                each(x, y, dy, dx, |x, y| Activation::Gelu.derivative(x, y))
            }
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Activation::Gelu => gelu4::gelu_backward(x, saved, dy, dx),
            // `saved` in the place of y: gelu' reads x and the saved erf.
            #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
            Activation::Gelu => each(x, saved, dy, dx, gelu_derivative),
        }
    }

    /// Whether an output counts as saturated: |tanh| > 0.97, or a sigmoid
    /// outside [0.03, 0.97]; a NaN output is not saturated (for either).
    /// `None` for activations that do not saturate.
    pub fn saturated(self, y: f32) -> Option<bool> {
        match self {
            Activation::Tanh => Some(y.abs() > 0.97),
            Activation::Sigmoid => Some(!y.is_nan() && !(0.03..=0.97).contains(&y)),
            _ => None,
        }
    }

    /// Whether units of this activation can die (zero gradient for x <= 0;
    /// a NaN input is not <= 0, so a NaN unit is not dead).
    pub fn can_die(self) -> bool {
        matches!(self, Activation::Relu | Activation::LeakyRelu)
    }

    /// torch.nn.init.calculate_gain for this activation. torch has no entry for
    /// GELU; normscope uses ReLU's sqrt(2), since GELU ~ ReLU for |x| >> 1
    /// (documented in the README and `init.rs`).
    pub fn gain(self) -> f32 {
        match self {
            Activation::Linear | Activation::Sigmoid => 1.0,
            Activation::Tanh => 5.0 / 3.0,
            Activation::Relu | Activation::Gelu => std::f32::consts::SQRT_2,
            Activation::LeakyRelu => (2.0 / (1.0 + LEAKY_SLOPE * LEAKY_SLOPE)).sqrt(),
        }
    }
}
