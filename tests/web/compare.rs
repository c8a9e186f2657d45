//! A comparison's charts (issue 9): a shared value range equal to a chart's
//! own draws the same pixels, a wider one other pixels and bins read by real
//! value; `value_range` is the core's histogram range; the overlays of A and
//! B draw both and their hover quotes both sides' numbers from the stats.

use normscope::core::stats::Stats;
use normscope::web::charts::compare::{describe_overlay, draw_overlay, value_range};
use normscope::web::charts::{self, ChartData, ChartKind, ChartOptions};
use normscope::web::i18n::Lang;
use normscope::{Config, Scope};
use wasm_bindgen_test::*;

use super::{canvas, difference, inked, pixels, H, W};

fn side(query: &str, steps: usize) -> (Config, Stats) {
    let config: Config = query.parse().unwrap();
    let mut scope = Scope::new(config.clone()).unwrap();
    scope.step(steps);
    let stats = scope.stats().clone();
    (config, stats)
}

fn draw(kind: ChartKind, config: &Config, stats: &Stats, options: &str) -> Vec<u8> {
    let target = canvas(W, H);
    let data = ChartData::Stats { config, stats };
    let options = ChartOptions::parse(options).unwrap();
    charts::draw(kind, &target, &data, &options).unwrap();
    let px = pixels(&target);
    target.remove();
    px
}

#[wasm_bindgen_test]
fn a_shared_range_equal_to_the_own_draws_the_same_pixels_a_wider_one_other() {
    let (config, stats) = side("depth=6&activation=tanh", 2);
    let data = ChartData::Stats {
        config: &config,
        stats: &stats,
    };
    for view in ["heatmap", "histograms"] {
        let options = format!("view={view}");
        let parsed = ChartOptions::parse(&options).unwrap();
        let own = value_range(ChartKind::Activations, &data, &parsed);
        let h = &stats.layers[0].out.histogram;
        assert_eq!(own, vec![h.lo as f64, h.hi as f64], "{view}");
        let plain = draw(ChartKind::Activations, &config, &stats, &options);
        let same = format!("{options}&range={},{}", own[0], own[1]);
        let changed = difference(
            &plain,
            &draw(ChartKind::Activations, &config, &stats, &same),
        );
        assert_eq!(
            changed, 0.0,
            "{view}: the own range as shared range moved pixels"
        );
        let wide = format!("{options}&range={},{}", 3.0 * own[0], 3.0 * own[1]);
        let wider = draw(ChartKind::Activations, &config, &stats, &wide);
        assert!(
            difference(&plain, &wider) > 0.05,
            "{view}: a wider range drew the same"
        );
    }
    // On the wider axis the hover reads a value in the middle third, inside the own range.
    let options = ChartOptions::parse(&format!(
        "range={},{}",
        3.0 * stats.layers[0].out.histogram.lo,
        3.0 * stats.layers[0].out.histogram.hi
    ))
    .unwrap();
    let target = canvas(W, H);
    charts::draw(ChartKind::Activations, &target, &data, &options).unwrap();
    target.remove();
    let text = charts::describe(
        ChartKind::Activations,
        W,
        H,
        W as f64 / 3.0,
        0.12 * H as f64,
        &data,
        &options,
    );
    assert!(text.contains("none of its values"), "{text}");
}

#[wasm_bindgen_test]
fn the_symlog_range_carries_its_threshold() {
    let (config, stats) = side("depth=6&activation=tanh", 1);
    let data = ChartData::Stats {
        config: &config,
        stats: &stats,
    };
    let options = ChartOptions::parse("scale=symlog").unwrap();
    let range = value_range(ChartKind::Gradients, &data, &options);
    assert_eq!(range.len(), 3, "{range:?}");
    assert!(
        range[0] < 0.0 && range[1] > 0.0 && range[2] > 0.0,
        "{range:?}"
    );
    let c = stats.layers[0].grad_symlog.linthresh as f64;
    assert_eq!(range[2], c);
    assert!(value_range(ChartKind::Summary, &data, &options).is_empty());
}

#[wasm_bindgen_test]
fn the_overlays_draw_both_sides_and_hover_quotes_both() {
    let (_, a) = side("depth=8&activation=tanh&init=torch_default", 3);
    let (_, b) = side("depth=8&activation=tanh&init=torch_default&norm=layer", 3);
    for kind in [ChartKind::Summary, ChartKind::Training] {
        let draw = |sides: [&Stats; 2]| {
            let target = canvas(W, H);
            draw_overlay(kind, &target, sides, Lang::En).unwrap();
            let px = pixels(&target);
            target.remove();
            px
        };
        let both = draw([&a, &b]);
        assert!(inked(&both) > 0.03, "{kind:?} is blank");
        assert!(
            difference(&both, &draw([&a, &a])) > 0.005,
            "{kind:?}: B is not drawn"
        );
    }
    assert!(draw_overlay(ChartKind::Activations, &canvas(W, H), [&a, &b], Lang::En).is_err());
    // The summary's hover: layer L's std h of A and of B, as the stats give them.
    let mut seen = 0;
    for x in (0..W).step_by(5) {
        let text = describe_overlay(
            ChartKind::Summary,
            (W, H),
            (x as f64, 0.3 * H as f64),
            [&a, &b],
            Lang::En,
        );
        let Some(rest) = text.strip_prefix("layer ") else {
            continue;
        };
        let layer: usize = rest.split(' ').next().unwrap().parse().unwrap();
        let want = |s: &Stats| format!("{:.3}", s.layers[layer - 1].out.std);
        let quoted: Vec<f64> = text
            .split("std h A ")
            .nth(1)
            .unwrap()
            .split(" · B ")
            .take(2)
            .map(|v| {
                v.split(' ')
                    .next()
                    .unwrap()
                    .replace('\u{2212}', "-")
                    .parse()
                    .unwrap()
            })
            .collect();
        for (value, stats) in quoted.iter().zip([&a, &b]) {
            let std = stats.layers[layer - 1].out.std as f64;
            assert!(
                (value / std - 1.0).abs() < 5e-3,
                "{text}: want {}",
                want(stats)
            );
        }
        seen += 1;
    }
    assert!(seen > 20, "the summary hover named a layer {seen} times");
    // In Chinese: the same readout worded from zh/charts.json, the same numbers.
    let at = (W as f64 / 2.0, 0.3 * H as f64);
    let [en, zh] = [Lang::En, Lang::Zh]
        .map(|lang| describe_overlay(ChartKind::Summary, (W, H), at, [&a, &b], lang));
    let numbers = |t: &str| -> Vec<String> {
        t.split(|c: char| !c.is_ascii_digit() && c != '.')
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect()
    };
    assert!(zh.starts_with("第 ") && zh.contains("平均余弦"), "{zh}");
    assert_eq!(numbers(&en), numbers(&zh), "{en} / {zh}");
}

#[wasm_bindgen_test]
fn a_bad_shared_range_is_refused_naming_the_option() {
    for (query, key) in [
        ("range=2,1", "'range'"),
        ("range=0", "'range'"),
        ("range=a,1", "'range'"),
        ("linthresh=0", "'linthresh'"),
        ("linthresh=inf", "'linthresh'"),
        ("lang=fr", "'lang'"),
    ] {
        let error = ChartOptions::parse(query).unwrap_err();
        assert!(
            error.contains(key) && error.contains("allowed"),
            "{query}: {error}"
        );
    }
    let parsed = ChartOptions::parse("range=-1.5,2&linthresh=1e-6").unwrap();
    assert_eq!(
        (parsed.range, parsed.linthresh),
        (Some((-1.5, 2.0)), Some(1e-6))
    );
}
