//! Signal propagation at initialization, against theory (Glorot & Bengio 2010;
//! He et al. 2015), at width 256 on Gaussian inputs x ~ N(0, I).
//!
//! For a = W h with W_ij ~ (0, s^2): Var(a_l) = fan_in s^2 E[h_{l-1}^2]. With ReLU,
//! E[relu(a)^2] = Var(a)/2, so kaiming (s^2 = 2/fan_in) keeps Var(a_l) = 2 at
//! every layer while xavier (s^2 = 2/(fan_in+fan_out) = 1/256) halves it.

use normscope::{Config, Scope};

/// Seeds averaged over: theory gives the expectation over weights, and one draw
/// of ten 256x256 layers wanders by about 10% (the all-positive mean direction
/// of ReLU outputs carries a third of their energy through a single direction).
const SEEDS: u32 = 8;

fn pre_activation_variances(query: &str) -> Vec<f32> {
    let mut sum = vec![0.0f32; 10];
    for seed in 1..=SEEDS {
        let config: Config =
            format!("dataset=gaussian&width=256&batch=256&depth=10&norm=none&seed={seed}&{query}")
                .parse()
                .unwrap();
        let mut scope = Scope::new(config).unwrap();
        for (total, layer) in sum.iter_mut().zip(&scope.stats().layers) {
            *total += layer.pre.std * layer.pre.std / SEEDS as f32;
        }
    }
    sum
}

#[test]
fn relu_with_kaiming_keeps_pre_activation_variance_near_two() {
    let variances = pre_activation_variances("activation=relu&init=kaiming_normal");
    for (l, v) in variances.iter().enumerate() {
        assert!(
            (v / 2.0 - 1.0).abs() < 0.15,
            "layer {}: Var(a) = {v}, theory 2",
            l + 1
        );
    }
}

#[test]
fn relu_with_xavier_halves_the_variance_per_layer() {
    let variances = pre_activation_variances("activation=relu&init=xavier_normal");
    assert!(
        (variances[0] - 1.0).abs() < 0.1,
        "layer 1: {}",
        variances[0]
    );
    for l in 1..variances.len() {
        let ratio = variances[l] / variances[l - 1];
        assert!(
            (ratio - 0.5).abs() < 0.08,
            "layer {}: ratio {ratio}, theory 1/2",
            l + 1
        );
    }
    let expected_last = 0.5f32.powi(9);
    assert!(
        (variances[9] / expected_last - 1.0).abs() < 0.3,
        "layer 10: {} vs {expected_last}",
        variances[9]
    );
}

#[test]
fn layer_norm_rescues_the_vanishing_gradient_of_a_deep_tanh_net() {
    // torch's default init has Var(W) = 1/(3 fan_in): each tanh layer scales the
    // backward signal by about 1/sqrt 3, so after 30 layers by ~1e-7.
    let first_over_last = |query: &str| {
        let mut scope = Scope::new(query.parse::<Config>().unwrap()).unwrap();
        let layers = &scope.stats().layers;
        layers[0].grad.std / layers[29].grad.std
    };
    let plain = first_over_last("depth=30&activation=tanh&init=torch_default");
    let normalized = first_over_last("depth=30&activation=tanh&init=torch_default&norm=layer");
    assert!(
        plain < 1e-5,
        "no norm: the gradient vanishes (layer 1 / layer 30 = {plain})"
    );
    assert!(
        (0.1..10.0).contains(&normalized),
        "LayerNorm keeps it (ratio {normalized})"
    );
}
