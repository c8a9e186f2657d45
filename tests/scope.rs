//! The `Scope`: determinism, the probe pass, divergence, history, snapshot.

use normscope::core::stats::{Detail, Summary};
use normscope::{Config, Scope};

fn scope(query: &str) -> Scope {
    Scope::new(query.parse::<Config>().unwrap()).unwrap()
}

#[test]
fn same_config_and_seed_give_bit_identical_runs() {
    let query = "depth=4&width=16&norm=batch&optimizer=adam&batch=8";
    let (mut a, mut b) = (scope(query), scope(query));
    a.step(25);
    b.step(25);
    assert_eq!(a.snapshot().to_json(), b.snapshot().to_json());
    let mut c = scope(&format!("{query}&seed=2"));
    c.step(25);
    assert_ne!(a.snapshot().to_json(), c.snapshot().to_json());
}

#[test]
fn batch_size_does_not_change_the_initial_weights() {
    let a = scope("batch=8");
    let b = scope("batch=128");
    assert_eq!(
        a.network().blocks[3].linear.weight,
        b.network().blocks[3].linear.weight
    );
}

#[test]
fn the_probe_pass_changes_nothing() {
    let mut s = scope("norm=batch&depth=3&width=8");
    s.step(3);
    let before = s.snapshot().to_json();
    let running = s.network().blocks[0].norm.running_mean.clone();
    for _ in 0..3 {
        s.stats();
        s.layer_matrix(2);
        s.decision_grid(16);
    }
    assert_eq!(s.network().blocks[0].norm.running_mean, running);
    assert_eq!(s.snapshot().to_json(), before);
    // ... and training continues exactly as without probes.
    let mut fresh = scope("norm=batch&depth=3&width=8");
    fresh.step(5);
    s.step(2);
    assert_eq!(s.snapshot().to_json(), fresh.snapshot().to_json());
}

#[test]
fn stats_cover_every_layer_and_quantity() {
    let mut s = scope("depth=5&width=32&activation=relu&init=kaiming_normal&batch=16");
    let stats = s.stats().clone();
    assert_eq!(stats.step, 0);
    assert_eq!(stats.layers.len(), 5);
    // A snapshot's probe pass (the same pass at step 0) fills every histogram.
    let (_, all) = s.probe_pass(Detail::All);
    for (layer, full) in stats.layers.iter().zip(&all.layers) {
        let summaries = [&layer.pre, &layer.out, &layer.grad, &layer.grad_pre];
        let full_summaries = [&full.pre, &full.out, &full.grad, &full.grad_pre];
        for (q, (summary, full)) in summaries.into_iter().zip(full_summaries).enumerate() {
            assert_eq!(summary.count, 16 * 32);
            assert_eq!(
                full.histogram.counts.iter().sum::<u32>() as usize,
                summary.count
            );
            assert!(summary.min <= summary.mean && summary.mean <= summary.max);
            // The charts' statistics: the moments all the same, the histograms
            // of h and dL/dh only (no chart draws those of a and dL/da).
            let charted = q == 1 || q == 2;
            assert_eq!(
                summary.histogram.counts.is_empty(),
                !charted,
                "quantity {q}"
            );
            let histogram = full.histogram.clone();
            let summary = match charted {
                true => summary.clone(),
                false => Summary {
                    histogram,
                    ..summary.clone()
                },
            };
            assert_eq!(&summary, full, "quantity {q}");
        }
        assert_eq!(layer.grad_symlog, full.grad_symlog);
        assert!(layer.saturated.is_none(), "relu does not saturate");
        assert!(layer.dead.is_some_and(|d| (0.0..=1.0).contains(&d)));
        assert!(layer.update_data_ratio.is_none(), "no step yet");
        assert!(layer.grad_data_ratio.is_some());
    }
    // All layers of one quantity share the histogram range.
    let first = &stats.layers[0].out.histogram;
    assert!(stats
        .layers
        .iter()
        .all(|l| l.out.histogram.lo == first.lo && l.out.histogram.hi == first.hi));
    s.step(1);
    let stats = s.stats();
    assert!(stats.layers.iter().all(|l| l.update_data_ratio.is_some()));
    assert_eq!(stats.history.steps, vec![1]);
}

#[test]
fn tanh_saturation_is_measured() {
    let mut s = scope("activation=tanh&init=normal&scale=1&depth=4&width=64");
    let stats = s.stats();
    let deep = stats.layers[3].saturated.unwrap();
    assert!(deep > 0.5, "N(0,1) weights saturate tanh: {deep}");
    let mut calm = scope("activation=tanh&depth=4&width=64");
    assert!(calm.stats().layers[3].saturated.unwrap() < 0.05);
}

#[test]
fn overflow_is_counted_and_training_stops_with_the_layer() {
    let mut s = scope("activation=linear&init=normal&scale=100&depth=64&width=32");
    let stats = s.stats();
    assert!(stats.nonfinite > 0);
    let first_bad = stats
        .layers
        .iter()
        .position(|l| l.out.nonfinite > 0)
        .unwrap();
    assert!(
        first_bad > 5,
        "overflows somewhere deep, not at once: layer {}",
        first_bad + 1
    );
    assert_eq!(s.step(10), 1, "stops after the step that diverged");
    let diverged = s.diverged().cloned().unwrap();
    assert_eq!(diverged.step, 1);
    assert_eq!(diverged.layer, Some(first_bad + 1));
    assert_eq!(s.step(5), 0, "stays stopped");
    assert!(s.snapshot().to_json().contains("\"diverged\":{\"step\":1"));
}

#[test]
fn history_stays_bounded() {
    let mut s = scope("depth=1&width=4&batch=2");
    s.step(2500);
    let stats = s.stats();
    assert!(stats.history.steps.len() <= normscope::core::stats::HISTORY_CAP);
    assert!(stats.history.steps.len() > 400);
    assert_eq!(stats.history.loss.len(), stats.history.steps.len());
    assert_eq!(
        stats.history.update_ratio[0].len(),
        stats.history.steps.len()
    );
    assert_eq!(
        *stats.history.steps.last().unwrap() % stats.history.stride,
        0
    );
}

#[test]
fn degenerate_configs_run_and_are_shown() {
    // BatchNorm at batch 1: every normalized value is beta (torch refuses this).
    let mut s = scope("norm=batch&batch=1&depth=2&width=8");
    assert_eq!(s.step(3), 3);
    let stats = s.stats();
    assert!(stats.layers.iter().all(|l| l.out.count == 8));
    // GroupNorm with groups = width: every output equals beta (zero at init).
    let mut g = scope("norm=group&groups=8&width=8&depth=2&activation=linear");
    assert_eq!(g.stats().layers[0].out.std, 0.0);
}

#[test]
fn training_learns_the_default_problem() {
    let mut s = scope("norm=layer&depth=4&width=32&lr=0.1&dataset=gaussians");
    let start = s.stats().loss;
    s.step(200);
    let end = s.stats().loss;
    assert!(end < 0.5 * start, "loss {start} -> {end}");
}

#[test]
fn snapshot_has_the_documented_shape() {
    let mut s = scope("depth=2&width=4&norm=rms&residual=pre&batch=3");
    let json: serde_json::Value = serde_json::from_str(&s.snapshot().to_json()).unwrap();
    assert_eq!(json["format"], "normscope-snapshot/1");
    assert_eq!(json["config"]["depth"], 2);
    assert_eq!(json["config"]["norm"], "rms");
    assert_eq!(json["config"]["affine"], true);
    assert_eq!(json["batch"]["x"].as_array().unwrap().len(), 3);
    let layer = &json["layers"][1];
    assert_eq!(layer["weight"].as_array().unwrap().len(), 4);
    assert_eq!(layer["weight"][0].as_array().unwrap().len(), 4);
    assert!(layer["gamma"].is_array());
    assert!(layer["beta"].is_null(), "RMSNorm has no beta");
    assert!(layer["running_mean"].is_null());
    assert!(json["final_norm"]["gamma"].is_array());
    assert_eq!(json["head"]["weight"].as_array().unwrap().len(), 2);
    assert_eq!(json["stats"]["layers"].as_array().unwrap().len(), 2);
    let csv = s.stats().to_csv();
    assert_eq!(csv.lines().count(), 3);
    assert_eq!(
        csv.lines().next().unwrap().split(',').count(),
        normscope::core::stats::CSV_COLUMNS.len()
    );
}

#[test]
fn decision_grid_covers_the_data_and_respects_the_budget() {
    let mut s = scope("depth=2&width=8");
    let grid = s.decision_grid(32).unwrap();
    assert_eq!(grid.resolution, 32);
    assert_eq!(grid.probability.len(), 32 * 32);
    assert!(grid.probability.iter().all(|p| (0.0..=1.0).contains(p)));
    let mut big = scope("depth=64&width=512");
    assert_eq!(
        big.decision_grid(64).unwrap().resolution,
        8,
        "deep wide nets get a coarse grid"
    );
    assert!(scope("dataset=gaussian&width=16")
        .decision_grid(32)
        .is_none());
}

#[test]
fn histograms_bin_values_near_the_f32_limit() {
    // The overflow config: the layers before the blow-up hold values up to
    // ~1e38, where `hi - lo` overflows f32; they must still be binned.
    let mut s = scope("activation=linear&init=normal&scale=100&depth=64&width=32");
    let stats = s.stats();
    let finite_layer = stats
        .layers
        .iter()
        .rev()
        .find(|l| l.out.nonfinite == 0 && l.out.max > 1e30)
        .unwrap();
    let counts = &finite_layer.out.histogram.counts;
    assert_eq!(counts.iter().sum::<u32>() as usize, finite_layer.out.count);
    assert!(
        counts.iter().filter(|&&c| c > 0).count() > 1,
        "spread over several bins: {counts:?}"
    );
    let matrix = s.layer_matrix(3).unwrap();
    assert_eq!(matrix.layer, 3);
}

#[test]
fn switching_the_batchnorm_mode_changes_only_the_displayed_pass() {
    use normscope::core::config::Mode;
    let query = "depth=4&width=16&norm=batch&optimizer=adam&batch=8";
    let mut s = scope(query);
    s.step(20);
    let train_stats = s.stats().clone();
    let train_snapshot = s.snapshot().to_json();

    s.set_mode(Mode::Eval);
    assert_eq!(s.steps(), 20);
    let eval_stats = s.stats().clone();
    assert_ne!(
        eval_stats.layers, train_stats.layers,
        "eval must show another pass"
    );
    // Bit-identical to a network built in eval mode and trained the same 20 steps:
    // the same parameters, running statistics, batch, history and probe pass.
    let mut built = scope(&format!("{query}&mode=eval"));
    built.step(20);
    assert_eq!(&eval_stats, built.stats());
    assert_eq!(eval_stats.to_csv(), built.stats().to_csv());
    assert_eq!(s.snapshot().to_json(), built.snapshot().to_json());

    s.set_mode(Mode::Train);
    assert_eq!(s.steps(), 20);
    assert_eq!(s.stats(), &train_stats);
    assert_eq!(s.snapshot().to_json(), train_snapshot);
    // The optimizer state (Adam's moments) survived too: training goes on as
    // if the mode had never changed.
    let mut straight = scope(query);
    straight.step(25);
    s.step(5);
    assert_eq!(s.snapshot().to_json(), straight.snapshot().to_json());
}

/// The status line says "on the batch of N: loss … · accuracy …": the loss
/// and accuracy of the last training step, on its batch of `batch` samples
/// with the parameters before its update (the statistics of the training step).
#[test]
fn loss_and_accuracy_are_those_of_the_last_training_step() {
    use normscope::core::loss::softmax_cross_entropy;
    use normscope::core::network::Activations;
    use normscope::core::norm::Pass;
    let mut s = scope("depth=3&width=16&norm=layer&batch=32");
    s.step(4);
    let mut before = s.network().clone();
    s.step(1);
    let stats = s.stats().clone();
    let (x, y) = (s.batch().0.to_vec(), s.batch().1.to_vec());
    assert_eq!(y.len(), 32);
    // LayerNorm has no mode: inference gives the training pass's logits.
    let mut acts = Activations::default();
    let logits = before.forward_with(&mut acts, &x, 32, Pass::Infer).to_vec();
    let measured = softmax_cross_entropy(&logits, &y, 2, &mut [0.0; 64]);
    assert_eq!(measured.loss, stats.loss);
    assert_eq!(measured.accuracy, stats.accuracy);
    assert_eq!(stats.history.loss.last(), Some(&stats.loss));
    // The parameters after the update give another loss: it is the step's.
    let after = s
        .network()
        .clone()
        .forward_with(&mut acts, &x, 32, Pass::Infer)
        .to_vec();
    let other = softmax_cross_entropy(&after, &y, 2, &mut [0.0; 64]).loss;
    assert!((other - stats.loss).abs() > 1e-6);
}
