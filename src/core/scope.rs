//! `Scope`: dataset, network, optimizer and statistics behind one handle. This is
//! the one object that the faces (the JS facade, the benchmarks, the tests) drive.
//!
//! Seeds: the dataset, the initial weights and the batch order each come from
//! their own PCG stream derived from `seed`, so changing the batch size does not
//! change the weights, and the same config gives bit-identical runs.
//!
//! The statistics ([`Scope::stats`]) are those of the last training step: its
//! forward and backward pass on its batch, with the parameters before its
//! update (docs/network.md). They cost no extra pass. A *probe pass*, a forward
//! and backward pass on the current batch with the current parameters that
//! changes no parameter and no running statistic, remains where there is no
//! such step: at step 0 (on the first batch), under BatchNorm `mode=eval`
//! (which displays the running statistics; into buffers of its own, so the
//! training step's stay), and for a snapshot, whose statistics are those of
//! its own parameters on its own batch.

use rand::SeedableRng;

use crate::core::config::{Config, Mode};
use crate::core::data::{Batcher, Data};
use crate::core::error::Result;
use crate::core::heldout::{HeldOut, TestResult};
use crate::core::init::Rng;
use crate::core::loss::CrossEntropy;
use crate::core::memory::MemoryEstimate;
use crate::core::network::{Activations, Grads, Network, Owner, Param};
use crate::core::norm::Pass;
use crate::core::optim::OptimizerState;
use crate::core::snapshot::Snapshot;
use crate::core::stats::{finite_std, Detail, Divergence, History, Stats};
use crate::core::theory::{self, Theory};

mod shown;
#[cfg(test)]
mod tests;
use crate::core::views::{DecisionGrid, Extent, LayerMatrix};
use shown::forward_backward;

/// Stream constants that separate the seeded generators.
const DATA_STREAM: u64 = 0x0d47_a5e7;
const INIT_STREAM: u64 = 0x1a17_0000;
const BATCH_STREAM: u64 = 0xba7c_4000;

/// Matmul floating-point operations one decision-grid evaluation may cost
/// (about 10 ms of wasm on a laptop).
pub const GRID_FLOP_BUDGET: f64 = 4e7;

fn rng(seed: u32, stream: u64) -> Rng {
    Rng::seed_from_u64(((seed as u64) << 32) ^ stream)
}

/// The training state of one configuration.
#[derive(Debug, Clone)]
pub struct Scope {
    config: Config,
    data: Data,
    pub(crate) network: Network,
    optimizer: OptimizerState,
    batcher: Batcher,
    step: u64,
    history: History,
    /// std of the last update applied to each hidden layer's weight, and its
    /// ratio to std(W) after the update.
    update_std: Vec<Option<f32>>,
    update_ratio: Vec<Option<f32>>,
    /// std of each hidden layer's weight as the last step left it (the
    /// statistics' `weight_std`, measured once); None before the first step.
    weight_std: Vec<Option<f32>>,
    diverged: Option<Divergence>,
    stats: Option<Stats>,
    /// The held-out split and its latest evaluation (`heldout.rs`).
    heldout: HeldOut,
    test: TestResult,
    /// The loss of the pass in the network's own buffers: the last training
    /// step's, or at step 0 the probe pass's (None until it runs).
    own_loss: Option<CrossEntropy>,
    /// BatchNorm `mode=eval` after step 0: the probe pass in buffers of its
    /// own, and its loss (None until it runs for the current state).
    eval_probe: Box<(Activations, Grads)>,
    eval_probe_loss: Option<CrossEntropy>,
    /// Inference buffers of the decision grid and the held-out split.
    infer_acts: Activations,
    /// What the decision grid covers, when not the dataset's own bounds.
    decision_extent: Option<Extent>,
}

impl Scope {
    /// Builds the dataset, initializes the network and draws the first batch;
    /// refuses a config whose memory estimate passes the budget (`memory.rs`).
    pub fn new(config: Config) -> Result<Scope> {
        config.validate()?;
        MemoryEstimate::check(&config)?.reserve();
        let (data, test) = Data::generate_split(&config, &mut rng(config.seed, DATA_STREAM));
        let network = Network::new(&config, &mut rng(config.seed, INIT_STREAM));
        let mut batcher = Batcher::new(config.batch, data.dim, rng(config.seed, BATCH_STREAM));
        batcher.next(&data);
        let mut network = network;
        let mut heldout = HeldOut::new(&config, test);
        let mut infer_acts = Activations::default();
        let test = heldout.evaluate(&mut network, &mut infer_acts, 0);
        let mut history = History::new(config.depth);
        history.test.record(0, test.loss, test.accuracy);
        Ok(Scope {
            heldout,
            test,
            optimizer: OptimizerState::new(config.optimizer, config.lr).with_warmup(config.warmup),
            history,
            update_std: vec![None; config.depth],
            update_ratio: vec![None; config.depth],
            weight_std: vec![None; config.depth],
            data,
            network,
            batcher,
            step: 0,
            diverged: None,
            stats: None,
            own_loss: None,
            eval_probe: Default::default(),
            eval_probe_loss: None,
            infer_acts,
            decision_extent: None,
            config,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Switches the displayed pass (BatchNorm's train or eval mode, a display
    /// choice): only the probe pass changes. Parameters, optimizer state,
    /// running statistics, the batch, the step and the history stay as they are.
    pub fn set_mode(&mut self, mode: Mode) {
        if self.config.mode != mode {
            self.config.mode = mode;
            self.stats = None;
            self.eval_probe_loss = None;
            if self.step == 0 {
                self.own_loss = None;
            }
        }
    }

    /// Training steps taken so far.
    pub fn steps(&self) -> u64 {
        self.step
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    /// The held-out split (`heldout.rs`), never trained on.
    pub fn heldout_data(&self) -> &Data {
        &self.heldout.data
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The optimizer with its state (momentum buffers, Adam's moments).
    pub fn optimizer(&self) -> &OptimizerState {
        &self.optimizer
    }

    /// The dataset indices of the points the next `steps` training steps train
    /// on, `batch` per step, in order (the first step trains on the current
    /// batch when no step has been taken yet, see `train_step`).
    pub fn upcoming_points(&self, steps: usize) -> Vec<usize> {
        let size = self.batcher.size;
        if self.step > 0 {
            return self.batcher.upcoming(steps * size);
        }
        let mut points = self.batcher.indices.clone();
        points.extend(self.batcher.upcoming(steps.saturating_sub(1) * size));
        points.truncate(steps * size);
        points
    }

    /// The current batch: inputs (`batch x d_in`) and labels.
    pub fn batch(&self) -> (&[f32], &[u8]) {
        (&self.batcher.x, &self.batcher.y)
    }

    /// Where training diverged, if it has.
    pub fn diverged(&self) -> Option<&Divergence> {
        self.diverged.as_ref()
    }

    /// Matmul floating-point operations of one training step.
    pub fn flops_per_step(&self) -> f64 {
        self.config.flops_per_step()
    }

    /// Takes up to `n` training steps; stops early (and stays stopped) once a
    /// non-finite value appears. Returns the number of steps taken.
    pub fn step(&mut self, n: usize) -> usize {
        // On a thread of rayon's pool, each split of a step (matrix.rs) is a
        // join whose other half the idle thread steals; from outside, every
        // split was a job handed to the pool while this thread slept, and two
        // threads gained nothing at depth 64 x 256 (docs/architecture.md).
        #[cfg(feature = "threads")]
        if rayon::current_thread_index().is_none() && rayon::current_num_threads() > 1 {
            return rayon::scope(|_| self.step(n));
        }
        let mut taken = 0;
        while taken < n && self.diverged.is_none() {
            self.train_step();
            taken += 1;
        }
        if taken > 0 {
            self.stats = None;
            self.eval_probe_loss = None;
        }
        taken
    }

    fn train_step(&mut self) {
        if self.step > 0 {
            self.batcher.next(&self.data);
        }
        let ce = forward_backward(
            &mut self.network,
            (&self.batcher.x, &self.batcher.y),
            Pass::Train,
        );
        self.own_loss = Some(ce);
        let (loss, accuracy) = (ce.loss, ce.accuracy);
        let params_finite = self.update_params();
        self.step += 1;
        self.history
            .record(self.step, loss, accuracy, &self.update_ratio);
        self.history
            .timeline
            .record_network(self.step, &self.network);
        if self.heldout.due(self.step) {
            self.test = self
                .heldout
                .evaluate(&mut self.network, &mut self.infer_acts, self.step);
            let test = &self.test;
            self.history
                .test
                .record(test.step, test.loss, test.accuracy);
        }
        if !loss.is_finite() || !params_finite {
            self.diverged = Some(Divergence {
                step: self.step,
                layer: self.first_nonfinite_layer(),
            });
        }
    }

    /// Applies the optimizer to every parameter; sets each hidden layer's
    /// std of the update, std(W) and their ratio; returns whether every
    /// parameter is finite after the update.
    fn update_params(&mut self) -> bool {
        self.optimizer.begin_step();
        let mut index = 0;
        let (optimizer, update_std) = (&mut self.optimizer, &mut self.update_std);
        let weight_std = &mut self.weight_std;
        let mut params_finite = true;
        self.network.visit_params(|owner, param, values, grads| {
            let std = optimizer.update(index, values, grads);
            index += 1;
            if let (Owner::Block(l), Param::Weight) = (owner, param) {
                update_std[l] = Some(std);
                // std(W) and finiteness in one pass, while W is in cache
                // (after all updates, over 4.2M weights at depth 64 x 256,
                // the pass cost about 2 ms a step more).
                let w_std = finite_std(values);
                params_finite &= w_std.is_some();
                weight_std[l] = Some(w_std.unwrap_or(f32::NAN));
            } else {
                params_finite &= all_finite(values);
            }
        });
        self.update_ratios();
        params_finite
    }

    /// Sets each hidden layer's update:data ratio, std(last update) /
    /// std(W), in place (no allocation per step), from the std(W) the
    /// update measured.
    fn update_ratios(&mut self) {
        let stds = self.update_std.iter().zip(&self.weight_std);
        for (ratio, (std, w_std)) in self.update_ratio.iter_mut().zip(stds) {
            let w_std = w_std.filter(|w| *w > 0.0 && w.is_finite());
            *ratio = std.zip(w_std).map(|(s, w)| s / w);
        }
    }

    /// std of each hidden layer's weight as the last step measured it (None
    /// before the first step), which the statistics reuse.
    pub(crate) fn weight_std(&self) -> &[Option<f32>] {
        &self.weight_std
    }

    /// The first hidden layer (1-based) whose Linear output a or output h, else
    /// whose parameters (weight, bias, gamma, beta), else whose gradient holds
    /// a non-finite value in the last pass; None when only the head or loss
    /// does.
    fn first_nonfinite_layer(&self) -> Option<usize> {
        let rows = self.network.rows();
        let bad = |v: &[f32]| !all_finite(v);
        let blocks = &self.network.blocks;
        let (acts, grads) = (&self.network.acts.blocks, &self.network.grads.blocks);
        let find = |values: &dyn Fn(usize) -> bool| (0..blocks.len()).find(|&l| values(l));
        let n = |l: usize| rows * blocks[l].linear.fan_out;
        find(&|l| bad(&acts[l].pre[..n(l)]) || bad(&acts[l].out[..n(l)]))
            .or_else(|| {
                find(&|l| {
                    let (linear, norm) = (&blocks[l].linear, &blocks[l].norm);
                    [&linear.weight, &linear.bias, &norm.gamma, &norm.beta]
                        .into_iter()
                        .any(|p| bad(p))
                })
            })
            .or_else(|| find(&|l| bad(&grads[l].d_out[..n(l)])))
            .map(|l| l + 1)
    }

    /// The statistics computed by the last [`Scope::stats`] call, without
    /// measuring anything (an empty `Stats` if it never ran).
    pub fn cached_stats(&self) -> &Stats {
        static EMPTY: std::sync::OnceLock<Stats> = std::sync::OnceLock::new();
        self.stats
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(Stats::default))
    }

    /// The statistics of the current state: of the last training step, or of
    /// a probe pass where there is none (module docs); measured once per
    /// state, with the histograms the charts draw ([`Detail::Charts`]).
    pub fn stats(&mut self) -> &Stats {
        if self.stats.is_none() {
            let stats =
                self.with_shown(|scope, ce| scope.measure(&scope.network, ce, Detail::Charts));
            self.stats = Some(stats);
        }
        match &self.stats {
            Some(stats) => stats,
            None => unreachable!("the stats were filled above"),
        }
    }

    /// The batch x width matrix that hidden layer `layer` (1-based) normalizes,
    /// with the mean and std of every statistic set; None when out of range.
    pub fn layer_matrix(&mut self, layer: usize) -> Option<LayerMatrix> {
        if layer == 0 || layer > self.network.blocks.len() {
            return None;
        }
        Some(self.with_shown(|scope, _| {
            let network = &scope.network;
            LayerMatrix::of(layer, &network.blocks[layer - 1], &network.acts)
        }))
    }

    /// P(class 1) on a square grid over the 2-D input plane, with the network in
    /// eval mode (BatchNorm uses running statistics, as `model.eval()`), run
    /// into inference buffers of its own: the displayed pass stays. The
    /// resolution is at most `max_resolution` and at least 8, and otherwise as
    /// fine as [`GRID_FLOP_BUDGET`] allows for this network. None for the
    /// `gaussian` dataset, which is not 2-D.
    pub fn decision_grid(&mut self, max_resolution: usize) -> Option<DecisionGrid> {
        if self.data.dim != 2 {
            return None;
        }
        let forward_flops_per_row = self.config.flops(1) / 3.0;
        let affordable = (GRID_FLOP_BUDGET / forward_flops_per_row).sqrt() as usize;
        let resolution = affordable.min(max_resolution).clamp(8, 256);
        let extent = self.decision_extent.or_else(|| Extent::of(&self.data))?;
        Some(DecisionGrid::compute(
            &mut self.network,
            &mut self.infer_acts,
            extent,
            resolution,
        ))
    }

    /// Sets the rectangle [`Scope::decision_grid`] covers; None: the
    /// dataset's own padded bounds ([`Extent::of`]). A comparison whose B
    /// sees other data sets both sides to the union of their datasets'
    /// extents ([`crate::core::compare::Comparison::decision_extent`]).
    pub fn set_decision_extent(&mut self, extent: Option<Extent>) {
        self.decision_extent = extent;
    }

    /// The training set `config` builds: the points [`Scope::new`] draws from
    /// the seed's data stream (without the network or the test split).
    pub fn dataset(config: &Config) -> Data {
        Data::generate(config, &mut rng(config.seed, DATA_STREAM))
    }

    /// The mean-field prediction for this network (`theory.rs`), from the
    /// current batch's second moment; says why when it does not apply.
    pub fn theory(&self) -> Theory {
        let x = &self.batcher.x;
        let square = x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64;
        theory::predict(&self.config, square, self.step)
    }

    /// The JSON-ready snapshot of config, batch, parameters and statistics.
    /// Its statistics are a probe pass's ([`Scope::probe_pass`]: its own
    /// parameters on its own batch), so that a PyTorch rebuild reproduces them.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(self, &self.probe_pass(Detail::All).1)
    }
}

/// Whether every value is finite: a fold without an early exit in blocks of
/// 1024 (which vectorizes), stopping after the first block holding a
/// non-finite value. `iter().all` tested one value per branch: about 1% of a
/// depth 64 x 256 step over its 4.2M weights (natively, perf).
fn all_finite(values: &[f32]) -> bool {
    values
        .chunks(1024)
        .all(|block| block.iter().fold(true, |all, v| all & v.is_finite()))
}
