//! The collapse measures in the per-layer summary: the hover names the spread
//! across samples and the mean cosine with the core's numbers, the chart draws
//! them (pixels change when they are taken away), and batch 1 says why they
//! are missing.

use normscope::web::charts::{self, ChartData, ChartKind, ChartOptions};
use normscope::{Config, Scope};
use wasm_bindgen_test::*;

use super::{canvas, difference, pixels, H, W};

/// The number after `label ` in a hover text (typographic minus read back).
fn number_after(text: &str, label: &str) -> f64 {
    let start = text
        .find(label)
        .unwrap_or_else(|| panic!("{text:?} lacks {label:?}"));
    let rest = &text[start + label.len()..];
    let token = rest.split_whitespace().next().unwrap_or_default();
    token
        .replace('\u{2212}', "-")
        .parse()
        .unwrap_or_else(|_| panic!("{text:?}: {label:?} is followed by {token:?}"))
}

/// The hover text of the summary for `layer`, scanning the canvas for it.
fn hover(config: &Config, stats: &normscope::core::stats::Stats, layer: usize) -> Vec<String> {
    let data = ChartData::Stats { config, stats };
    let options = ChartOptions::default();
    let prefix = format!("layer {layer} ");
    let mut found = Vec::new();
    for y in (0..H).step_by(6) {
        for x in (0..W).step_by(3) {
            let text = charts::describe(
                ChartKind::Summary,
                W,
                H,
                x as f64,
                y as f64,
                &data,
                &options,
            );
            if text.starts_with(&prefix) {
                found.push(text);
                break;
            }
        }
    }
    found
}

#[wasm_bindgen_test]
fn the_summary_hover_quotes_the_spread_and_the_cosine_of_the_core() {
    let config: Config = "depth=20&activation=tanh&init=torch_default"
        .parse()
        .unwrap();
    let mut scope = Scope::new(config.clone()).unwrap();
    let stats = scope.stats().clone();
    for layer in [1, 20] {
        let texts = hover(&config, &stats, layer);
        // The log panel and both strips describe the layer.
        assert!(texts.len() > H as usize / 12, "layer {layer}: {texts:?}");
        let s = &stats.layers[layer - 1];
        for text in &texts {
            let spread = number_after(text, "spread across samples ");
            let want = s.sample_spread.unwrap() as f64;
            assert!((spread / want - 1.0).abs() < 5e-3, "{text}: want {want}");
            let cosine = number_after(text, "mean cosine between samples ");
            let want = s.sample_cosine.unwrap() as f64;
            assert!((cosine - want).abs() <= 5e-5, "{text}: want {want}");
        }
    }
}

#[wasm_bindgen_test]
fn the_summary_draws_the_collapse_measures() {
    for query in [
        "depth=20&activation=tanh&init=torch_default",
        "depth=30&activation=relu&init=kaiming_normal",
    ] {
        let config: Config = query.parse().unwrap();
        let stats = Scope::new(config.clone()).unwrap().stats().clone();
        let mut without = stats.clone();
        for s in &mut without.layers {
            (s.sample_spread, s.sample_cosine) = (None, None);
        }
        let draw = |stats| {
            let target = canvas(W, H);
            let data = ChartData::Stats {
                config: &config,
                stats,
            };
            charts::draw(ChartKind::Summary, &target, &data, &ChartOptions::default()).unwrap();
            let px = pixels(&target);
            target.remove();
            px
        };
        let changed = difference(&draw(&stats), &draw(&without));
        assert!(
            changed > 0.01,
            "{query}: only {changed:.4} of pixels differ"
        );
    }
}

#[wasm_bindgen_test]
fn at_batch_one_the_hover_says_the_measures_need_two_samples() {
    let config: Config = "depth=3&width=8&batch=1".parse().unwrap();
    let stats = Scope::new(config.clone()).unwrap().stats().clone();
    let texts = hover(&config, &stats, 2);
    assert!(!texts.is_empty());
    for text in texts {
        assert!(
            text.contains("spread across samples (needs two samples)")
                && text.contains("mean cosine between samples (needs two samples)"),
            "{text}"
        );
    }
}

/// The spread as one scalar loop per pass computes it (the native build's
/// code): per column, the finite values' mean, then their squared deviations.
fn spread_by_columns(values: &[f32], width: usize) -> Option<f32> {
    let rows = values.len() / width;
    let (mut units, mut total) = (0usize, 0.0f64);
    for j in 0..width {
        let column = (0..rows).map(|i| values[i * width + j]);
        let (mut count, mut sum) = (0u32, 0.0f64);
        for v in column.clone() {
            count += u32::from(v.is_finite());
            sum += if v.is_finite() { v as f64 } else { 0.0 };
        }
        let mean = sum / count.max(1) as f64;
        let mut square = 0.0f64;
        for v in column.filter(|v| v.is_finite()) {
            square += (v as f64 - mean) * (v as f64 - mean);
        }
        if count >= 2 {
            units += 1;
            total += (square / count as f64).sqrt();
        }
    }
    (units > 0).then(|| (total / units as f64) as f32)
}

/// `collapse::sample_spread`, four columns at a time in wasm, gives the bits
/// of the scalar loops: widths around the quads, with NaN, infinities,
/// -0.0 and values of very different sizes in the columns.
#[wasm_bindgen_test]
fn the_wasm_spread_equals_the_scalar_loops_bit_for_bit() {
    use normscope::core::collapse::sample_spread;
    for width in [1, 2, 3, 4, 5, 7, 8, 9, 13, 128] {
        for rows in [1, 2, 3, 64] {
            let mut values: Vec<f32> = (0..rows * width)
                .map(|i| ((i as f32) * 0.618).sin() * 10f32.powi(i as i32 % 9 - 4))
                .collect();
            for (i, v) in values.iter_mut().enumerate().step_by(11) {
                *v = [f32::NAN, f32::INFINITY, -0.0, f32::NEG_INFINITY][i % 4];
            }
            let (got, want) = (
                sample_spread(&values, width),
                spread_by_columns(&values, width),
            );
            assert_eq!(
                got.map(f32::to_bits),
                want.map(f32::to_bits),
                "{rows} x {width}"
            );
        }
    }
}
