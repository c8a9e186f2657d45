//! Browser tests (wasm-bindgen-test in headless Chrome): every chart draws into
//! a real canvas and the pixels read back are not blank and change with the
//! config; overflowing and degenerate statistics draw without panicking and
//! show their non-finite count; hover text matches the layout; the JS-facing
//! `Scope` steps, reports and refuses bad configs by key; a `Frame` decoded
//! from a worker's bytes draws exactly as its `Scope` (`web/frames.rs`); the
//! summary shows the collapse measures (`web/collapse.rs`); a comparison's
//! shared ranges and overlays (`web/compare.rs`); the moments of the wasm
//! build's vectorized loop and its histograms (`web/moments.rs`), its
//! vectorized activations (`web/activations.rs`), timeline percentiles
//! (`web/timeline.rs`) and transpose (`web/matrix.rs`).
//!
//! Run: `wasm-pack test --headless --chrome --test web`.
#![cfg(target_arch = "wasm32")]

use normscope::web::api::JsScope;
use normscope::web::charts::{self, ChartKind, ChartOptions, Scale, View};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

#[path = "web/activations.rs"]
mod activations;
#[path = "web/broken.rs"]
mod broken;
#[path = "web/collapse.rs"]
mod collapse;
#[path = "web/compare.rs"]
mod compare;
#[path = "web/frames.rs"]
mod frames;
#[path = "web/matrix.rs"]
mod matrix;
#[path = "web/moments.rs"]
mod moments;
#[path = "web/timeline.rs"]
mod timeline;

use broken::Broken;

wasm_bindgen_test_configure!(run_in_browser);

const W: u32 = 480;
const H: u32 = 300;

/// Every chart with the options worth telling apart, and the least share of
/// non-white pixels it has when drawn (a heatmap that failed to paint its
/// pixels has about as much ink as its axes: 0.05).
const PANELS: [(&str, &str, f64); 10] = [
    ("activations", "view=heatmap", 0.4),
    ("activations", "view=histograms", 0.04),
    ("gradients", "view=heatmap&scale=symlog", 0.4),
    ("gradients", "view=histograms&scale=linear", 0.04),
    ("gradients", "view=heatmap&scale=linear", 0.4),
    ("summary", "", 0.025),
    ("training", "", 0.04),
    ("decision", "", 0.08),
    ("normalized", "layer=2", 0.06),
    ("overtime", "timelayer=2&timetensor=out", 0.04),
];

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas.set_width(width);
    canvas.set_height(height);
    document.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

/// Runs `draw` on a fresh W x H canvas and returns its pixels; `what` names
/// the draw when it fails.
fn drawn(
    what: &str,
    draw: impl FnOnce(&HtmlCanvasElement) -> Result<(), wasm_bindgen::JsError>,
) -> Vec<u8> {
    let canvas = canvas(W, H);
    draw(&canvas).unwrap_or_else(|e| panic!("{what}: {}", message(e)));
    let px = pixels(&canvas);
    canvas.remove();
    px
}

fn pixels(canvas: &HtmlCanvasElement) -> Vec<u8> {
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    ctx.get_image_data(0.0, 0.0, w, h).unwrap().data().0
}

/// Share of pixels that are not (near) white.
fn inked(px: &[u8]) -> f64 {
    let ink = px
        .chunks_exact(4)
        .filter(|p| p[0] < 235 || p[1] < 235 || p[2] < 235)
        .count();
    ink as f64 / (px.len() / 4) as f64
}

/// Share of pixels that differ between two images.
fn difference(a: &[u8], b: &[u8]) -> f64 {
    let differ = a
        .chunks_exact(4)
        .zip(b.chunks_exact(4))
        .filter(|(p, q)| p != q)
        .count();
    differ as f64 / (a.len() / 4) as f64
}

/// Pixels close to the alarm red of non-finite counts.
fn red(px: &[u8]) -> usize {
    px.chunks_exact(4)
        .filter(|p| p[0] > 170 && p[1] < 80 && p[2] < 80)
        .count()
}

fn message(error: impl Into<JsValue>) -> String {
    let value: JsValue = error.into();
    value
        .dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

fn scope(query: &str, steps: u32) -> JsScope {
    let mut scope = JsScope::new(JsValue::from_str(query))
        .unwrap_or_else(|e| panic!("{query}: {}", message(e)));
    assert_eq!(scope.step(steps), steps, "{query} diverged while stepping");
    scope
}

/// Draws every panel of `query` after `steps` steps; returns the pixels.
fn draw_all(query: &str, steps: u32) -> Vec<Vec<u8>> {
    let mut scope = scope(query, steps);
    PANELS
        .iter()
        .map(|(kind, options, ink)| {
            let px = drawn(&format!("{query} {kind}"), |c| scope.draw(kind, c, options));
            assert!(
                inked(&px) > *ink,
                "{query} {kind} {options}: only {:.3} inked",
                inked(&px)
            );
            px
        })
        .collect()
}

#[wasm_bindgen_test]
fn every_chart_draws_and_changes_with_the_config() {
    let base = draw_all("depth=8&width=32&batch=32", 3);
    let others = [
        "depth=1&width=4&batch=4&dataset=xor",
        "depth=64&width=16&batch=16&activation=relu&init=kaiming_normal",
        "depth=8&width=32&batch=32&norm=batch",
        "depth=8&width=32&batch=2&norm=batch&mode=eval",
        "depth=8&width=32&batch=32&norm=layer&residual=pre",
        "depth=8&width=32&batch=32&norm=rms&activation=gelu",
        "depth=8&width=32&batch=32&norm=group&groups=4&position=after",
    ];
    for query in others {
        for ((panel, a), b) in PANELS.iter().zip(&base).zip(draw_all(query, 3)) {
            let changed = difference(a, &b);
            assert!(
                changed > 0.01,
                "{query} {panel:?}: only {changed:.4} of pixels differ from the base config"
            );
        }
    }
}

#[wasm_bindgen_test]
fn overflowing_values_are_counted_and_every_chart_still_draws() {
    let query = "activation=linear&init=normal&scale=100&depth=64";
    let mut scope =
        JsScope::new(JsValue::from_str(query)).unwrap_or_else(|e| panic!("{}", message(e)));
    let stats: serde_json::Value = serde_json::from_str(&scope.stats_json()).unwrap();
    assert!(
        stats["nonfinite"].as_u64().unwrap() > 0,
        "expected non-finite values: {}",
        stats["nonfinite"]
    );
    for steps in [0, 1, 5] {
        scope.step(steps);
        for (kind, options, _) in PANELS {
            let px = drawn(kind, |c| scope.draw(kind, c, options));
            assert!(
                inked(&px) > 0.02,
                "{kind} {options} blank after {steps} steps"
            );
            if matches!(kind, "activations" | "gradients" | "summary") {
                assert!(
                    red(&px) > 20,
                    "{kind} {options}: the non-finite count is not shown in red"
                );
            }
        }
    }
    assert!(scope
        .diverged()
        .is_some_and(|d| d.starts_with("diverged at step 1")));
}

#[wasm_bindgen_test]
fn degenerate_statistics_never_panic() {
    let broken = Broken::new();
    let data = broken.data();
    let views = [View::Heatmap, View::Histograms];
    let canvases: Vec<(u32, u32, HtmlCanvasElement)> = [(300, 200), (1200, 600), (40, 30), (0, 0)]
        .into_iter()
        .map(|(w, h)| (w, h, canvas(w, h)))
        .collect();
    for data in &data {
        for kind in ChartKind::NAMES
            .iter()
            .filter_map(|n| ChartKind::from_name(n))
        {
            for (view, scale) in views.iter().zip([Scale::Linear, Scale::Symlog]) {
                let options = ChartOptions {
                    view: *view,
                    scale,
                    set: 99,
                    ..ChartOptions::default()
                };
                for (w, h, canvas) in &canvases {
                    let (w, h) = (*w, *h);
                    // Mismatched kinds and data are refused; everything else draws.
                    let _ = charts::draw(kind, canvas, data, &options);
                    for (x, y) in [
                        (0.5, 0.5),
                        (0.3, 0.6),
                        (0.9, 0.9),
                        (f64::NAN, 1.0),
                        (-5.0, 1e9),
                    ] {
                        let _ = charts::describe(
                            kind,
                            w,
                            h,
                            x * w as f64,
                            y * h as f64,
                            data,
                            &options,
                        );
                    }
                }
            }
        }
    }
}

#[wasm_bindgen_test]
fn hover_text_describes_what_is_under_the_pointer() {
    let mut scope = scope("depth=6&width=16&batch=16&norm=layer", 4);
    let expected = [
        ("activations", "view=heatmap", "layer "),
        ("activations", "view=histograms", "of values"),
        ("gradients", "view=heatmap&scale=symlog", "dL/dh"),
        ("summary", "", "std h"),
        ("training", "", "step "),
        ("decision", "", "P(class 1)"),
        ("normalized", "layer=3", "mean"),
        ("normalized", "layer=3&tensor=y", "γx̂ + β"),
    ];
    for (kind, options, needle) in expected {
        let canvas = canvas(600, 360);
        scope.draw(kind, &canvas, options).unwrap();
        let inside = scope
            .describe(kind, 600, 360, 330.0, 230.0, options)
            .unwrap();
        assert!(
            inside.contains(needle),
            "{kind} {options}: {inside:?} lacks {needle:?}"
        );
        let outside = scope.describe(kind, 600, 360, 2.0, 2.0, options).unwrap();
        assert_eq!(
            outside, "",
            "{kind}: the title corner should describe nothing"
        );
    }
}

#[wasm_bindgen_test]
fn the_normalized_chart_shows_x_x_hat_or_the_output() {
    // After training, gamma and beta differ from 1 and 0: x, x̂ and y all differ.
    let mut trained = scope("depth=4&width=16&batch=16&norm=layer&lr=0.5", 5);
    let tensors = ["x", "xhat", "y"].map(|tensor| {
        let options = format!("layer=2&tensor={tensor}");
        drawn(tensor, |c| trained.draw("normalized", c, &options))
    });
    for (a, b) in [(0, 1), (1, 2), (0, 2)] {
        let changed = difference(&tensors[a], &tensors[b]);
        assert!(
            changed > 0.01,
            "tensors {a} and {b} differ in {changed} of the pixels"
        );
    }
    // Without a norm there is no x̂: the chart shows x and says which tensor it is.
    let mut plain = scope("depth=4&width=16&batch=16&residual=post", 0);
    let x = drawn("plain x", |c| {
        plain.draw("normalized", c, "layer=2&tensor=x")
    });
    let x_hat = drawn("plain xhat", |c| {
        plain.draw("normalized", c, "layer=2&tensor=xhat")
    });
    assert_eq!(difference(&x, &x_hat), 0.0);
}

#[wasm_bindgen_test]
fn chart_options_are_checked_by_key() {
    let parsed = ChartOptions::parse("?view=histograms&scale=symlog&layer=3&set=2").unwrap();
    assert_eq!(
        (parsed.view, parsed.scale, parsed.layer, parsed.set),
        (View::Histograms, Scale::Symlog, 3, 2)
    );
    assert_eq!(ChartOptions::parse("").unwrap(), ChartOptions::default());
    let cases = [
        ("view=bars", ["'view'", "heatmap, histograms"]),
        ("scale=log", ["'scale'", "linear, symlog"]),
        ("layer=0", ["'layer'", ">= 1"]),
        (
            "colour=red",
            ["'colour'", "view, scale, layer, set, tensor"],
        ),
        ("tensor=z", ["'tensor'", "x, xhat, y"]),
    ];
    for (query, needles) in cases {
        let error = ChartOptions::parse(query).unwrap_err();
        for needle in needles {
            assert!(
                error.contains(needle),
                "{query}: {error:?} lacks {needle:?}"
            );
        }
    }
    assert!(ChartKind::from_name("histogram").is_none());
    for name in ChartKind::NAMES {
        assert_eq!(ChartKind::from_name(name).map(|k| k.name()), Some(*name));
    }
}

#[wasm_bindgen_test]
fn a_canvas_without_a_2d_context_is_an_error_not_a_panic() {
    let mut scope = scope("depth=2", 0);
    let canvas = canvas(200, 100);
    canvas
        .get_context("bitmaprenderer")
        .unwrap()
        .expect("bitmaprenderer context");
    let error = message(scope.draw("activations", &canvas, "").unwrap_err());
    assert!(error.contains("2d context"), "{error}");
    let error = message(scope.draw("histogram", &canvas, "").unwrap_err());
    assert!(
        error.contains("unknown chart 'histogram'") && error.contains("activations, gradients"),
        "{error}"
    );
    let error = message(scope.draw("activations", &canvas, "view=pie").unwrap_err());
    assert!(error.contains("'view'"), "{error}");
}

#[wasm_bindgen_test]
fn the_js_scope_steps_reports_and_refuses_bad_configs() {
    let mut scope = scope("depth=5&width=8&batch=6&norm=rms", 0);
    assert_eq!(scope.steps(), 0.0);
    assert_eq!(scope.step(7), 7);
    assert_eq!(scope.steps(), 7.0);
    let stats = scope.stats().unwrap();
    let layers = js_sys::Reflect::get(&stats, &"layers".into()).unwrap();
    assert_eq!(js_sys::Array::from(&layers).length(), 5);
    let step = js_sys::Reflect::get(&stats, &"step".into()).unwrap();
    assert_eq!(step.as_f64(), Some(7.0));
    let snapshot = scope.snapshot().unwrap();
    let format = js_sys::Reflect::get(&snapshot, &"format".into()).unwrap();
    assert_eq!(format.as_string().as_deref(), Some("normscope-snapshot/1"));
    assert!(scope.query().contains("norm=rms"));
    for (query, key) in [
        ("depth=0", "'depth'"),
        ("norm=batchnorm", "'norm'"),
        ("bogus=1", "'bogus'"),
        ("eps=-1", "'eps'"),
    ] {
        let error = JsScope::new(JsValue::from_str(query))
            .err()
            .map(message)
            .unwrap_or_default();
        assert!(
            error.contains(key),
            "{query}: {error:?} does not name {key}"
        );
    }
}

/// The `formula` key in the "What is normalized" chart: LayerNorm over
/// BatchNorm's axes has column sets, and each formula prints its own divisor.
#[wasm_bindgen_test]
fn the_normalized_chart_names_the_formula_sets_and_divisor() {
    let cases = [
        ("norm=layer", "sample ", "sqrt(var + eps)"),
        (
            "norm=layer&formula=batch_axes",
            "(all 16 samples)",
            "sqrt(var + eps)",
        ),
        (
            "norm=layer&formula=seed_formula&eps=0.001",
            "(all 16 samples)",
            "sqrt(var − eps)",
        ),
        (
            "norm=layer&formula=eps_outside",
            "sample ",
            "sqrt(var) + eps",
        ),
        (
            "norm=group&groups=4&formula=unbiased",
            "units ",
            "sqrt(var·n/(n−1) + eps)",
        ),
        (
            "norm=rms&formula=negative_eps&eps=0.001",
            "sample ",
            "sqrt(mean(x²) − eps)",
        ),
    ];
    for (query, set, divisor) in cases {
        let mut scope = scope(&format!("depth=4&width=16&batch=16&{query}"), 2);
        let canvas = canvas(600, 360);
        scope.draw("normalized", &canvas, "layer=2").unwrap();
        let text = scope
            .describe("normalized", 600, 360, 330.0, 230.0, "layer=2")
            .unwrap();
        assert!(
            text.contains(set) && text.contains(divisor),
            "{query}: {text:?} lacks {set:?} or {divisor:?}"
        );
    }
}
