//! The optimizers against values worked out by hand from torch.optim's update
//! rules (SGD, SGD with momentum 0.9 and dampening 0, Adam 0.9/0.999/1e-8 with
//! bias correction): one parameter p = 1, gradients 0.5 then -0.25, lr 0.1.

use normscope::core::config::Optimizer as Kind;
use normscope::core::optim::OptimizerState;

fn two_steps(kind: Kind) -> (f32, f32) {
    let mut optimizer = OptimizerState::new(kind, 0.1);
    let mut param = [1.0f32];
    let mut after = [0.0f32; 2];
    for (step, grad) in [0.5f32, -0.25].into_iter().enumerate() {
        optimizer.begin_step();
        optimizer.update(0, &mut param, &[grad]);
        after[step] = param[0];
    }
    (after[0], after[1])
}

fn assert_close(got: (f32, f32), expected: (f64, f64), what: &str) {
    assert!(
        (got.0 as f64 - expected.0).abs() < 1e-6,
        "{what} step 1: {} vs {}",
        got.0,
        expected.0
    );
    assert!(
        (got.1 as f64 - expected.1).abs() < 1e-6,
        "{what} step 2: {} vs {}",
        got.1,
        expected.1
    );
}

#[test]
fn sgd() {
    // p -= lr g: 1 - 0.05, then + 0.025.
    assert_close(two_steps(Kind::Sgd), (0.95, 0.975), "sgd");
}

#[test]
fn momentum_starts_its_buffer_at_the_gradient() {
    // b1 = g1 = 0.5 (torch: no 0.9 * 0 + g on step 1, same value), p = 0.95;
    // b2 = 0.9 * 0.5 - 0.25 = 0.2, p = 0.95 - 0.02.
    assert_close(two_steps(Kind::Momentum), (0.95, 0.93), "momentum");
}

#[test]
fn adam_with_bias_correction() {
    // Step 1: m_hat = 0.5, v_hat = 0.25, p = 1 - 0.1 * 0.5 / (0.5 + 1e-8).
    // Step 2: m = 0.02, v = 3.1225e-4, m_hat = 0.02/0.19, v_hat = 3.1225e-4/0.001999.
    assert_close(
        two_steps(Kind::Adam),
        (0.900_000_002, 0.873_366_298_7),
        "adam",
    );
}

#[test]
fn update_returns_the_std_of_the_applied_update() {
    let mut optimizer = OptimizerState::new(Kind::Sgd, 0.1);
    let mut param = [0.0f32; 4];
    optimizer.begin_step();
    let std = optimizer.update(0, &mut param, &[1.0, -1.0, 1.0, -1.0]);
    assert!((std - 0.1).abs() < 1e-7, "updates are +-0.1: std {std}");
}

/// Seven entries (four lanes and a remainder of three): the std of the applied
/// update equals the population std summed serially in f64, to f32 rounding.
#[test]
fn update_std_over_lanes_and_a_remainder() {
    let grads = [0.3f32, -1.7, 2.25, 0.0, -0.4, 5.5, -3.0];
    let mut optimizer = OptimizerState::new(Kind::Sgd, 0.5);
    let mut param = [1.0f32; 7];
    optimizer.begin_step();
    let std = optimizer.update(0, &mut param, &grads);
    let deltas: Vec<f64> = grads.iter().map(|&g| (-0.5f32 * g) as f64).collect();
    let mean = deltas.iter().sum::<f64>() / 7.0;
    let serial = (deltas.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / 7.0).sqrt();
    assert!(
        (std as f64 - serial).abs() <= 1e-6 * serial,
        "std {std} against {serial}"
    );
}
