//! Distributions over time (`src/core/timeline.rs`): exact percentiles, a
//! bounded and evenly thinned record, the training pass it records, and the
//! frame that carries it to the page.

use normscope::core::frame::{Frame, FrameRequest};
use normscope::core::timeline::{percentiles, rank, Scratch, Timeline, PERCENTILES, TIMELINE_CAP};
use normscope::{Config, Scope};

#[path = "timeline/cases.rs"]
mod cases;
use cases::{by_sorting, scrambled, zeros_and_subnormals, zeros_then_subnormals};

/// A band as bits, as [`by_sorting`] gives it.
fn bits(band: &[f32]) -> Vec<u32> {
    band.iter().map(|v| v.to_bits()).collect()
}

/// The nearest rank, `round(p / 100 * (n - 1))`, exact where the product ends
/// in a half: 69 * 10350 / 100 = 7141.5 is rank 7142 (in f64, 0.69 * 10350
/// falls just below the half and would round down).
#[test]
fn ranks_round_exact_halves_up() {
    assert_eq!(rank(69.0, 10_351), 7142);
    assert!(
        (0.69f64 * 10_350.0).round() < 7142.0,
        "the f64 product rounds down"
    );
    assert_eq!(rank(50.0, 2), 1);
    assert_eq!(rank(7.0, 1), 0);
    assert_eq!(rank(100.0, 524_288), 524_287);
    assert_eq!(rank(0.0, 9), 0);
    for n in 1..300 {
        for &p in &PERCENTILES {
            let exact = (p as usize * (n - 1)) as f64 / 100.0;
            let want = exact.floor() as usize + usize::from(exact.fract() >= 0.5);
            assert_eq!(rank(p, n), want, "p {p} n {n}");
        }
    }
}

#[test]
fn percentiles_equal_a_sort_of_the_finite_values() {
    let mut scratch = Scratch::default();
    for (n, seed) in [(1, 1), (2, 2), (9, 3), (100, 4), (1000, 5), (65_536, 6)] {
        let values = scrambled(n, seed);
        let finite = values.iter().filter(|v| v.is_finite()).count();
        let band = percentiles(&values, &mut scratch);
        if finite == 0 {
            assert!(band.iter().all(|v| v.is_nan()), "n {n}");
            continue;
        }
        assert_eq!(bits(&band), by_sorting(&values), "n {n}");
        assert!(band.windows(2).all(|w| w[0] <= w[1]), "ascending: {band:?}");
    }
    // The extremes are the finite min and max; a known middle.
    let band = percentiles(
        &[5.0, f32::NAN, 1.0, 3.0, f32::INFINITY, 2.0, 4.0],
        &mut scratch,
    );
    assert_eq!((band[0], band[4], band[8]), (1.0, 3.0, 5.0));
    let none = percentiles(&[f32::NAN, f32::INFINITY], &mut scratch);
    assert!(none.iter().all(|v| v.is_nan()));
}

/// The histogram selection against a sort, bit for bit, on the shapes a
/// layer's values take: one value repeated, a ReLU's half zeros (with -0.0
/// ordered before 0.0, as `total_cmp` orders them), subnormals beside the
/// largest floats, one far outlier, and a smooth bell of 2^16 values.
#[test]
fn percentiles_are_exact_on_clustered_and_extreme_values() {
    let mut scratch = Scratch::default();
    let bell: Vec<f32> = scrambled(1 << 18, 7)
        .chunks(4)
        .map(|c| {
            c.iter()
                .filter(|v| v.is_finite())
                .sum::<f32>()
                .clamp(-50.0, 50.0)
        })
        .collect();
    let relu: Vec<f32> = bell
        .iter()
        .map(|v| {
            if *v > 0.0 {
                *v
            } else if v.to_bits() % 2 == 0 {
                0.0
            } else {
                -0.0
            }
        })
        .collect();
    let mut outlier = bell.clone();
    outlier[100] = 3.0e38;
    let extremes = vec![
        f32::MAX,
        -f32::MAX,
        f32::MIN_POSITIVE / 8.0,
        -f32::MIN_POSITIVE / 3.0,
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.5,
    ];
    let cases = [
        ("repeated", vec![0.25; 1000]),
        ("zeros", vec![0.0; 1000]),
        (
            "negative zeros",
            [vec![-0.0; 600], vec![0.0; 300], vec![1.0; 100]].concat(),
        ),
        ("zeros and subnormals", zeros_and_subnormals(3000)),
        ("two", vec![2.0, -2.0]),
        ("bell", bell),
        ("relu", relu),
        ("outlier", outlier),
        ("extremes", extremes),
    ];
    for (name, values) in cases {
        let band = percentiles(&values, &mut scratch);
        assert_eq!(bits(&band), by_sorting(&values), "{name}");
    }
    for values in zeros_then_subnormals() {
        let band = percentiles(&values, &mut scratch);
        assert_eq!(bits(&band), by_sorting(&values), "{values:?}");
    }
}

#[test]
fn the_timeline_stays_bounded_and_evenly_thinned() {
    let mut timeline = Timeline::new(2);
    let values: Vec<f32> = (0..10).map(|v| v as f32).collect();
    for step in 1..=20_000u64 {
        timeline.record(
            step,
            (0..2).map(|_| [&values[..], &values[..], &values[..]]),
        );
        assert!(timeline.steps.len() <= TIMELINE_CAP, "step {step}");
    }
    // 20 000 steps at the cap of 256: the stride doubled to 128.
    assert_eq!(timeline.stride, 128);
    assert!(timeline.steps.len() > TIMELINE_CAP / 2);
    assert!(timeline.steps.iter().all(|s| s % 128 == 0));
    assert!(timeline.steps.windows(2).all(|w| w[1] - w[0] == 128));
    assert!(timeline.is_consistent(2));
    assert!(!timeline.is_consistent(3));
    assert_eq!(
        timeline.bands[1][2][0],
        [0.0, 1.0, 1.0, 3.0, 5.0, 6.0, 8.0, 8.0, 9.0]
    );
}

fn scope(query: &str) -> Scope {
    let config: Config = query.parse().expect("valid config");
    Scope::new(config).expect("scope")
}

#[test]
fn step_one_records_the_pass_the_probe_shows_at_step_zero() {
    // Without BatchNorm the probe pass at step 0 and the training pass of step
    // 1 see the same batch and parameters, so they hold the same values.
    let mut scope = scope("depth=3&width=16&activation=sigmoid&batch=32");
    scope.stats();
    let network = scope.network();
    let rows = network.rows();
    let expected: Vec<[Vec<u32>; 3]> = network
        .blocks
        .iter()
        .zip(network.acts.blocks.iter().zip(&network.grads.blocks))
        .map(|(b, (a, g))| {
            let n = rows * b.linear.fan_out;
            [
                by_sorting(&a.pre[..n]),
                by_sorting(&a.out[..n]),
                by_sorting(&g.d_out[..n]),
            ]
        })
        .collect();
    assert!(scope.stats().history.timeline.steps.is_empty());
    scope.step(5);
    let timeline = &scope.stats().history.timeline;
    assert_eq!(timeline.steps, vec![1, 2, 3, 4, 5]);
    for (layer, tensors) in expected.iter().enumerate() {
        for (tensor, values) in tensors.iter().enumerate() {
            assert_eq!(
                &bits(&timeline.bands[layer][tensor][0]),
                values,
                "layer {layer} tensor {tensor}"
            );
        }
    }
    // Training moves them: step 5's band differs from step 1's.
    assert_ne!(timeline.bands[2][2][0], timeline.bands[2][2][4]);
}

#[test]
fn frames_carry_the_timeline_and_lean_frames_leave_it_out() {
    let mut scope = scope("depth=4&width=8");
    scope.step(12);
    let frame = Frame::of(&mut scope, FrameRequest::default());
    let decoded = Frame::from_bytes(&frame.to_bytes()).expect("decodes");
    assert_eq!(decoded.stats.history.timeline.steps.len(), 12);
    assert_eq!(decoded.stats.history.timeline, frame.stats.history.timeline);
    let lean = Frame::from_bytes(&frame.without_history().to_bytes()).expect("decodes");
    assert!(lean.stats.history.timeline.steps.is_empty() && lean.stats.history.steps.is_empty());
    assert_eq!(lean.stats.layers, frame.stats.layers);
    assert!(lean.to_bytes().len() * 2 < frame.to_bytes().len());
    // A timeline whose lengths disagree is refused, never drawn.
    let mut bad = frame.clone();
    bad.stats.history.timeline.bands[3][1].pop();
    let error = Frame::from_bytes(&bad.to_bytes()).expect_err("refused");
    assert!(error.to_string().contains("history"), "{error}");
}

/// A record's cost at the bench's configs (www/bench-configs.json), against
/// a step's: `cargo test --release --test timeline -- --ignored --nocapture`.
#[test]
#[ignore]
fn cost() {
    let configs = [
        ("S", "depth=8&width=64&batch=64&activation=tanh&norm=layer", 200),
        ("M", "depth=16&width=128&batch=128&activation=relu&init=kaiming_normal&norm=batch&optimizer=adam&dataset=gaussian", 40),
        ("L", "depth=64&width=256&batch=256&activation=gelu&norm=layer&residual=pre&optimizer=adam&dataset=gaussian", 4),
    ];
    for (name, query, reps) in configs {
        let mut scope = scope(query);
        scope.step(2);
        let start = std::time::Instant::now();
        scope.step(reps);
        let step = start.elapsed().as_secs_f64() / reps as f64;
        let mut timeline = Timeline::new(scope.config().depth);
        let start = std::time::Instant::now();
        for s in 0..reps as u64 {
            timeline.record_network(s, scope.network());
        }
        let record = start.elapsed().as_secs_f64() / reps as f64;
        let values = 3 * scope.config().depth * scope.config().batch * scope.config().width;
        println!(
            "{name}: a step (with its record) {:.2} ms, a record alone {:.3} ms ({:.2} ns a value)",
            step * 1e3,
            record * 1e3,
            record * 1e9 / values as f64
        );
    }
}
