//! NaN and infinities go where PyTorch sends them (issue 8).
//!
//! `tests/fixtures/nonfinite_reference.json` (written by `make_fixtures.py`
//! with torch 2.15's float32 CPU kernels) holds: every activation on every x
//! in {NaN, +-inf, +-0, +-1, +-3, +-100, +-1e30} with every dy in {1, -2, NaN,
//! +-inf}; softmax cross-entropy and argmax on logit rows with NaN and
//! infinities; and every norm (BatchNorm train and eval, LayerNorm, GroupNorm
//! G=2 and G=C, RMSNorm) with a NaN, a +inf and a -inf in x, or in dy, plus
//! finite inputs whose squares overflow. Each is compared entry by entry:
//! NaN where torch has NaN, the same infinity, and finite values within 1e-5
//! (relative above 1). The last test runs the preset network.

use normscope::core::activation::Activation;
use normscope::core::frame::{Frame, FrameRequest};
use normscope::core::loss::{argmax, softmax_cross_entropy};
use normscope::core::optim::{Kind, OptimizerState};
use normscope::core::stats::Stats;
use normscope::{Config, Scope};
use serde_json::Value;

mod torch;
use torch::{compare, fixtures, floats, number, read_json, Worst};

const TOL: f32 = 1e-5;
const RULE: &str = "1e-5 x max(1, |torch|)";

fn reference() -> Value {
    read_json(&fixtures().join("nonfinite_reference.json"))
}

/// An array of non-negative integers (labels, indices).
fn integers(value: &Value) -> Vec<usize> {
    let items = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"));
    let index = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("not an index: {v}"));
    items.iter().map(|v| index(v) as usize).collect()
}

fn tol(w: f32) -> f32 {
    TOL * w.abs().max(1.0)
}

#[test]
fn every_activation_matches_torch_on_nan_and_inf() {
    let file = reference();
    let cases = file["activations"].as_array().expect("no `activations`");
    assert_eq!(cases.len(), 6, "one case per activation");
    for case in cases {
        let name = case["activation"].as_str().unwrap_or("?");
        let phi = Activation::from_name(name).unwrap_or_else(|| panic!("unknown {name}"));
        let [x, dy, want_y, want_dx] =
            ["x", "dy", "y", "dx"].map(|k| floats(&case[k]).unwrap_or_else(|| panic!("{k}")));
        assert!(
            x.iter().filter(|v| v.is_nan()).count() >= 5,
            "{name}: no NaN input"
        );
        let (mut y, mut dx) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        let mut saved = vec![0.0; x.len()]; // gelu's erf, for its backward
        phi.forward(&x, &mut y, &mut saved);
        phi.backward((&x, &y, &saved), &dy, &mut dx);
        compare(&format!("{name}: y"), &y, &want_y, RULE, tol);
        compare(&format!("{name}: dx"), &dx, &want_dx, RULE, tol);
        // Where dy = 1, torch's dx is phi'(x) itself.
        for (i, (&x, &y)) in x.iter().zip(&y).enumerate().filter(|(i, _)| dy[*i] == 1.0) {
            let d = phi.derivative(x, y);
            compare(
                &format!("{name}: phi'({x})"),
                &[d],
                &want_dx[i..=i],
                RULE,
                tol,
            );
        }
    }
}

#[test]
fn cross_entropy_and_argmax_match_torch_on_nan_and_inf_logits() {
    let file = reference();
    let case = &file["loss"];
    let logits = floats(&case["logits"]).expect("logits");
    let labels: Vec<u8> = integers(&case["labels"]).iter().map(|&l| l as u8).collect();
    let losses = floats(&case["loss"]).expect("loss");
    let dlogits = floats(&case["dlogits"]).expect("dlogits");
    let argmaxes = integers(&case["argmax"]);
    for (row, &label) in labels.iter().enumerate() {
        let z = &logits[row * 2..row * 2 + 2];
        let mut dz = [0.0f32; 2];
        let ce = softmax_cross_entropy(z, &[label], 2, &mut dz);
        let place = format!("row {row} {z:?} label {label}");
        compare(
            &format!("{place}: loss"),
            &[ce.loss],
            &losses[row..=row],
            RULE,
            tol,
        );
        let want_dz = &dlogits[row * 2..row * 2 + 2];
        compare(&format!("{place}: dlogits"), &dz, want_dz, RULE, tol);
        let torch_argmax = argmaxes[row];
        assert_eq!(argmax(z), torch_argmax, "{place}: argmax");
        let correct = if torch_argmax == label as usize {
            1.0
        } else {
            0.0
        };
        assert_eq!(ce.accuracy, correct, "{place}: accuracy is torch's argmax");
        let nonfinite = z.iter().filter(|v| !v.is_finite()).count();
        assert_eq!(ce.nonfinite_logits, nonfinite, "{place}: non-finite count");
    }
    let means = case["means"].as_object().expect("means");
    assert_eq!(means.len(), 3);
    for (name, mean) in means {
        let rows = integers(&mean["rows"]);
        let z: Vec<f32> = rows
            .iter()
            .flat_map(|&r| [logits[2 * r], logits[2 * r + 1]])
            .collect();
        let y: Vec<u8> = rows.iter().map(|&r| labels[r]).collect();
        let mut dz = vec![0.0; z.len()];
        let ce = softmax_cross_entropy(&z, &y, 2, &mut dz);
        let want = number(&mean["loss"]);
        compare(
            &format!("mean over {name} rows"),
            &[ce.loss],
            &[want],
            RULE,
            tol,
        );
    }
}

#[test]
fn every_norm_matches_torch_with_nan_and_inf_in_x_or_dy() {
    let file = reference();
    let cases = file["norms"].as_array().expect("no `norms`");
    assert!(cases.len() >= 15, "only {} norm cases", cases.len());
    let mut worst = Worst::default();
    for case in cases {
        torch::check_norm_case(case, TOL, RULE, &mut worst);
    }
    worst.print("nonfinite_reference.json norms");
}

/// The preset: ReLU, N(0, 50^2) weights, depth 20. The forward pass
/// overflows; torch's relu keeps the NaN, so the loss is NaN, not a
/// finite-looking 0.693, and no layer whose ReLU input is NaN shows as dead.
#[test]
fn the_overflowing_preset_reports_nan_loss_and_no_dead_nan_layers() {
    let config: Config = "depth=20&activation=relu&init=normal&scale=50&lr=10"
        .parse()
        .expect("preset");
    let mut scope = Scope::new(config).expect("scope");
    let stats = scope.stats().clone();
    assert!(!stats.loss.is_finite(), "loss {} at step 0", stats.loss);
    let network = scope.network();
    let rows = network.rows();
    let logits = &network.acts.logits[..rows * 2];
    let bad_logits = logits.iter().filter(|v| !v.is_finite()).count();
    assert!(bad_logits > 0);
    assert_eq!(stats.nonfinite_logits, bad_logits);
    let mut layers_with_nan_input = 0;
    let mut total = 0;
    let (acts, grads) = (&network.acts.blocks, &network.grads.blocks);
    for (l, (block, layer)) in network.blocks.iter().zip(&stats.layers).enumerate() {
        let n = rows * block.linear.fan_out;
        let count = |v: &[f32]| v[..n].iter().filter(|v| !v.is_finite()).count();
        let (a, g) = (&acts[l], &grads[l]);
        let counts = [count(&a.pre), count(&a.out), count(&g.d_out)];
        let reported = [
            layer.pre.nonfinite,
            layer.out.nonfinite,
            layer.grad.nonfinite,
        ];
        assert_eq!(reported, counts, "layer {}: non-finite counts", layer.layer);
        assert_eq!(layer.grad_pre.nonfinite, count(&g.d_pre));
        total += counts.iter().sum::<usize>() + count(&g.d_pre);
        let (width, phi_input) = (block.linear.fan_out, block.phi_input(a));
        let units_all_nan = (0..width)
            .filter(|&j| (0..rows).all(|r| phi_input[r * width + j].is_nan()))
            .count();
        if units_all_nan == width {
            layers_with_nan_input += 1;
            assert_eq!(
                layer.dead,
                Some(0.0),
                "layer {}: NaN input is not dead",
                layer.layer
            );
            assert_eq!(count(&a.out), n, "layer {}: relu keeps NaN", layer.layer);
        }
    }
    assert_eq!(stats.nonfinite, total);
    assert!(
        layers_with_nan_input >= 3,
        "{layers_with_nan_input} NaN layers"
    );
}

/// A NaN output is not saturated (tanh and sigmoid agree), and a non-finite
/// loss reaches the page as "NaN" or "inf" in JSON (which has no NaN; serde
/// would write null) while the worker's binary frame keeps the f32 itself.
#[test]
fn nan_is_not_saturated_and_a_nonfinite_loss_is_spelled_out() {
    for phi in [Activation::Tanh, Activation::Sigmoid] {
        assert_eq!(phi.saturated(f32::NAN), Some(false), "{phi:?}");
        assert_eq!(phi.saturated(1.0), Some(true), "{phi:?}");
    }
    let mut scope = Scope::new(
        "depth=20&activation=relu&init=normal&scale=50"
            .parse()
            .expect("query"),
    )
    .expect("scope");
    let frame = Frame::of(&mut scope, FrameRequest::default());
    assert!(frame.stats.loss.is_nan());
    let decoded = Frame::from_bytes(&frame.to_bytes()).expect("frame");
    assert!(decoded.stats.loss.is_nan() && decoded.stats.nonfinite_logits > 0);
    for (loss, text) in [
        (f32::NAN, "\"NaN\""),
        (f32::INFINITY, "\"inf\""),
        (0.25, "0.25"),
    ] {
        let stats = Stats {
            loss,
            ..Stats::default()
        };
        let json = serde_json::to_string(&stats).expect("json");
        assert!(json.contains(&format!("\"loss\":{text}")), "{json}");
        let back: Stats = serde_json::from_str(&json).expect("read back");
        assert_eq!(back.loss.to_bits(), loss.to_bits(), "{json}");
    }
}

/// The update:data ratio of an update that holds NaN is NaN, not the 0 that
/// `f64::max(NaN, 0)` made of its variance.
#[test]
fn a_nan_update_has_a_nan_std() {
    for kind in [Kind::Sgd, Kind::Momentum, Kind::Adam] {
        let mut optimizer = OptimizerState::new(kind, 0.1);
        optimizer.begin_step();
        let mut param = vec![1.0, 2.0, 3.0];
        let std = optimizer.update(0, &mut param, &[f32::NAN, 1.0, -1.0]);
        assert!(std.is_nan() && param[0].is_nan(), "{kind:?}: std {std}");
        assert!(param[1].is_finite(), "{kind:?}: only the NaN entry");
    }
}
