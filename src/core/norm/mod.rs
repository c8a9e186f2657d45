//! Normalization layers, dispatched on [`NormKind`]: one file per kind.
//!
//! All of them map a `rows x features` row-major matrix `x` to `y` of the same
//! shape. Every kind computes statistics over a set S of entries, then
//! `x_hat = (x - mean_S) / sqrt(var_S + eps)` (eps inside the square root,
//! biased variance, as PyTorch) and `y = x_hat * gamma + beta` per feature:
//!
//! | kind  | S (the entries sharing one mean and variance)        | torch                 |
//! |-------|------------------------------------------------------|-----------------------|
//! | batch | one feature (column) over the batch                  | `nn.BatchNorm1d(C)`   |
//! | layer | one sample (row) over all features                   | `nn.LayerNorm(C)`     |
//! | group | one sample over `C/G` consecutive features           | `nn.GroupNorm(G, C)`  |
//! | rms   | one sample; no centering, no beta: `x / sqrt(mean(x^2) + eps)` | `nn.RMSNorm(C, eps)` |
//!
//! Parameters and state apart from per-batch buffers (llm.c's params,
//! activations and grads): [`Norm`] holds gamma, beta and the running
//! statistics; the forward pass writes a [`NormCache`] (`x_hat` and
//! `rstd = 1/sqrt(var + eps)` per set, all that backward needs), and backward
//! overwrites a [`NormGrads`] (`dgamma`, `dbeta`). One forward implementation
//! serves training, the probe pass and inference ([`Pass`]).
//!
//! The `formula` field swaps that x_hat for one of the common mistakes
//! (`formula.rs`: the table, and the gradient of each); `Formula::Torch` is
//! the formula above, computed by the same code as before the field existed.

mod batch;
mod formula;
mod group;
mod layer;
mod rms;

pub use crate::core::config::{Formula, NormKind};

/// One normalization layer: its parameters and running statistics.
/// `NormKind::None` is the identity.
#[derive(Debug, Clone)]
pub struct Norm {
    pub kind: NormKind,
    pub features: usize,
    /// Number of groups per row (GroupNorm); 1 for LayerNorm.
    pub groups: usize,
    pub eps: f32,
    pub momentum: f32,
    /// With `affine = false` gamma stays 1 and beta 0 and neither is trained.
    pub affine: bool,
    /// How x_hat is computed (`formula.rs`); set it after [`Norm::new`].
    pub formula: Formula,
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    /// BatchNorm running statistics (start at 0 and 1, as torch's buffers).
    /// LayerNorm over the batch's axes (no running statistics) keeps here the
    /// column mean and biased variance of its last batch-statistics forward
    /// pass, which [`Pass::Infer`] normalizes with (`recorded` says whether
    /// there was one).
    pub running_mean: Vec<f32>,
    pub running_var: Vec<f32>,
    pub(crate) recorded: bool,
}

/// The gradients of a [`Norm`]'s parameters, written by backward.
#[derive(Debug, Clone, Default)]
pub struct NormGrads {
    pub dgamma: Vec<f32>,
    pub dbeta: Vec<f32>,
}

/// What one forward pass of a [`Norm`] caches for backward and the charts.
#[derive(Debug, Clone, Default)]
pub struct NormCache {
    /// The normalized input.
    pub(crate) x_hat: Vec<f32>,
    /// LayerNorm and GroupNorm: the input itself, for torch's form of the
    /// backward pass on a set whose gradient sums are not finite (`group.rs`).
    pub(crate) input: Vec<f32>,
    pub(crate) mean: Vec<f32>,
    pub(crate) rstd: Vec<f32>,
    /// Per set, the coefficient k of the variance term in backward (`formula.rs`);
    /// written by the forward pass of every formula but `torch`.
    pub(crate) var_grad: Vec<f32>,
    pub(crate) rows: usize,
    /// Whether the last forward used batch statistics (BatchNorm train).
    pub(crate) batch_stats: bool,
}

/// The per-set cache entries of a band of whole rows, as a per-row kind's
/// forward pass writes them (set 0 is the band's first).
pub(super) struct SetsMut<'a> {
    x_hat: &'a mut [f32],
    mean: &'a mut [f32],
    rstd: &'a mut [f32],
    var_grad: &'a mut [f32],
}

/// The cache of a band of whole rows, as a per-row kind's backward pass
/// reads it (set 0 is the band's first).
#[derive(Clone, Copy)]
pub(super) struct Sets<'a> {
    x_hat: &'a [f32],
    input: &'a [f32],
    mean: &'a [f32],
    rstd: &'a [f32],
    var_grad: &'a [f32],
}

/// A per-row kind's backward pass over a band of whole rows.
type RowsBackward = fn(&Norm, Sets, &[f32], &mut [f32]);

/// A per-row kind's forward pass over a band of whole rows.
type RowsForward = fn(&Norm, SetsMut, &[f32], &mut [f32]);

/// Which statistics a forward pass normalizes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Training step: batch statistics, running statistics updated.
    Train,
    /// Probe of train mode: batch statistics, nothing updated.
    ProbeTrain,
    /// Eval mode: running statistics (BatchNorm only; the others have none).
    Eval,
    /// Inference (the decision grid, the held-out split): as `Eval`, and
    /// LayerNorm over the batch's axes normalizes with the column statistics
    /// of its last batch-statistics pass (before any, with those of the rows
    /// given), so that a grid evaluated in chunks gets one normalization.
    Infer,
}

impl Norm {
    /// A fresh layer: gamma 1, beta 0, running mean 0, running variance 1.
    pub fn new(
        kind: NormKind,
        features: usize,
        groups: usize,
        eps: f32,
        momentum: f32,
        affine: bool,
    ) -> Norm {
        let groups = match kind {
            NormKind::Group => groups.max(1),
            _ => 1,
        };
        Norm {
            kind,
            features,
            groups,
            eps,
            momentum,
            affine,
            formula: Formula::Torch,
            gamma: vec![1.0; features],
            beta: vec![0.0; features],
            running_mean: vec![0.0; features],
            running_var: vec![1.0; features],
            recorded: false,
        }
    }

    /// Whether this layer has a learnable gamma.
    pub fn has_gamma(&self) -> bool {
        self.affine && self.kind != NormKind::None
    }

    /// Whether this layer has a learnable beta (RMSNorm has none).
    pub fn has_beta(&self) -> bool {
        self.has_gamma() && self.kind != NormKind::Rms
    }

    /// Whether the statistics are per feature over the batch: BatchNorm, and
    /// LayerNorm with `formula` batch_axes or seed_formula.
    pub fn over_batch(&self) -> bool {
        self.kind == NormKind::Batch || (self.kind == NormKind::Layer && self.formula.over_batch())
    }

    /// Number of statistic sets for `rows` rows: one per feature for BatchNorm
    /// (and LayerNorm over the batch's axes), one per row and group otherwise.
    fn sets(&self, rows: usize) -> usize {
        match self.kind {
            _ if self.over_batch() => self.features,
            NormKind::None => 0,
            _ => rows * self.groups,
        }
    }

    /// `y = N(x)` for `x` of `rows x features`, caching what backward needs
    /// in `cache` (grown, never shrunk: no allocation once it has the size).
    pub fn forward(
        &mut self,
        cache: &mut NormCache,
        x: &[f32],
        rows: usize,
        y: &mut [f32],
        pass: Pass,
    ) {
        let n = self.begin(cache, rows, pass);
        debug_assert!(x.len() >= n && y.len() >= n);
        let (x, y) = (&x[..n], &mut y[..n]);
        match self.kind {
            NormKind::None => y.copy_from_slice(x),
            // LayerNorm over the batch's axes: no running statistics, batch
            // statistics in every pass but inference (see `Pass::Infer`).
            NormKind::Layer if self.over_batch() => {
                let source = match pass {
                    Pass::Infer if self.recorded => batch::Source::Running,
                    Pass::Infer => batch::Source::Batch(batch::Update::None),
                    _ => batch::Source::Batch(batch::Update::Record),
                };
                cache.batch_stats = source != batch::Source::Running;
                batch::forward(self, cache, x, y, source)
            }
            NormKind::Batch => {
                let source = match pass {
                    Pass::Train => batch::Source::Batch(batch::Update::Momentum),
                    Pass::ProbeTrain => batch::Source::Batch(batch::Update::None),
                    Pass::Eval | Pass::Infer => batch::Source::Running,
                };
                batch::forward(self, cache, x, y, source)
            }
            NormKind::Layer | NormKind::Group => {
                cache.input.resize(n, 0.0);
                cache.input.copy_from_slice(x);
                let forward = match self.kind {
                    NormKind::Layer => layer::forward,
                    _ => group::forward,
                };
                self.by_rows(cache, x, y, forward)
            }
            NormKind::Rms => self.by_rows(cache, x, y, rms::forward),
        }
    }

    /// Sizes `cache` for `rows` rows (`none` keeps no x_hat: nothing reads
    /// it) and records the pass; returns the number of values.
    fn begin(&self, cache: &mut NormCache, rows: usize, pass: Pass) -> usize {
        let (n, sets) = (rows * self.features, self.sets(rows));
        cache.rows = rows;
        let x_hat = if self.kind == NormKind::None { 0 } else { n };
        cache.x_hat.resize(x_hat, 0.0);
        cache.mean.resize(sets, 0.0);
        cache.rstd.resize(sets, 0.0);
        cache.var_grad.resize(sets, 0.0);
        cache.batch_stats = !matches!(pass, Pass::Eval | Pass::Infer);
        n
    }

    /// What `forward` of `norm=none` records in `cache`, without copying x
    /// to y: for a caller that reads x in place of y (`network.rs`).
    pub(crate) fn pass_through(&self, cache: &mut NormCache, rows: usize, pass: Pass) {
        debug_assert_eq!(self.kind, NormKind::None);
        self.begin(cache, rows, pass);
    }

    /// Runs a per-row kind's forward pass over all rows: with the `threads`
    /// feature, a large tensor in one band of whole rows per thread (each
    /// set computed exactly as on one thread).
    fn by_rows(&self, cache: &mut NormCache, x: &[f32], y: &mut [f32], forward: RowsForward) {
        let sets = SetsMut {
            x_hat: &mut cache.x_hat[..x.len()],
            mean: &mut cache.mean,
            rstd: &mut cache.rstd,
            var_grad: &mut cache.var_grad,
        };
        #[cfg(feature = "threads")]
        if let Some(chunk) = crate::core::matrix::parallel_chunk(x.len()) {
            use rayon::prelude::*;
            let (f, g) = (self.features, self.groups);
            let rows = chunk.div_ceil(f);
            let stats = sets
                .mean
                .par_chunks_mut(rows * g)
                .zip(sets.rstd.par_chunks_mut(rows * g));
            let stats = stats.zip(sets.var_grad.par_chunks_mut(rows * g));
            let values = x.par_chunks(rows * f).zip(y.par_chunks_mut(rows * f));
            let values = values.zip(sets.x_hat.par_chunks_mut(rows * f));
            return values
                .zip(stats)
                .for_each(|(((x, y), x_hat), ((mean, rstd), var_grad))| {
                    let part = SetsMut {
                        x_hat,
                        mean,
                        rstd,
                        var_grad,
                    };
                    forward(self, part, x, y)
                });
        }
        forward(self, sets, x, y)
    }

    /// Runs a per-row kind's backward pass (dx from dy) over all rows, split
    /// as [`Norm::by_rows`]; `input` is the cached input (entries of `x`).
    fn backward_by_rows(
        &self,
        cache: &NormCache,
        input: &[f32],
        dy: &[f32],
        dx: &mut [f32],
        backward: RowsBackward,
    ) {
        let n = dy.len();
        let sets = self.sets(cache.rows);
        let whole = Sets {
            x_hat: &cache.x_hat[..n],
            input: &input[..n],
            mean: &cache.mean[..sets],
            rstd: &cache.rstd[..sets],
            var_grad: &cache.var_grad[..sets],
        };
        #[cfg(feature = "threads")]
        if let Some(chunk) = crate::core::matrix::parallel_chunk(n) {
            use rayon::prelude::*;
            let (f, g) = (self.features, self.groups);
            let rows = chunk.div_ceil(f);
            let stats = whole
                .mean
                .par_chunks(rows * g)
                .zip(whole.rstd.par_chunks(rows * g));
            let stats = stats.zip(whole.var_grad.par_chunks(rows * g));
            let values = whole
                .x_hat
                .par_chunks(rows * f)
                .zip(whole.input.par_chunks(rows * f));
            let grads = dy.par_chunks(rows * f).zip(dx.par_chunks_mut(rows * f));
            return grads.zip(values).zip(stats).for_each(
                |(((dy, dx), (x_hat, input)), ((mean, rstd), var_grad))| {
                    let part = Sets {
                        x_hat,
                        input,
                        mean,
                        rstd,
                        var_grad,
                    };
                    backward(self, part, dy, dx)
                },
            );
        }
        backward(self, whole, dy, dx)
    }

    /// `dx` from `dy` through the forward pass that wrote `cache`; writes
    /// `grads.dgamma` and `grads.dbeta`.
    pub fn backward(&self, cache: &NormCache, grads: &mut NormGrads, dy: &[f32], dx: &mut [f32]) {
        let n = cache.rows * self.features;
        let (dy, dx) = (&dy[..n], &mut dx[..n]);
        param_grads(self.kind, self.features, cache, grads, dy);
        match self.kind {
            NormKind::None => dx.copy_from_slice(dy),
            NormKind::Batch => batch::backward(self, cache, grads, dy, dx),
            NormKind::Layer if self.over_batch() => batch::backward(self, cache, grads, dy, dx),
            NormKind::Layer | NormKind::Group => group::backward(self, cache, grads, dy, dx),
            NormKind::Rms => rms::backward(self, cache, grads, dy, dx),
        }
    }
}

impl NormCache {
    /// The mean and divisor of every statistic set of this forward pass, as
    /// used to normalize: `1/rstd`, `sqrt(var + eps)` for `torch`, the
    /// formula's own divisor otherwise (`formula.rs`). Empty for `none`.
    pub fn set_stats(&self, kind: NormKind) -> (Vec<f32>, Vec<f32>) {
        if kind == NormKind::None {
            return (Vec::new(), Vec::new());
        }
        let std = self.rstd.iter().map(|r| 1.0 / r).collect();
        (self.mean.clone(), std)
    }

    /// The normalized input of the last `rows` rows' forward pass.
    pub fn x_hat(&self) -> &[f32] {
        &self.x_hat
    }

    /// Whether the pass normalized with batch statistics (not BatchNorm's
    /// running statistics in eval mode).
    pub fn batch_stats(&self) -> bool {
        self.batch_stats
    }
}

/// Writes `dgamma = sum_rows dy * x_hat` and `dbeta = sum_rows dy` (shared
/// by every kind; only entries of learnable parameters matter).
/// Zero for `none`, which has no parameters.
fn param_grads(kind: NormKind, f: usize, cache: &NormCache, grads: &mut NormGrads, dy: &[f32]) {
    for buffer in [&mut grads.dgamma, &mut grads.dbeta] {
        buffer.resize(f, 0.0);
        buffer.iter_mut().for_each(|v| *v = 0.0);
    }
    if kind == NormKind::None {
        return;
    }
    for (dy_row, xh_row) in dy.chunks_exact(f).zip(cache.x_hat.chunks_exact(f)) {
        for j in 0..f {
            grads.dgamma[j] += dy_row[j] * xh_row[j];
            grads.dbeta[j] += dy_row[j];
        }
    }
}

/// `1 / sqrt(var + eps)`: eps inside the square root, as every torch norm.
fn rstd(var: f32, eps: f32) -> f32 {
    1.0 / (var + eps).sqrt()
}

/// Normalizes one set of entries that share `mean` and `rstd`:
/// `x_hat = (x - mean) * rstd`, `y = x_hat * gamma (+ beta)`, writing `x_hat`
/// too when the caller caches it. Shared by LayerNorm, GroupNorm and RMSNorm
/// (mean 0, no beta).
/// `shift` is the formula's constant added to x_hat (0 for `torch`: skipped).
#[allow(clippy::too_many_arguments)]
fn normalize_set(
    x: &[f32],
    mean: f32,
    rstd: f32,
    shift: f32,
    gamma: &[f32],
    beta: Option<&[f32]>,
    y: &mut [f32],
    x_hat_out: Option<&mut [f32]>,
) {
    // Branch-free passes over a set that sits in L1, each vectorizable; the
    // roundings are those of `x_hat * gamma + beta` computed in one go.
    for (y, x) in y.iter_mut().zip(x) {
        *y = (x - mean) * rstd;
    }
    if shift != 0.0 {
        y.iter_mut().for_each(|y| *y += shift);
    }
    if let Some(cache) = x_hat_out {
        cache[..y.len()].copy_from_slice(y);
    }
    for (y, g) in y.iter_mut().zip(gamma) {
        *y *= g;
    }
    if let Some(beta) = beta {
        for (y, b) in y.iter_mut().zip(beta) {
            *y += b;
        }
    }
}

/// Mean and biased variance of `values` (two passes, as torch's CPU kernels).
fn mean_var(values: impl Iterator<Item = f32> + Clone) -> (f32, f32) {
    let mut count = 0usize;
    let mut sum = 0.0f32;
    for v in values.clone() {
        sum += v;
        count += 1;
    }
    let mean = sum / count as f32;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f32>() / count as f32;
    (mean, var)
}
