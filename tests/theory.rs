//! The mean-field prediction (src/core/theory.rs) against known results and
//! against networks measured at width 512, averaged over 8 seeds.

use normscope::core::theory::{gaussian_mean, predict, Theory};
use normscope::{Config, Scope};

fn layers(query: &str) -> Vec<normscope::core::theory::TheoryLayer> {
    let config: Config = query.parse().unwrap();
    match predict(&config, 1.0, 0) {
        Theory::Predicted(layers) => layers,
        Theory::NotApplicable(why) => panic!("{query}: {why}"),
    }
}

#[test]
fn quadrature_matches_closed_forms() {
    // E[z^2] = q, E[relu(z)^2] = q/2, E[z^4] = 3 q^2.
    assert!((gaussian_mean(2.5, |z| z * z) - 2.5).abs() < 1e-9);
    assert!((gaussian_mean(2.0, |z| z.max(0.0).powi(2)) - 1.0).abs() < 1e-6);
    assert!((gaussian_mean(0.5, |z| z.powi(4)) - 0.75).abs() < 1e-9);
}

#[test]
fn relu_with_kaiming_keeps_the_variance_constant() {
    let predicted =
        layers("dataset=gaussian&width=256&depth=20&activation=relu&init=kaiming_normal");
    for l in &predicted {
        assert!(
            (l.pre_var / predicted[0].pre_var - 1.0).abs() < 1e-3,
            "{l:?}"
        );
        // ... and the gradient's second moment too (fan_out = fan_in here).
        assert!((l.grad_rel.unwrap() - 1.0).abs() < 1e-3, "{l:?}");
    }
}

#[test]
fn tanh_with_unit_weights_reaches_its_fixed_point() {
    // Var(W) = 1 per weight at width 64: q* = 64 E[tanh(sqrt(q*) z)^2].
    let predicted = layers("width=64&depth=30&activation=tanh&init=normal&scale=1");
    let q = predicted.last().unwrap().pre_var as f64;
    let image = 64.0 * gaussian_mean(q, |z| z.tanh().powi(2));
    assert!((image / q - 1.0).abs() < 1e-4, "q* {q}, map {image}");
    assert!(
        (predicted[28].pre_var as f64 / q - 1.0).abs() < 1e-4,
        "converged"
    );
    // A fixed point of the saturated regime: most of 64 squared tanh outputs near 1.
    assert!((40.0..64.0).contains(&q), "{q}");
}

#[test]
fn residual_networks_and_trained_ones_get_no_prediction() {
    let config: Config = "residual=pre&norm=layer".parse().unwrap();
    assert!(
        matches!(predict(&config, 1.0, 0), Theory::NotApplicable(why) if why.contains("residual"))
    );
    let config: Config = "".parse().unwrap();
    assert!(
        matches!(predict(&config, 1.0, 5), Theory::NotApplicable(why) if why.contains("step 0"))
    );
    // Sets of one value normalize to 0, not to variance 1.
    for query in ["norm=group&groups=64", "norm=batch&batch=1"] {
        let config: Config = query.parse().unwrap();
        let prediction = predict(&config, 1.0, 0);
        assert!(
            matches!(&prediction, Theory::NotApplicable(why) if why.contains("one value")),
            "{query}: {prediction:?}"
        );
    }
}

/// Measured Var(a) per layer, averaged over seeds 1..=8, at width 512.
fn measured(query: &str) -> (Vec<f32>, Vec<f32>) {
    let (mut sum, mut predicted) = (vec![0.0f32; 10], Vec::new());
    for seed in 1..=8 {
        let config: Config =
            format!("dataset=gaussian&width=512&batch=128&depth=10&seed={seed}&{query}")
                .parse()
                .unwrap();
        let mut scope = Scope::new(config).unwrap();
        if let Theory::Predicted(layers) = scope.theory() {
            predicted = layers.iter().map(|l| l.pre_var).collect();
        }
        for (total, layer) in sum.iter_mut().zip(&scope.stats().layers) {
            *total += layer.pre.std * layer.pre.std / 8.0;
        }
    }
    (sum, predicted)
}

#[test]
fn measured_variances_at_width_512_agree_with_the_prediction() {
    for (query, tolerance) in [
        ("activation=tanh&init=xavier_normal", 0.05),
        ("activation=relu&init=kaiming_normal", 0.12),
    ] {
        let (measured, predicted) = measured(query);
        for (l, (m, p)) in measured.iter().zip(&predicted).enumerate() {
            println!("{query} layer {}: measured {m:.4}, predicted {p:.4}", l + 1);
            assert!(
                (m / p - 1.0).abs() < tolerance,
                "{query} layer {}: {m} vs {p}",
                l + 1
            );
        }
    }
}

#[test]
fn the_scope_hands_the_prediction_to_the_stats_and_as_json() {
    let mut s = Scope::new(
        "depth=4&activation=relu&init=kaiming_normal"
            .parse()
            .unwrap(),
    )
    .unwrap();
    assert!(matches!(&s.stats().theory, Some(Theory::Predicted(layers)) if layers.len() == 4));
    let json: serde_json::Value = serde_json::from_str(&s.theory().to_json()).unwrap();
    assert_eq!(json["applies"], true);
    assert_eq!(json["layers"][3]["layer"], 4);
    s.step(1);
    let json: serde_json::Value = serde_json::from_str(&s.theory().to_json()).unwrap();
    assert_eq!(json["applies"], false);
    assert!(json["reason"].as_str().unwrap().contains("step 0"));
}
