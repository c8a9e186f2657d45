//! Every diagnosis finding fires where it must and stays quiet where it must
//! not (src/core/diagnosis.rs), across seeds 1-8. Healthy networks (the
//! default, LayerNorm, Kaiming ReLU, Pre-LN and Post-LN at init, a trained
//! BatchNorm net) raise no alarm.

use normscope::core::diagnosis::{diagnose, magnitude, Finding};
use normscope::{Config, Scope};

fn findings(query: &str, steps: usize, seed: u32) -> Vec<Finding> {
    let config: Config = format!("{query}&seed={seed}").parse().unwrap();
    let mut scope = Scope::new(config.clone()).unwrap();
    scope.step(steps);
    diagnose(&config, scope.stats())
}

/// The kinds found for every seed 1..=8.
fn kinds_across_seeds(query: &str, steps: usize) -> Vec<Vec<&'static str>> {
    (1..=8)
        .map(|seed| {
            findings(query, steps, seed)
                .iter()
                .map(|f| f.kind())
                .collect()
        })
        .collect()
}

fn always(query: &str, steps: usize, kind: &str) {
    for (i, kinds) in kinds_across_seeds(query, steps).iter().enumerate() {
        assert!(
            kinds.contains(&kind),
            "{query} seed {}: {kinds:?} lacks {kind}",
            i + 1
        );
    }
}

fn never(query: &str, steps: usize, kind: &str) {
    for (i, kinds) in kinds_across_seeds(query, steps).iter().enumerate() {
        assert!(
            !kinds.contains(&kind),
            "{query} seed {}: {kinds:?} has {kind}",
            i + 1
        );
    }
}

#[test]
fn healthy_networks_raise_no_alarm() {
    for (query, steps) in [
        ("", 0),
        ("", 100),
        ("norm=layer", 0),
        ("norm=layer", 100),
        ("activation=relu&init=kaiming_normal", 0),
        ("activation=relu&init=kaiming_normal&norm=layer", 50),
        ("depth=20&activation=tanh&init=torch_default&norm=layer", 0),
        ("depth=32&residual=pre&norm=layer", 0),
        ("norm=batch&batch=64", 50),
    ] {
        for (i, kinds) in kinds_across_seeds(query, steps).iter().enumerate() {
            assert_eq!(
                kinds,
                &["healthy"],
                "{query:?} at step {steps}, seed {}",
                i + 1
            );
        }
    }
}

#[test]
fn a_vanishing_signal_and_gradient_and_a_collapse() {
    let deep_tanh = "depth=20&activation=tanh&init=torch_default";
    always(deep_tanh, 0, "vanishing_signal");
    always(deep_tanh, 0, "vanishing_gradient");
    always(deep_tanh, 0, "collapsed");
    always(
        "depth=30&activation=relu&init=xavier_uniform",
        0,
        "vanishing_signal",
    );
    never(deep_tanh, 0, "exploding_gradient");
    never(
        "depth=20&activation=tanh&init=torch_default&norm=layer",
        0,
        "vanishing_gradient",
    );
}

#[test]
fn saturation_and_an_exploding_gradient() {
    let saturated = "activation=tanh&init=normal&scale=1";
    always(saturated, 0, "saturated");
    always(saturated, 0, "exploding_gradient");
    never(saturated, 0, "dead");
    never("activation=tanh", 0, "saturated");
    let texts: Vec<String> = findings(saturated, 0, 1).iter().map(|f| f.text()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Layers 3–8: up to 80% of tanh units")),
        "{texts:?}"
    );
}

#[test]
fn dead_relus_at_depth_but_not_at_the_default_depth() {
    always("depth=30&activation=relu&init=kaiming_normal", 0, "dead");
    never("activation=relu&init=kaiming_normal", 0, "dead");
    never("activation=tanh", 0, "dead");
}

#[test]
fn degenerate_normalizations_are_named() {
    always("norm=batch&batch=2", 0, "batch_of_two");
    always("norm=batch&batch=1", 0, "batch_of_one");
    always("norm=group&groups=64", 0, "groups_of_one");
    never("norm=batch&batch=3", 0, "batch_of_two");
    let text = findings("norm=batch&batch=1", 0, 1)
        .iter()
        .map(|f| f.text())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("No gradient reaches layer 1"), "{text}");
}

#[test]
fn update_ratios_far_from_the_guide() {
    always("lr=0.0001", 5, "slow_update");
    always("lr=10", 3, "fast_update");
    never("", 5, "slow_update");
    never("", 5, "fast_update");
}

#[test]
fn divergence_comes_first_and_links_the_blow_up_preset() {
    let found = findings("depth=20&activation=relu&init=normal&scale=50&lr=10", 1, 1);
    assert_eq!(found[0].kind(), "diverged");
    assert_eq!(found[0].link().map(|l| l.title), Some("A blow-up"));
}

#[test]
fn magnitudes_read_as_powers_of_ten() {
    assert_eq!(magnitude(2.3e-5), "2·10⁻⁵");
    assert_eq!(magnitude(4.1e4), "4·10⁴");
    assert_eq!(magnitude(9.7e-6), "10⁻⁵");
    assert_eq!(magnitude(1e-3), "10⁻³");
    assert_eq!(magnitude(309.1), "309");
    assert_eq!(magnitude(3.45), "3.5");
}

#[test]
fn the_json_for_the_page_has_kind_text_and_link() {
    let config: Config = "depth=20&activation=tanh&init=torch_default"
        .parse()
        .unwrap();
    let mut scope = Scope::new(config.clone()).unwrap();
    let json = normscope::core::diagnosis::diagnosis_json(&config, scope.stats());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &value[0];
    assert_eq!(first["kind"], "vanishing_signal");
    assert!(first["text"]
        .as_str()
        .unwrap()
        .contains("from layer 1 to layer 20"));
    assert_eq!(first["link"]["title"], "Vanishing signal");
}
