//! Optimizers, as `torch.optim` with default arguments (no weight decay,
//! no dampening, no Nesterov):
//!
//! - sgd:      `p -= lr g`
//! - momentum: `b = 0.9 b + g` (b = g on the first step), `p -= lr b`
//! - adam:     `m = 0.9 m + 0.1 g`, `v = 0.999 v + 0.001 g^2`,
//!   `p -= lr (m / (1 - 0.9^t)) / (sqrt(v / (1 - 0.999^t)) + 1e-8)`
//!
//! Learning-rate warmup (key `warmup`, N steps, 0 = none): step t, counted
//! from 0, uses `lr * min(1, (t + 1) / N)`, so the first step takes lr/N and
//! step N-1 on the full lr. That is torch's
//! `LambdaLR(optimizer, lambda t: min(1.0, (t + 1) / N))` stepped after every
//! `optimizer.step()` (and `LinearLR(start_factor=1/N, total_iters=N-1)`).
//! With Adam the factor scales the whole update, as torch's `lr` does.
//!
//! State is one buffer per parameter, keyed on the network's fixed visiting
//! order; it is allocated on the first step and reused after.
//!
//! Speed: the update itself is one elementwise pass with no dependency
//! between entries (vectorized: f32x4 division and square root on wasm
//! simd128), which writes each entry's applied delta to a scratch buffer; the
//! std of the update is then summed over that buffer in f64, in four lanes
//! (a loop doing both at once stayed scalar). With the `threads` feature a
//! large parameter's pass is split into halves on rayon's pool, each entry
//! computed exactly as on one thread, so the result is bit-identical.

pub use crate::core::config::Optimizer as Kind;

const MOMENTUM: f32 = 0.9;
const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const ADAM_EPS: f32 = 1e-8;

/// The optimizer `kind` with its step count and per-parameter buffers (the
/// choice itself is `config::Optimizer`).
#[derive(Debug, Clone)]
pub struct OptimizerState {
    pub kind: Kind,
    pub lr: f32,
    /// Linear warmup steps (0: none), see [`warmup_factor`].
    pub warmup: u32,
    /// Completed steps (Adam's t after the update).
    pub steps: u64,
    first: Vec<Vec<f32>>,
    second: Vec<Vec<f32>>,
    /// The applied update of the parameter in progress (grown, never shrunk).
    delta: Vec<f32>,
}

impl OptimizerState {
    pub fn new(kind: Kind, lr: f32) -> OptimizerState {
        OptimizerState {
            kind,
            lr,
            warmup: 0,
            steps: 0,
            first: Vec::new(),
            second: Vec::new(),
            delta: Vec::new(),
        }
    }

    /// The state of parameter number `index` (in the network's visiting order):
    /// the momentum buffer or Adam's first moment, and Adam's second moment;
    /// None where the optimizer keeps none or has not updated it yet.
    pub fn state(&self, index: usize) -> (Option<&[f32]>, Option<&[f32]>) {
        fn buffer(buffers: &[Vec<f32>], index: usize) -> Option<&[f32]> {
            buffers.get(index).filter(|b| !b.is_empty()).map(|b| &b[..])
        }
        (buffer(&self.first, index), buffer(&self.second, index))
    }

    /// The same with a linear learning-rate warmup over `warmup` steps.
    pub fn with_warmup(self, warmup: u32) -> OptimizerState {
        OptimizerState { warmup, ..self }
    }

    /// The learning rate of the step in progress (call after
    /// [`OptimizerState::begin_step`]): step `steps - 1`, counted from 0.
    pub fn current_lr(&self) -> f32 {
        self.lr * warmup_factor(self.warmup, self.steps.saturating_sub(1))
    }

    /// Marks the start of a step; call before the [`OptimizerState::update`]s.
    pub fn begin_step(&mut self) {
        self.steps += 1;
    }

    /// Updates parameter number `index` in place and returns the standard
    /// deviation of the applied update `delta = p_new - p_old`.
    pub fn update(&mut self, index: usize, param: &mut [f32], grad: &[f32]) -> f32 {
        if self.first.len() <= index {
            self.first.resize_with(index + 1, Vec::new);
            self.second.resize_with(index + 1, Vec::new);
        }
        let fresh = self.first[index].is_empty();
        if fresh && self.kind != Kind::Sgd {
            self.first[index] = vec![0.0; param.len()];
            if self.kind == Kind::Adam {
                self.second[index] = vec![0.0; param.len()];
            }
        }
        let (lr, len) = (self.current_lr(), param.len());
        if self.delta.len() < len {
            self.delta.resize(len, 0.0);
        }
        let slices = Slices {
            param,
            grad,
            delta: &mut self.delta[..len],
            first: &mut self.first[index],
            second: &mut self.second[index],
        };
        match self.kind {
            Kind::Sgd => in_parallel(slices, &|s: Slices| {
                for ((p, g), d) in s.param.iter_mut().zip(s.grad).zip(s.delta.iter_mut()) {
                    *d = -lr * g;
                    *p += *d;
                }
            }),
            Kind::Momentum => in_parallel(slices, &|s: Slices| {
                let entries = s.param.iter_mut().zip(s.grad).zip(s.delta.iter_mut());
                for (((p, g), d), b) in entries.zip(s.first.iter_mut()) {
                    *b = if fresh { *g } else { MOMENTUM * *b + g };
                    *d = -lr * *b;
                    *p += *d;
                }
            }),
            Kind::Adam => {
                let t = self.steps as i32;
                let correction1 = 1.0 - BETA1.powi(t);
                let correction2 = 1.0 - BETA2.powi(t);
                in_parallel(slices, &|s: Slices| {
                    let moments = s.first.iter_mut().zip(s.second.iter_mut());
                    let entries = s.param.iter_mut().zip(s.grad).zip(s.delta.iter_mut());
                    for (((p, g), d), (m, v)) in entries.zip(moments) {
                        *m = BETA1 * *m + (1.0 - BETA1) * g;
                        *v = BETA2 * *v + (1.0 - BETA2) * g * g;
                        let denom = (*v / correction2).sqrt() + ADAM_EPS;
                        *d = -lr * (*m / correction1) / denom;
                        *p += *d;
                    }
                })
            }
        }
        update_std(&self.delta[..len])
    }
}

/// The standard deviation of the applied update, summed in f64 in four
/// lanes (entry `i` in lane `i % 4`, each lane in the entries' order, the
/// lanes added in order): one serial f64 chain left the pass waiting on the
/// adder's latency. The order does not depend on the thread count.
fn update_std(delta: &[f32]) -> f32 {
    let (mut sums, mut squares) = ([0.0f64; 4], [0.0f64; 4]);
    let mut quads = delta.chunks_exact(4);
    for quad in &mut quads {
        for ((sum, square), &d) in sums.iter_mut().zip(&mut squares).zip(quad) {
            *sum += d as f64;
            *square += (d as f64) * (d as f64);
        }
    }
    for ((sum, square), &d) in sums.iter_mut().zip(&mut squares).zip(quads.remainder()) {
        *sum += d as f64;
        *square += (d as f64) * (d as f64);
    }
    let (sum, sum_sq): (f64, f64) = (sums.iter().sum(), squares.iter().sum());
    let n = delta.len().max(1) as f64;
    let mean = sum / n;
    // Not `.max(0.0)`, which would turn the NaN of a NaN update into 0.
    let var = sum_sq / n - mean * mean;
    (if var < 0.0 { 0.0 } else { var }).sqrt() as f32
}

/// One parameter's entries and state, or a contiguous part of them. `first`
/// and `second` are empty where the optimizer keeps no such buffer.
struct Slices<'a> {
    param: &'a mut [f32],
    grad: &'a [f32],
    delta: &'a mut [f32],
    first: &'a mut [f32],
    second: &'a mut [f32],
}

/// Entries below this stay on one thread (a pool hand-off costs tens of
/// microseconds in wasm; see `matrix.rs`'s PARALLEL_MIN_LEN): a 256 x 256
/// weight is halved once, a 128 x 128 one not at all.
#[cfg(feature = "threads")]
const PARALLEL_MIN_LEN: usize = 1 << 16;

/// Runs the elementwise `kernel` on `slices`; with the `threads` feature a
/// large parameter is halved recursively over rayon's pool.
fn in_parallel(slices: Slices, kernel: &(dyn Fn(Slices) + Sync)) {
    #[cfg(feature = "threads")]
    if slices.param.len() >= PARALLEL_MIN_LEN && rayon::current_num_threads() > 1 {
        let (low, high) = slices.split();
        rayon::join(|| in_parallel(low, kernel), || in_parallel(high, kernel));
        return;
    }
    kernel(slices)
}

#[cfg(feature = "threads")]
impl<'a> Slices<'a> {
    fn split(self) -> (Slices<'a>, Slices<'a>) {
        let mid = self.param.len() / 2;
        fn halve(v: &mut [f32], mid: usize) -> (&mut [f32], &mut [f32]) {
            if v.is_empty() {
                (&mut [], &mut [])
            } else {
                v.split_at_mut(mid)
            }
        }
        let (param, (delta, (first, second))) = (
            self.param.split_at_mut(mid),
            (
                halve(self.delta, mid),
                (halve(self.first, mid), halve(self.second, mid)),
            ),
        );
        let (grad_low, grad_high) = self.grad.split_at(mid);
        (
            Slices {
                param: param.0,
                grad: grad_low,
                delta: delta.0,
                first: first.0,
                second: second.0,
            },
            Slices {
                param: param.1,
                grad: grad_high,
                delta: delta.1,
                first: first.1,
                second: second.1,
            },
        )
    }
}

/// The warmup multiplier of step `t` (counted from 0) with `warmup` = N:
/// `min(1, (t + 1) / N)`, and 1 when N is 0.
pub fn warmup_factor(warmup: u32, t: u64) -> f32 {
    if warmup == 0 || t + 1 >= warmup as u64 {
        1.0
    } else {
        (t + 1) as f32 / warmup as f32
    }
}
