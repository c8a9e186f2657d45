//! The `formula` key (issue 10): every variant against hand-computed values on
//! a small matrix, the config contract (refusals name `formula` and list what
//! is allowed), eps = 0, and NaN from a formula counted as a divergence.
//!
//! The matrix: rows (1, 2, 3, 4, 5) and (3, 2, 1, 0, -1), eps = 0.25. Each row
//! has mean 3 or 1, z = (-2, -1, 0, 1, 2) up to sign, biased variance v = 10/5 = 2
//! and unbiased v_u = 10/4 = 2.5. Its columns (the post's axes, n = 2) have
//! mean 2 and biased variances 1, 0, 1, 4, 9. Divisors worked out by hand:
//! - torch:        sqrt(2 + 0.25) = 1.5
//! - unbiased:     sqrt(2.5 + 0.25) = sqrt(2.75) = 1.6583124
//! - eps_outside:  sqrt(2) + 0.25 = 1.6642136
//! - negative_eps: sqrt(2 - 0.25) = sqrt(1.75) = 1.3228757
//! - seed_code:    sqrt(2.5) + 0.25 = 1.8311388
//! - batch_axes:   sqrt(v + 0.25) = 1.1180340, 0.5, 1.1180340, 2.0615528, 3.0413813
//! - seed_formula: sqrt(v - 0.25) = 0.8660254, NaN, 0.8660254, 1.9364917, 2.9580399

use normscope::core::config::Formula;
use normscope::core::norm::{Norm, NormCache, NormKind, Pass};
use normscope::{Config, Scope};

const X: [f32; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 3.0, 2.0, 1.0, 0.0, -1.0];
const EPS: f32 = 0.25;

/// Runs one forward pass of `kind` with `formula` on `x` (`rows` rows), gamma 1
/// and beta 0, and checks y against `(x - mean) / divisor + shift` entry by
/// entry, and `set_stats()` against the means and divisors given.
fn check(kind: NormKind, formula: &str, x: &[f32], rows: usize, sets: (&[f32], &[f32])) {
    let features = x.len() / rows;
    let formula_value = Formula::from_name(formula).unwrap();
    let mut cache = NormCache::default();
    let mut norm = Norm::new(kind, features, 1, EPS, 0.1, true);
    norm.formula = formula_value;
    let mut y = vec![0.0; x.len()];
    norm.forward(&mut cache, x, rows, &mut y, Pass::ProbeTrain);
    let shift = match formula {
        "eps_after" => EPS,
        "seed_formula" => -EPS,
        _ => 0.0,
    };
    let (means, divisors) = sets;
    let per_column = kind == NormKind::Batch || formula_value.over_batch();
    for (i, (&x, &y)) in x.iter().zip(&y).enumerate() {
        let set = if per_column {
            i % features
        } else {
            i / features
        };
        let want = (x - means[set]) / divisors[set] + shift;
        let close = (y - want).abs() <= 1e-6 * want.abs().max(1.0);
        assert!(
            close || (y.is_nan() && want.is_nan()),
            "{kind:?} {formula}: y[{i}] = {y}, by hand {want}"
        );
    }
    let (got_means, got_divisors) = cache.set_stats(norm.kind);
    for (set, (&d, &want)) in got_divisors.iter().zip(divisors).enumerate() {
        let close = (d - want).abs() <= 1e-6 * want;
        assert!(
            close || (d.is_nan() && want.is_nan()),
            "{kind:?} {formula}: divisor {set} = {d}, by hand {want}"
        );
        assert_eq!(got_means[set], means[set], "{kind:?} {formula}: mean {set}");
    }
    assert_eq!(
        got_divisors.len(),
        divisors.len(),
        "{kind:?} {formula}: sets"
    );
}

#[test]
fn row_formulas_match_hand_computed_values() {
    let means = [3.0, 1.0];
    for (formula, divisor) in [
        ("torch", 1.5),
        ("unbiased", 1.658_312_4),
        ("eps_outside", 1.664_213_6),
        ("eps_after", 1.5),
        ("negative_eps", 1.322_875_7),
        ("seed_code", 1.831_138_8),
    ] {
        for kind in [NormKind::Layer, NormKind::Group] {
            check(kind, formula, &X, 2, (&means, &[divisor; 2]));
        }
        // BatchNorm on the transpose: two features, five rows, the same sets.
        let transposed: Vec<f32> = (0..10).map(|i| X[(i % 2) * 5 + i / 2]).collect();
        check(
            NormKind::Batch,
            formula,
            &transposed,
            5,
            (&means, &[divisor; 2]),
        );
    }
}

#[test]
fn layer_norm_over_the_batch_axes_matches_hand_computed_values() {
    let means = [2.0; 5];
    let torch = [1.118_034, 0.5, 1.118_034, 2.061_552_8, 3.041_381_3];
    let seed = [0.866_025_4, f32::NAN, 0.866_025_4, 1.936_491_7, 2.958_04];
    check(NormKind::Layer, "batch_axes", &X, 2, (&means, &torch));
    check(NormKind::Layer, "seed_formula", &X, 2, (&means, &seed));
}

#[test]
fn rms_formulas_match_hand_computed_values() {
    // mean(x^2) = 55/5 = 11 for the first row, 15/5 = 3 for the second.
    let zeros = [0.0; 2];
    for (formula, divisors) in [
        ("torch", [3.354_102, 1.802_775_6]), // sqrt(11.25), sqrt(3.25)
        ("eps_outside", [3.566_624_7, 1.982_050_8]), // sqrt(11) + 0.25, sqrt(3) + 0.25
        ("eps_after", [3.354_102, 1.802_775_6]),
        ("negative_eps", [3.278_719_4, 1.658_312_4]), // sqrt(10.75), sqrt(2.75)
    ] {
        check(NormKind::Rms, formula, &X, 2, (&zeros, &divisors));
    }
}

/// BatchNorm in eval mode: running_mean for mu, running_var for v, and no
/// n/(n-1) on top (unbiased is torch there, seed_code is eps_outside).
#[test]
fn batch_norm_eval_uses_running_statistics_without_correction() {
    let x = [4.0f32, -1.0];
    for (formula, divisor) in [
        ("torch", 1.5),    // sqrt(2 + 0.25)
        ("unbiased", 1.5), // no correction on running_var
        ("eps_outside", 1.664_213_6),
        ("seed_code", 1.664_213_6),
        ("negative_eps", 1.322_875_7),
    ] {
        let mut cache = NormCache::default();
        let mut norm = Norm::new(NormKind::Batch, 2, 1, EPS, 0.1, true);
        norm.formula = Formula::from_name(formula).unwrap();
        norm.running_mean = vec![3.0, 1.0];
        norm.running_var = vec![2.0, 2.0];
        let mut y = [0.0; 2];
        norm.forward(&mut cache, &x, 1, &mut y, Pass::Eval);
        let want = [1.0 / divisor, -2.0 / divisor];
        for j in 0..2 {
            assert!(
                (y[j] - want[j]).abs() < 1e-6,
                "{formula}: y = {y:?}, by hand {want:?}"
            );
        }
    }
}

#[test]
fn formula_follows_the_config_contract() {
    let refused = [
        (
            "norm=rms&formula=unbiased",
            "torch, eps_outside, eps_after, negative_eps",
        ),
        (
            "norm=rms&formula=seed_code",
            "torch, eps_outside, eps_after, negative_eps",
        ),
        ("norm=batch&formula=batch_axes", "seed_code"),
        ("norm=group&formula=seed_formula", "seed_code"),
        ("norm=none&formula=eps_after", "with norm=none: torch"),
        ("norm=layer&formula=eps_inside", "seed_formula"),
    ];
    for (query, allowed) in refused {
        let error = query.parse::<Config>().expect_err(query).to_string();
        assert!(
            error.contains("'formula'") && error.contains(allowed),
            "{query}: {error}"
        );
    }
    // All or nothing: a refused combination changes nothing.
    let mut config: Config = "norm=layer&formula=batch_axes".parse().unwrap();
    let before = config.clone();
    assert!(config.apply_query("norm=batch").is_err());
    assert_eq!(config, before);
    // A URL with a formula that does not apply keeps the norm, falls back to torch.
    let (lenient, errors) = Config::from_query_lenient("norm=rms&formula=seed_code&groups=3");
    assert_eq!(
        (lenient.norm, lenient.formula),
        (NormKind::Rms, Formula::Torch)
    );
    assert_eq!((lenient.groups, errors.len()), (3, 1), "{errors:?}");
    for formula in Formula::NAMES {
        let query = format!("norm=layer&formula={formula}");
        let config: Config = query.parse().expect(&query);
        assert_eq!(config.to_query().parse::<Config>().unwrap(), config);
    }
}

/// eps = 0 is allowed: a set whose variance is 0 (BatchNorm at batch 1) gives
/// 0/0 = NaN, counted, and training pauses at step 1 naming layer 1.
#[test]
fn eps_zero_on_a_constant_set_is_nan_and_a_divergence() {
    let config: Config = "depth=3&width=8&batch=1&norm=batch&eps=0".parse().unwrap();
    let mut scope = Scope::new(config).unwrap();
    assert_eq!(scope.step(5), 1);
    let diverged = scope.diverged().cloned().expect("diverged");
    assert_eq!((diverged.step, diverged.layer), (1, Some(1)));
    assert!(scope.stats().nonfinite > 0);
}

/// negative_eps with eps above the variances: sqrt of a negative number is
/// NaN in the forward pass of layer 1, shown as a divergence, not refused.
#[test]
fn negative_eps_below_the_variance_diverges_in_layer_one() {
    let query = "depth=3&width=8&batch=8&norm=layer&formula=negative_eps&eps=1&scale=0.1";
    let mut scope = Scope::new(query.parse().unwrap()).unwrap();
    assert_eq!(scope.step(5), 1, "{query}");
    let diverged = scope.diverged().cloned().expect("diverged");
    assert_eq!((diverged.step, diverged.layer), (1, Some(1)));
    // The same net with torch's formula trains.
    let torch = query.replace("&formula=negative_eps", "");
    let mut scope = Scope::new(torch.parse().unwrap()).unwrap();
    assert_eq!(scope.step(5), 5, "{torch}");
}

/// LayerNorm over the batch's axes has no running statistics: inference (the
/// decision grid, computed in chunks) normalizes with the column statistics
/// of the last forward pass, so a chunk's result does not depend on its chunk.
#[test]
fn batch_axes_inference_does_not_depend_on_the_chunk() {
    use normscope::core::init::Rng;
    use normscope::core::network::Network;
    use rand::SeedableRng;
    let config: Config = "depth=3&width=8&norm=layer&formula=seed_formula&eps=0.001"
        .parse()
        .unwrap();
    let mut network = Network::new(&config, &mut Rng::seed_from_u64(5));
    let x: Vec<f32> = (0..16)
        .map(|i| ((i * 13 % 11) as f32 - 5.0) / 4.0)
        .collect();
    network.forward(&x, 8, Pass::ProbeTrain);
    let mut acts = normscope::core::network::Activations::default();
    let mut infer = |x: &[f32], rows| {
        network
            .forward_with(&mut acts, x, rows, Pass::Infer)
            .to_vec()
    };
    let whole = infer(&x, 8);
    assert!(whole.iter().all(|v| v.is_finite()), "{whole:?}");
    let first = infer(&x[..8], 4);
    let second = infer(&x[8..], 4);
    assert_eq!([first, second].concat(), whole);
}
