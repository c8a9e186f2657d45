//! The statistics are those of the last training step (its forward and
//! backward pass, before its update), computed by the same code as a probe
//! pass: equal bit for bit to a separate probe pass on the same batch and
//! parameters. A probe pass remains at step 0, under BatchNorm `mode=eval`
//! and for a snapshot; the decision regions run the same forward pass in
//! eval mode and give what the old inference path gave.

use normscope::core::config::Mode;
use normscope::core::loss::softmax_cross_entropy;
use normscope::core::network::Network;
use normscope::core::norm::Pass;
use normscope::core::stats::{std_of, Detail, Stats};
use normscope::{Config, Scope};

fn scope(query: &str) -> Scope {
    let config: Config = query.parse().unwrap();
    Scope::new(config).unwrap()
}

/// A probe pass of `network` on `(x, y)` in train mode, and its statistics.
fn probe(network: &mut Network, x: &[f32], y: &[u8], ratios: &[Option<f32>]) -> (f32, Stats) {
    let rows = y.len();
    network.forward(x, rows, Pass::ProbeTrain);
    network.grads.d_logits = vec![0.0; rows * 2];
    let logits = network.acts.logits[..rows * 2].to_vec();
    let ce = softmax_cross_entropy(&logits, y, 2, &mut network.grads.d_logits);
    network.backward();
    let layers = Stats::measure(network, ratios, &[], Detail::Charts);
    (
        ce.loss,
        Stats {
            layers,
            ..Stats::default()
        },
    )
}

const CONFIGS: [&str; 5] = [
    "depth=4&width=16&norm=layer",
    "depth=5&width=16&norm=batch&optimizer=adam&batch=16",
    "depth=5&width=12&norm=group&groups=3&residual=post&activation=gelu",
    "depth=6&width=16&norm=rms&residual=pre&activation=tanh&dataset=gaussian",
    "depth=4&width=8&norm=layer&formula=batch_axes&position=after",
];

#[test]
fn the_statistics_of_a_step_equal_a_probe_pass_on_its_batch_and_parameters() {
    for query in CONFIGS {
        for steps_before in [0, 6] {
            let mut s = scope(query);
            s.step(steps_before);
            let mut before = s.network().clone();
            s.step(1);
            let stats = s.stats().clone();
            let (x, y) = (s.batch().0.to_vec(), s.batch().1.to_vec());
            let ratios: Vec<Option<f32>> =
                stats.layers.iter().map(|l| l.update_data_ratio).collect();
            let (loss, probed) = probe(&mut before, &x, &y, &ratios);
            let what = format!("{query}, step {}", steps_before + 1);
            assert_eq!(stats.step, steps_before as u64 + 1, "{what}");
            assert_eq!(stats.loss.to_bits(), loss.to_bits(), "{what}: loss");
            // The weights' std (and std(dW) / std(W)) are of the current weights,
            // after the update; everything else is the pass's.
            let mut probed = probed.layers;
            for (layer, block) in probed.iter_mut().zip(&s.network().blocks) {
                layer.weight_std = std_of(&block.linear.weight);
                layer.grad_data_ratio = Some(layer.weight_grad_std / layer.weight_std);
            }
            assert_eq!(stats.layers, probed, "{what}: layers");
            // And not those of the parameters after the update.
            let mut after = s.network().clone();
            let (after_loss, _) = probe(&mut after, &x, &y, &ratios);
            assert_ne!(
                after_loss, stats.loss,
                "{what}: the update changed nothing?"
            );
        }
    }
}

#[test]
fn step_0_and_batchnorm_eval_mode_show_a_probe_pass() {
    for query in CONFIGS {
        let mut s = scope(query);
        let (_, probed) = s.probe_pass(Detail::Charts);
        assert_eq!(s.stats(), &probed, "{query}: step 0");
    }
    let mut s = scope("depth=4&width=16&norm=batch&batch=8&lr=0.2");
    s.step(20);
    let train = s.stats().clone();
    s.set_mode(Mode::Eval);
    let eval = s.stats().clone();
    let (_, probed) = s.probe_pass(Detail::Charts);
    assert_eq!(
        eval, probed,
        "mode=eval: a probe pass with the running statistics"
    );
    assert_ne!(eval.layers, train.layers);
    assert!(s.layer_matrix(2).unwrap().running);
    // Back to train mode: the training step's statistics, as they were.
    s.set_mode(Mode::Train);
    assert_eq!(s.stats(), &train);
    assert!(!s.layer_matrix(2).unwrap().running);
    // Other norms have no eval mode: their statistics stay the step's.
    let mut s = scope("depth=4&width=16&norm=layer");
    s.step(3);
    let train = s.stats().clone();
    s.set_mode(Mode::Eval);
    assert_eq!(s.stats(), &train);
}

/// The snapshot's statistics are a probe pass of its own parameters on its
/// own batch (a PyTorch rebuild reproduces them: tests/torch_reference.rs),
/// and exporting one changes nothing the page shows.
#[test]
fn a_snapshot_probes_its_own_parameters_and_changes_nothing() {
    let mut s = scope("depth=4&width=16&norm=batch&batch=16&lr=0.3");
    s.step(10);
    let shown = s.stats().clone();
    let matrix = s.layer_matrix(3).unwrap();
    let snapshot: serde_json::Value = serde_json::from_str(&s.snapshot().to_json()).unwrap();
    let (_, probed) = s.probe_pass(Detail::All);
    assert_eq!(snapshot["stats"]["loss"].as_f64(), Some(probed.loss as f64));
    // Every histogram, also those of pre and grad_pre that no chart draws.
    for layer in snapshot["stats"]["layers"].as_array().expect("layers") {
        for quantity in ["pre", "out", "grad", "grad_pre"] {
            let counts = layer[quantity]["histogram"]["counts"].as_array();
            assert_eq!(counts.map(Vec::len), Some(40), "{quantity}");
        }
    }
    assert_ne!(
        probed.loss, shown.loss,
        "the snapshot's parameters are after the update"
    );
    assert_eq!(s.stats(), &shown);
    assert_eq!(s.layer_matrix(3).unwrap(), matrix);
}

/// The decision grids of the old cache-free inference path, recorded before
/// it was removed (tests/fixtures/decision_grids.json, 12 x 12 after `steps`
/// steps): the one forward pass in eval mode gives them bit for bit.
#[test]
fn the_decision_grid_is_what_the_old_inference_path_gave() {
    let text = std::fs::read_to_string("tests/fixtures/decision_grids.json").unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let query = case["query"].as_str().unwrap();
        let mut s = scope(query);
        s.step(case["steps"].as_u64().unwrap() as usize);
        let _ = s.stats();
        let grid = s.decision_grid(12).unwrap();
        let want: Vec<f32> = case["probability"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(grid.resolution, 12, "{query}");
        assert_eq!(grid.probability.len(), want.len(), "{query}");
        for (i, (got, want)) in grid.probability.iter().zip(&want).enumerate() {
            assert!(
                (got - want).abs() <= 1e-6,
                "{query}: cell {i}: {got} vs {want}"
            );
        }
        // The grid leaves the displayed pass as it was.
        let stats = s.stats().clone();
        s.decision_grid(12);
        assert_eq!(s.stats(), &stats, "{query}");
    }
}

/// gelu's backward reads the erf its forward saved. An inference pass saves
/// none, so a backward after one, in the same buffers, must not read the
/// erf of the pass before (on other rows): it computes the erf again and
/// gives the gradients of a probe pass on the same rows, bit for bit.
#[test]
fn a_backward_after_an_inference_pass_reads_no_stale_erf() {
    let scope = scope("depth=3&width=8&batch=8&activation=gelu&norm=layer");
    let (x, y) = scope.batch();
    let rows = y.len();
    let mut other = x.to_vec();
    other.reverse();
    let backward = |network: &mut Network| {
        network.grads.d_logits = vec![0.0; rows * 2];
        let logits = network.acts.logits[..rows * 2].to_vec();
        softmax_cross_entropy(&logits, y, 2, &mut network.grads.d_logits);
        network.backward();
        let grads = &network.grads.blocks;
        let bits = |g: &[f32]| g.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        grads
            .iter()
            .map(|g| bits(&g.linear.dweight))
            .collect::<Vec<_>>()
    };
    let mut probed = scope.network().clone();
    probed.forward(x, rows, Pass::ProbeTrain);
    let mut inferred = scope.network().clone();
    inferred.forward(&other, rows, Pass::ProbeTrain);
    inferred.forward(x, rows, Pass::Infer);
    assert_eq!(backward(&mut inferred), backward(&mut probed));
}
