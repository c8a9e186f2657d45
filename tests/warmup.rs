//! The `warmup` key: a linear learning-rate warmup over N steps, defined as
//! torch's `LambdaLR(optimizer, lambda t: min(1, (t + 1) / N))` stepped after
//! every optimizer step: step t (from 0) uses `lr * min(1, (t + 1) / N)`.
//! The PyTorch script's schedule is checked in tests/torch_script/pytorch.rs.

use normscope::core::config::Optimizer as Kind;
use normscope::core::optim::{warmup_factor, OptimizerState};
use normscope::{Config, Scope};

#[test]
fn the_factor_ramps_linearly_to_one_and_zero_means_none() {
    let factors: Vec<f32> = (0..6).map(|t| warmup_factor(4, t)).collect();
    assert_eq!(factors, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
    assert!((0..1000).all(|t| warmup_factor(0, t) == 1.0));
    assert!((0..1000).all(|t| warmup_factor(1, t) == 1.0));
    assert_eq!(warmup_factor(100_000, 0), 1e-5);
}

/// SGD with lr 0.1, warmup 4 and a constant gradient 0.5: the steps take
/// 0.05 x (1/4, 2/4, 3/4, 1, 1), so p = 1 - 0.05 x 3.5 = 0.825.
#[test]
fn sgd_steps_follow_the_schedule() {
    let mut optimizer = OptimizerState::new(Kind::Sgd, 0.1).with_warmup(4);
    let mut param = [1.0f32];
    let mut lrs = Vec::new();
    for _ in 0..5 {
        optimizer.begin_step();
        lrs.push(optimizer.current_lr());
        optimizer.update(0, &mut param, &[0.5]);
    }
    assert_eq!(lrs, [0.025, 0.05, 0.075, 0.1, 0.1]);
    assert!((param[0] - 0.825).abs() < 1e-6, "{}", param[0]);
}

/// Adam with a constant gradient moves each step by about lr (m_hat / sqrt(v_hat)
/// = 1): the warmup scales that whole step, as torch's lr does, so four steps
/// with warmup 4 move 0.1 x (0.25 + 0.5 + 0.75 + 1) = 0.25.
#[test]
fn adam_steps_are_scaled_by_the_factor() {
    let mut optimizer = OptimizerState::new(Kind::Adam, 0.1).with_warmup(4);
    let mut param = [1.0f32];
    for _ in 0..4 {
        optimizer.begin_step();
        optimizer.update(0, &mut param, &[0.5]);
    }
    assert!((param[0] - 0.75).abs() < 1e-5, "{}", param[0]);
}

fn weights(scope: &Scope) -> Vec<f32> {
    let network = scope.network();
    let mut all = network.head.weight.clone();
    for block in &network.blocks {
        all.extend(&block.linear.weight);
    }
    all
}

fn trained(query: &str, steps: usize) -> Scope {
    let mut scope = Scope::new(query.parse::<Config>().unwrap()).unwrap();
    scope.step(steps);
    scope
}

/// In a Scope: warmup 4 at lr 0.2 takes its first step at lr 0.05 exactly (a
/// power-of-two factor), so it matches a plain lr 0.05 run bit for bit; warmup 1
/// is no warmup; and a warmup changes the run after that.
#[test]
fn a_scope_trains_with_the_warmed_up_rate() {
    let base = "depth=4&width=16&batch=16&norm=layer&seed=3";
    let warm = trained(&format!("{base}&lr=0.2&warmup=4"), 1);
    let plain = trained(&format!("{base}&lr=0.05"), 1);
    assert_eq!(weights(&warm), weights(&plain));
    let one = trained(&format!("{base}&lr=0.2&warmup=1"), 5);
    let none = trained(&format!("{base}&lr=0.2"), 5);
    assert_eq!(weights(&one), weights(&none));
    let four = trained(&format!("{base}&lr=0.2&warmup=4"), 5);
    assert_ne!(weights(&four), weights(&none));
}

#[test]
fn bad_values_are_refused_naming_the_key_and_the_range() {
    for bad in ["-1", "2.5", "100001", "x", ""] {
        let error = format!("warmup={bad}").parse::<Config>().unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("'warmup'") && text.contains("an integer in 0..=100000"),
            "warmup={bad}: {text}"
        );
    }
    let config: Config = "warmup=0".parse().unwrap();
    assert_eq!(config.warmup, 0);
    assert_eq!(Config::default().warmup, 0, "no warmup by default");
}
