//! The collapse measures (`src/core/collapse.rs`) on real networks: they
//! measure the layer output h of the probe pass, agree with the naive O(B^2)
//! definitions, reach the CSV, and show what the pooled std hides.

use normscope::{Config, Scope};

fn scope(query: &str) -> Scope {
    let config: Config = query.parse().expect("valid config");
    Scope::new(config).expect("scope")
}

/// The definitions, written the slow way: per-unit std by two passes, and the
/// cosine of every ordered pair of rows with a direction.
fn naive(h: &[f32], width: usize) -> (f64, f64) {
    let rows: Vec<Vec<f64>> = h
        .chunks_exact(width)
        .map(|r| r.iter().map(|&v| v as f64).collect())
        .collect();
    let n = rows.len() as f64;
    let spread = (0..width)
        .map(|j| {
            let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
            (rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n).sqrt()
        })
        .sum::<f64>()
        / width as f64;
    let norm = |r: &[f64]| r.iter().map(|v| v * v).sum::<f64>().sqrt();
    let live: Vec<&Vec<f64>> = rows.iter().filter(|r| norm(r) > 0.0).collect();
    let (mut sum, mut pairs) = (0.0, 0.0);
    for (i, a) in live.iter().enumerate() {
        for (j, b) in live.iter().enumerate() {
            if i != j {
                let dot: f64 = a.iter().zip(b.iter()).map(|(x, y)| x * y).sum();
                sum += dot / (norm(a) * norm(b));
                pairs += 1.0;
            }
        }
    }
    (spread, sum / pairs)
}

#[test]
fn the_measures_are_those_of_each_layer_output() {
    for query in [
        "depth=3&width=16&batch=24&activation=relu&init=kaiming_normal",
        "depth=4&width=12&batch=10&norm=layer&residual=pre",
        "depth=2&width=8&batch=5&norm=batch&position=after&dataset=gaussian",
    ] {
        let mut scope = scope(query);
        scope.step(3);
        let stats = scope.stats().clone();
        let network = scope.network();
        let rows = network.rows();
        let blocks = network.blocks.iter().zip(&network.acts.blocks);
        for (s, (block, acts)) in stats.layers.iter().zip(blocks) {
            let width = block.linear.fan_out;
            let (spread, cosine) = naive(&acts.out[..rows * width], width);
            let got = (
                s.sample_spread.expect("spread"),
                s.sample_cosine.expect("cosine"),
            );
            assert!(
                (got.0 as f64 - spread).abs() <= 1e-5 * spread.max(1e-3),
                "{query} layer {}: spread {} vs {spread}",
                s.layer,
                got.0
            );
            // The pooled variance is the mean per-unit variance plus the
            // variance of the unit means, and the mean std is at most the
            // root of the mean variance: the spread never exceeds the std.
            assert!(
                got.0 <= s.out.std * (1.0 + 1e-4),
                "{query} layer {}: spread {} above the pooled std {}",
                s.layer,
                got.0,
                s.out.std
            );
            assert!(
                (got.1 as f64 - cosine).abs() <= 1e-5,
                "{query} layer {}: cosine {} vs {cosine}",
                s.layer,
                got.1
            );
        }
    }
}

#[test]
fn a_flat_pooled_std_hides_a_collapsed_representation() {
    // The "vanishing signal" config at step 0: tanh with torch's default init
    // shrinks the input-dependent part by about 1/sqrt(3) a layer while the
    // biases keep the pooled std of h up.
    let mut scope = scope("depth=20&activation=tanh&init=torch_default&seed=1");
    let layers = &scope.stats().layers;
    let spread = |l: usize| layers[l - 1].sample_spread.expect("spread");
    let cosine = |l: usize| layers[l - 1].sample_cosine.expect("cosine");
    let stds: Vec<f32> = layers[4..20].iter().map(|s| s.out.std).collect();
    let (lo, hi) = stds
        .iter()
        .fold((f32::MAX, 0.0f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    eprintln!(
        "spread: layer 1 {:e}, layer 20 {:e}; cosine: layer 1 {}, layer 20 {}; \
         out std layers 5..20: {lo}..{hi}",
        spread(1),
        spread(20),
        cosine(1),
        cosine(20)
    );
    assert!(hi < 2.0 * lo, "pooled std of h over layers 5..20: {stds:?}");
    assert!(
        spread(20) < 1e-4 * spread(1),
        "spread {} at layer 20 vs {} at layer 1",
        spread(20),
        spread(1)
    );
    assert!(cosine(20) > 0.999, "cosine at layer 20: {}", cosine(20));
    // Layer 1 is still far from collapsed: the test above is about depth.
    assert!(cosine(1) < 0.99, "cosine at layer 1: {}", cosine(1));
}

#[test]
fn batch_one_has_no_collapse_measures_and_the_csv_says_so() {
    let mut scope = scope("depth=2&width=8&batch=1");
    let csv = scope.stats().to_csv();
    for s in &scope.stats().layers {
        assert_eq!((s.sample_spread, s.sample_cosine), (None, None));
    }
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let spread = header.iter().position(|c| *c == "sample_spread");
    let cosine = header.iter().position(|c| *c == "sample_cosine");
    let (spread, cosine) = (spread.expect("column"), cosine.expect("column"));
    for row in csv.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!((cells[spread], cells[cosine]), ("", ""), "{row}");
    }
}

#[test]
fn the_csv_holds_the_measured_values() {
    let mut scope = scope("depth=3&width=16&batch=8");
    let stats = scope.stats().clone();
    let csv = stats.to_csv();
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).expect(name);
    for (row, s) in csv.lines().skip(1).zip(&stats.layers) {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), header.len());
        let value = |name: &str| cells[column(name)].parse::<f32>().expect(name);
        assert_eq!(Some(value("sample_spread")), s.sample_spread);
        assert_eq!(Some(value("sample_cosine")), s.sample_cosine);
    }
}
