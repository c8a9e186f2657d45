//! Ioffe & Szegedy 2015, Figure 1: the numbers the preset in www/presets.js
//! quotes, read off the core for seeds 1-8 (a range "0.15–0.17" holds every
//! seed's value rounded to two decimals).

use normscope::{Config, Scope};

const QUERY: &str = "depth=3&width=100&activation=sigmoid&batch=60&dataset=gaussian&lr=0.5";

/// Layer 3's h percentiles [16th, 50th, 84th] at steps 1, 200 and 2000, and
/// the held-out accuracy at the end.
fn bands(norm: &str, seed: u32) -> ([[f32; 3]; 3], f32) {
    let config: Config = format!("{QUERY}&norm={norm}&seed={seed}")
        .parse()
        .expect("config");
    let mut scope = Scope::new(config).expect("scope");
    let mut at = [[0.0; 3]; 3];
    for (i, (take, step)) in [(1, 1), (199, 200), (1800, 2000)].into_iter().enumerate() {
        assert_eq!(scope.step(take), take, "{norm} seed {seed} diverged");
        let timeline = &scope.stats().history.timeline;
        assert_eq!(timeline.steps.last(), Some(&step));
        let band = timeline.bands[2][1].last().expect("a record");
        at[i] = [band[2], band[4], band[6]];
    }
    let accuracy = scope.stats().test.expect("held-out").accuracy;
    (at, accuracy)
}

/// Whether `v` rounds (to two decimals) into `lo..=hi`.
fn within(v: f32, (lo, hi): (f32, f32)) -> bool {
    let rounded = (v * 100.0).round() / 100.0;
    rounded >= lo - 1e-6 && rounded <= hi + 1e-6
}

#[test]
fn without_batchnorm_the_band_collapses_then_spreads() {
    for seed in 1..=8 {
        let ([first, early, last], accuracy) = bands("none", seed);
        let why = format!("seed {seed}: {first:?} {early:?} {last:?}");
        // "the median falls from 0.49–0.52 at step 1"
        assert!(within(first[1], (0.49, 0.52)), "{why}");
        // "to 0.15–0.17 at step 200, the 16th–84th band squeezed into 0.13–0.19"
        assert!(within(early[1], (0.15, 0.17)), "{why}");
        assert!(
            within(early[0], (0.13, 0.19)) && within(early[2], (0.13, 0.19)),
            "{why}"
        );
        // "by step 2000 the median is 0.16–0.18 while the 84th percentile has climbed to 0.46–0.55"
        assert!(within(last[1], (0.16, 0.18)), "{why}");
        assert!(within(last[2], (0.46, 0.55)), "{why}");
        // "Both reach 90–97% held-out accuracy"
        assert!(within(accuracy, (0.90, 0.97)), "{why}: accuracy {accuracy}");
    }
}

#[test]
fn with_batchnorm_the_band_stays_put() {
    for seed in 1..=8 {
        let (at, accuracy) = bands("batch", seed);
        let why = format!("seed {seed}: {at:?}");
        for [p16, median, p84] in at {
            // "the median stays at 0.46–0.50, the 16th percentile at 0.20–0.27 and the 84th at 0.73–0.76"
            assert!(within(median, (0.46, 0.50)), "{why}");
            assert!(within(p16, (0.20, 0.27)), "{why}");
            assert!(within(p84, (0.73, 0.76)), "{why}");
        }
        assert!(within(accuracy, (0.90, 0.97)), "{why}: accuracy {accuracy}");
    }
}

#[test]
fn the_bands_are_sigmoid_of_the_input_bands() {
    // h = σ(a) without a norm: σ keeps order, so h's percentiles are σ of a's
    // (the preset shows h and says so). Exact up to σ's own rounding.
    let config: Config = format!("{QUERY}&norm=none&seed=1").parse().expect("config");
    let mut scope = Scope::new(config).expect("scope");
    scope.step(50);
    let timeline = &scope.stats().history.timeline;
    for (pre, out) in timeline.bands[2][0].iter().zip(&timeline.bands[2][1]) {
        for (a, h) in pre.iter().zip(out) {
            let sigmoid = 1.0 / (1.0 + (-a).exp());
            assert!((sigmoid - h).abs() < 1e-6, "σ({a}) = {sigmoid}, h {h}");
        }
    }
}
