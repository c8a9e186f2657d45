//! Invariances that define each normalization, and the degenerate cases.

use normscope::core::config::NormKind;
use normscope::core::norm::{Norm, NormCache, NormGrads, Pass};

const ROWS: usize = 6;
const F: usize = 8;

fn input() -> Vec<f32> {
    (0..ROWS * F)
        .map(|i| ((i * 7919 % 97) as f32 - 40.0) / 17.0 + 0.3)
        .collect()
}

fn apply(kind: NormKind, groups: usize, x: &[f32], rows: usize) -> Vec<f32> {
    let mut cache = NormCache::default();
    let mut norm = Norm::new(kind, F, groups, 1e-5, 0.1, true);
    for j in 0..F {
        norm.gamma[j] = 1.0 + 0.1 * j as f32;
        norm.beta[j] = 0.05 * j as f32 - 0.2;
    }
    let mut y = vec![0.0; rows * F];
    norm.forward(&mut cache, x, rows, &mut y, Pass::ProbeTrain);
    y
}

fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol, "{what}: entry {i}: {x} vs {y}");
    }
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn layer_norm_ignores_per_sample_rescale_and_shift() {
    let x = input();
    let moved: Vec<f32> = x
        .chunks(F)
        .enumerate()
        .flat_map(|(r, row)| {
            let (scale, shift) = (0.5 + r as f32, 3.0 - r as f32);
            row.iter()
                .map(move |v| v * scale + shift)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_close(
        &apply(NormKind::Layer, 1, &x, ROWS),
        &apply(NormKind::Layer, 1, &moved, ROWS),
        1e-4,
        "layer",
    );
}

#[test]
fn rms_norm_ignores_rescale_but_not_shift() {
    let x = input();
    let scaled: Vec<f32> = x
        .chunks(F)
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .map(move |v| v * (0.5 + r as f32))
                .collect::<Vec<_>>()
        })
        .collect();
    let shifted: Vec<f32> = x.iter().map(|v| v + 2.0).collect();
    let base = apply(NormKind::Rms, 1, &x, ROWS);
    assert_close(
        &base,
        &apply(NormKind::Rms, 1, &scaled, ROWS),
        1e-4,
        "rms rescale",
    );
    assert!(
        max_diff(&base, &apply(NormKind::Rms, 1, &shifted, ROWS)) > 0.1,
        "RMSNorm does not center"
    );
}

#[test]
fn batch_norm_ignores_per_feature_affine_maps_of_the_batch() {
    let x = input();
    let moved: Vec<f32> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let j = i % F;
            v * (0.3 + j as f32) - 5.0 + j as f32
        })
        .collect();
    assert_close(
        &apply(NormKind::Batch, 1, &x, ROWS),
        &apply(NormKind::Batch, 1, &moved, ROWS),
        1e-4,
        "batch",
    );
    // ... but a per-sample shift changes it (it is not LayerNorm).
    let per_sample: Vec<f32> = x
        .iter()
        .enumerate()
        .map(|(i, v)| v + (i / F) as f32)
        .collect();
    assert!(
        max_diff(
            &apply(NormKind::Batch, 1, &x, ROWS),
            &apply(NormKind::Batch, 1, &per_sample, ROWS)
        ) > 0.1
    );
}

#[test]
fn group_norm_with_one_group_is_layer_norm() {
    let x = input();
    assert_eq!(
        apply(NormKind::Group, 1, &x, ROWS),
        apply(NormKind::Layer, 1, &x, ROWS)
    );
}

#[test]
fn group_norm_with_one_feature_per_group_outputs_beta() {
    let y = apply(NormKind::Group, F, &input(), ROWS);
    for row in y.chunks(F) {
        for (j, v) in row.iter().enumerate() {
            assert_eq!(*v, 0.05 * j as f32 - 0.2, "x - mean = 0, so y = beta");
        }
    }
}

#[test]
fn batch_norm_at_batch_one_outputs_beta() {
    let y = apply(NormKind::Batch, 1, &input()[..F], 1);
    for (j, v) in y.iter().enumerate() {
        assert_eq!(*v, 0.05 * j as f32 - 0.2);
    }
}

#[test]
fn normalized_rows_have_zero_mean_and_unit_variance() {
    let x = input();
    let mut cache = NormCache::default();
    let mut norm = Norm::new(NormKind::Layer, F, 1, 1e-5, 0.1, false);
    let mut y = vec![0.0; ROWS * F];
    norm.forward(&mut cache, &x, ROWS, &mut y, Pass::ProbeTrain);
    for row in y.chunks(F) {
        let mean = row.iter().sum::<f32>() / F as f32;
        // Biased variance (1/n), as torch: unit variance exactly up to eps.
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / F as f32;
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
            "mean {mean} var {var}"
        );
    }
}

#[test]
fn eps_sits_inside_the_square_root() {
    // Constant rows: var = 0, so x_hat = (x - mean) / sqrt(eps) = 0 but with a
    // row of +-1 and eps = 1: x_hat = 1 / sqrt(1 + 1), not 1 / (1 + 1).
    let x: Vec<f32> = (0..F)
        .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 })
        .collect();
    let mut cache = NormCache::default();
    let mut norm = Norm::new(NormKind::Layer, F, 1, 1.0, 0.1, false);
    let mut y = vec![0.0; F];
    norm.forward(&mut cache, &x, 1, &mut y, Pass::ProbeTrain);
    assert!((y[0] - 1.0 / 2f32.sqrt()).abs() < 1e-6, "{}", y[0]);
}

#[test]
fn backward_sums_to_zero_over_each_set() {
    let x = input();
    let dy: Vec<f32> = (0..ROWS * F)
        .map(|i| ((i * 31 % 13) as f32 - 6.0) / 5.0)
        .collect();
    for (kind, groups) in [
        (NormKind::Layer, 1),
        (NormKind::Group, 2),
        (NormKind::Batch, 1),
    ] {
        let mut cache = NormCache::default();
        let mut norm = Norm::new(kind, F, groups, 1e-5, 0.1, true);
        let (mut y, mut dx) = (vec![0.0; ROWS * F], vec![0.0; ROWS * F]);
        norm.forward(&mut cache, &x, ROWS, &mut y, Pass::ProbeTrain);
        let mut grads = NormGrads::default();
        norm.backward(&cache, &mut grads, &dy, &mut dx);
        let sums: Vec<f32> = match kind {
            NormKind::Batch => (0..F)
                .map(|j| (0..ROWS).map(|i| dx[i * F + j]).sum())
                .collect(),
            _ => dx.chunks(F / groups).map(|set| set.iter().sum()).collect(),
        };
        for s in sums {
            assert!(s.abs() < 1e-5, "{kind:?}: sum of dx over a set = {s}");
        }
    }
}

#[test]
fn running_statistics_use_the_unbiased_variance() {
    let x = input();
    let mut cache = NormCache::default();
    let mut norm = Norm::new(NormKind::Batch, F, 1, 1e-5, 0.1, true);
    let mut y = vec![0.0; ROWS * F];
    norm.forward(&mut cache, &x, ROWS, &mut y, Pass::ProbeTrain);
    assert_eq!(
        norm.running_mean,
        vec![0.0; F],
        "a probe pass updates nothing"
    );
    norm.forward(&mut cache, &x, ROWS, &mut y, Pass::Train);
    for j in 0..F {
        let column: Vec<f32> = (0..ROWS).map(|i| x[i * F + j]).collect();
        let mean = column.iter().sum::<f32>() / ROWS as f32;
        let unbiased = column.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / (ROWS - 1) as f32;
        assert!((norm.running_mean[j] - 0.1 * mean).abs() < 1e-6);
        assert!((norm.running_var[j] - (0.9 + 0.1 * unbiased)).abs() < 1e-5);
    }
}
