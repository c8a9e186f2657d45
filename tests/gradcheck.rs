//! Whole-network gradients against central finite differences, for every
//! normalization x position x residual wiring (and BatchNorm in eval mode),
//! and for every `formula` x norm x wiring where the formula applies.
//!
//! The network is f32, so differences use h = 1e-2 and compare each sampled entry
//! to the analytic gradient relative to the largest gradient of its tensor: the
//! f32 round-off of a loss near 0.7 divided by 2h is ~1e-5, and the O(h^2)
//! truncation error of smooth activations is below 1e-3 of the gradient scale.
//! A wrong term in any backward pass gives errors of order 1.

use normscope::core::config::{Formula, NormKind};
use normscope::core::init::Rng;
use normscope::core::loss::softmax_cross_entropy;
use normscope::core::network::{Activations, Network};
use normscope::core::norm::Pass;
use normscope::Config;
use rand::SeedableRng;

const ROWS: usize = 6;
const H: f32 = 1e-2;
const TOLERANCE: f32 = 2e-2;

fn loss(network: &mut Network, x: &[f32], y: &[u8], pass: Pass) -> f32 {
    network.forward(x, ROWS, pass);
    let mut d = vec![0.0; ROWS * 2];
    softmax_cross_entropy(&network.acts.logits[..ROWS * 2], y, 2, &mut d).loss
}

/// Every trainable tensor as (name, values, grads), read through visit_params.
fn tensors(network: &mut Network) -> Vec<(String, Vec<f32>, Vec<f32>)> {
    let mut out = Vec::new();
    network.visit_params(|owner, param, values, grads| {
        out.push((
            format!("{owner:?} {param:?}"),
            values.to_vec(),
            grads.to_vec(),
        ));
    });
    out
}

/// Sets entry `i` of tensor number `t` (in visiting order) to `value`.
fn set(network: &mut Network, t: usize, i: usize, value: f32) {
    let mut index = 0;
    network.visit_params(|_, _, values, _| {
        if index == t {
            values[i] = value;
        }
        index += 1;
    });
}

fn check(query: &str, pass: Pass) {
    let config: Config = format!("depth=3&width=8&batch={ROWS}&{query}")
        .parse()
        .unwrap();
    let mut rng = Rng::seed_from_u64(3);
    let mut network = Network::new(&config, &mut rng);
    let x: Vec<f32> = (0..ROWS * 2)
        .map(|i| ((i * 13 % 11) as f32 - 5.0) / 4.0)
        .collect();
    let y: Vec<u8> = (0..ROWS).map(|i| (i % 2) as u8).collect();
    // Analytic gradients.
    network.forward(&x, ROWS, pass);
    let mut d_logits = vec![0.0; ROWS * 2];
    softmax_cross_entropy(&network.acts.logits[..ROWS * 2], &y, 2, &mut d_logits);
    network.grads.d_logits = d_logits;
    network.backward();
    let analytic = tensors(&mut network);
    for (t, (name, values, grads)) in analytic.iter().enumerate() {
        let scale = grads.iter().fold(1e-3f32, |m, g| m.max(g.abs()));
        for i in (0..values.len()).step_by((values.len() / 5).max(1)) {
            set(&mut network, t, i, values[i] + H);
            let up = loss(&mut network, &x, &y, pass);
            set(&mut network, t, i, values[i] - H);
            let down = loss(&mut network, &x, &y, pass);
            set(&mut network, t, i, values[i]);
            let numeric = (up - down) / (2.0 * H);
            let error = (numeric - grads[i]).abs() / scale;
            assert!(
                error < TOLERANCE,
                "{query} {pass:?}: {name}[{i}] analytic {} vs numeric {numeric} (relative error {error})",
                grads[i]
            );
        }
    }
}

const WIRINGS: [&str; 4] = [
    "position=before",
    "position=after",
    "residual=pre",
    "residual=post",
];

#[test]
fn every_norm_and_wiring_matches_finite_differences() {
    for norm in ["none", "batch", "layer", "rms", "group&groups=2"] {
        for wiring in WIRINGS {
            check(
                &format!("norm={norm}&{wiring}&activation=tanh"),
                Pass::ProbeTrain,
            );
        }
    }
}

#[test]
fn batch_norm_eval_mode_and_no_affine() {
    for wiring in WIRINGS {
        check(&format!("norm=batch&{wiring}"), Pass::Eval);
        check(
            &format!("norm=batch&affine=false&{wiring}"),
            Pass::ProbeTrain,
        );
        check(
            &format!("norm=layer&affine=false&{wiring}"),
            Pass::ProbeTrain,
        );
    }
}

#[test]
fn smooth_activations() {
    for activation in ["gelu", "sigmoid", "linear"] {
        check(
            &format!("norm=layer&activation={activation}&residual=pre"),
            Pass::ProbeTrain,
        );
        check(
            &format!("norm=rms&activation={activation}"),
            Pass::ProbeTrain,
        );
        // Without a norm, phi reads `pre` in place and its backward reads it
        // there (`Block::phi_input`): gelu's derivative needs x, not y.
        for wiring in WIRINGS {
            check(
                &format!("norm=none&{wiring}&activation={activation}"),
                Pass::ProbeTrain,
            );
        }
    }
}

/// Every formula that applies to each norm, at eps = 0.05 so that where eps
/// sits matters (eps_outside and eps_after differ from torch by far more than
/// the tolerance), in train mode and BatchNorm's eval mode. The negative-eps
/// formulas take eps = 0.005: some sets of these nets have variance below 0.05,
/// and their NaN is no gradient to check.
#[test]
fn every_formula_norm_and_wiring_matches_finite_differences() {
    let mut checked = 0;
    for norm in ["batch", "layer", "rms", "group&groups=2"] {
        let kind = NormKind::from_name(norm.split('&').next().unwrap_or(norm)).unwrap();
        for formula in Formula::allowed_for(kind) {
            let negative = matches!(formula, Formula::NegativeEps | Formula::SeedFormula);
            let eps = if negative { 0.005 } else { 0.05 };
            for wiring in WIRINGS {
                let query = format!(
                    "norm={norm}&formula={}&eps={eps}&{wiring}&activation=tanh",
                    formula.name()
                );
                check(&query, Pass::ProbeTrain);
                if kind == NormKind::Batch {
                    check(&query, Pass::Eval);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * (6 + 8 + 4 + 6));
}

/// Inference (decision regions, held-out split) into buffers of its own
/// computes exactly what the eval-mode forward pass computes, for every norm
/// and wiring, and leaves the network's own buffers as they were.
#[test]
fn inference_equals_the_eval_forward_pass() {
    let norms = ["none", "batch", "layer", "rms", "group&groups=2"];
    let formulas = [
        "eps_after",
        "unbiased",
        "eps_outside",
        "batch_axes",
        "seed_formula",
    ];
    let variants = [
        "batch&formula=eps_after",
        "batch&formula=seed_code",
        "rms&formula=eps_after",
        "group&groups=2&formula=unbiased",
    ];
    let layer_variants = formulas.map(|f| format!("layer&formula={f}"));
    let all = norms.iter().chain(&variants).map(|n| n.to_string());
    for norm in all.chain(layer_variants) {
        for wiring in WIRINGS {
            let query = format!("depth=3&width=8&norm={norm}&{wiring}&activation=gelu");
            let config: Config = query.parse().unwrap();
            let mut network = Network::new(&config, &mut Rng::seed_from_u64(5));
            // Move BatchNorm's running statistics away from 0 and 1.
            let x: Vec<f32> = (0..ROWS * 2)
                .map(|i| ((i * 13 % 11) as f32 - 5.0) / 4.0)
                .collect();
            network.forward(&x, ROWS, Pass::Train);
            network.forward(&x, ROWS, Pass::Eval);
            let expected = network.acts.logits[..ROWS * 2].to_vec();
            let before = network.acts.blocks[1].out[..ROWS * 8].to_vec();
            let mut acts = Activations::default();
            let inferred = network.forward_with(&mut acts, &x, ROWS, Pass::Infer);
            assert_eq!(inferred, &expected[..], "{query}");
            assert_eq!(
                network.acts.blocks[1].out[..ROWS * 8],
                before[..],
                "{query}: caches untouched"
            );
        }
    }
}
