//! Initialization against torch.nn.init's formulas (the table in src/core/init.rs,
//! and docs/network.md).

use normscope::core::config::{Activation, InitScheme};
use normscope::core::init::{weight_draw, Draw, LinearInit, Rng};
use rand::SeedableRng;

const N: usize = 256;

fn draw(
    scheme: InitScheme,
    scale: f32,
    activation: Activation,
    fan_in: usize,
    fan_out: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut rng = Rng::seed_from_u64(7);
    let mut weight = vec![0.0; fan_in * fan_out];
    let mut bias = vec![0.0; fan_out];
    let init = LinearInit {
        scheme,
        scale,
        activation,
    };
    init.fill(fan_in, fan_out, &mut rng, &mut weight, &mut bias);
    (weight, bias)
}

fn mean_std(values: &[f32]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

#[test]
fn reference_values_for_256_by_256() {
    // torch.nn.init at fan_in = fan_out = 256, by hand from its formulas (docs/network.md).
    let bound = |d: Draw| match d {
        Draw::Uniform { bound } => bound,
        Draw::Normal { std } => std,
        other => panic!("unexpected {other:?}"),
    };
    let t = Activation::Tanh;
    let r = Activation::Relu;
    let cases = [
        (
            weight_draw(InitScheme::XavierUniform, 1.0, t, N, N),
            0.10825,
        ),
        (weight_draw(InitScheme::XavierNormal, 1.0, t, N, N), 0.0625),
        (
            weight_draw(InitScheme::XavierUniform, 5.0 / 3.0, t, N, N),
            0.18042,
        ),
        (
            weight_draw(InitScheme::KaimingNormal, 1.0, r, N, N),
            0.08839,
        ),
        (
            weight_draw(InitScheme::KaimingUniform, 1.0, r, N, N),
            0.15309,
        ),
        (weight_draw(InitScheme::TorchDefault, 1.0, t, N, N), 0.0625),
    ];
    for (draw, expected) in cases {
        let got = bound(draw);
        assert!(
            (got - expected).abs() < 1e-5,
            "{draw:?}: {got} vs torch {expected}"
        );
    }
    assert!((Activation::LeakyRelu.gain() - 1.41414).abs() < 1e-5);
    assert_eq!(Activation::Tanh.gain(), 5.0 / 3.0);
    assert_eq!(Activation::Sigmoid.gain(), 1.0);
}

#[test]
fn every_init_matches_its_formula_within_3_percent() {
    for &name in InitScheme::NAMES {
        let scheme = InitScheme::from_name(name).unwrap();
        for activation in [Activation::Tanh, Activation::Relu, Activation::Gelu] {
            for scale in [1.0, 0.5] {
                let (weight, bias) = draw(scheme, scale, activation, N, N);
                let (mean, std) = mean_std(&weight);
                let expected = weight_draw(scheme, scale, activation, N, N).std(N, N) as f64;
                if expected == 0.0 {
                    assert!(weight.iter().all(|&w| w == 0.0), "{name}");
                    continue;
                }
                assert!(
                    (std / expected - 1.0).abs() < 0.03,
                    "{name} {activation:?} x{scale}: std {std} vs {expected}"
                );
                assert!(mean.abs() < 0.03 * expected, "{name}: mean {mean}");
                if scheme == InitScheme::TorchDefault {
                    let bound = 1.0 / (N as f32).sqrt();
                    let (_, bias_std) = mean_std(&bias);
                    assert!(
                        bias.iter().all(|b| b.abs() <= bound),
                        "bias within 1/sqrt(fan_in)"
                    );
                    assert!(((bias_std as f32) / (bound / 3f32.sqrt()) - 1.0).abs() < 0.15);
                } else {
                    assert!(bias.iter().all(|&b| b == 0.0), "{name}: biases start at 0");
                }
            }
        }
    }
}

#[test]
fn uniform_draws_stay_inside_their_bound() {
    let (weight, _) = draw(InitScheme::XavierUniform, 1.0, Activation::Tanh, N, N);
    let bound = (6.0f32 / 512.0).sqrt();
    assert!(weight.iter().all(|w| w.abs() <= bound));
    assert!(
        weight.iter().any(|w| w.abs() > 0.95 * bound),
        "fills the interval"
    );
}

/// `(W^T W)` or `(W W^T)`, whichever is the smaller Gram matrix.
fn gram(weight: &[f32], rows: usize, cols: usize) -> (usize, Vec<f64>) {
    let small = rows.min(cols);
    let mut g = vec![0.0f64; small * small];
    for a in 0..small {
        for b in 0..small {
            g[a * small + b] = if rows >= cols {
                (0..rows)
                    .map(|i| weight[i * cols + a] as f64 * weight[i * cols + b] as f64)
                    .sum()
            } else {
                (0..cols)
                    .map(|j| weight[a * cols + j] as f64 * weight[b * cols + j] as f64)
                    .sum()
            };
        }
    }
    (small, g)
}

#[test]
fn orthogonal_gives_gain_squared_identity() {
    for (rows, cols, gain) in [
        (N, N, 1.0f32),
        (N, N, 5.0 / 3.0),
        (64, 2, 1.0),
        (2, 64, 2.0),
        (40, 20, 1.0),
    ] {
        let (weight, _) = draw(InitScheme::Orthogonal, gain, Activation::Tanh, cols, rows);
        let (small, g) = gram(&weight, rows, cols);
        let g2 = (gain * gain) as f64;
        for a in 0..small {
            for b in 0..small {
                let expected = if a == b { g2 } else { 0.0 };
                assert!(
                    (g[a * small + b] - expected).abs() < 1e-4 * g2.max(1.0),
                    "{rows}x{cols} ({a},{b}) = {}",
                    g[a * small + b]
                );
            }
        }
    }
}

#[test]
fn orthogonal_preserves_norms_exactly_in_a_linear_map() {
    let gain = 1.5f32;
    let (weight, _) = draw(InitScheme::Orthogonal, gain, Activation::Linear, N, N);
    let x: Vec<f32> = (0..N)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 30.0)
        .collect();
    let y: Vec<f32> = (0..N)
        .map(|i| (0..N).map(|j| weight[i * N + j] * x[j]).sum())
        .collect();
    let norm = |v: &[f32]| v.iter().map(|a| (*a as f64).powi(2)).sum::<f64>().sqrt();
    assert!((norm(&y) / norm(&x) - gain as f64).abs() < 1e-4);
}
