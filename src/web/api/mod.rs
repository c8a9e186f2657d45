//! Every `#[wasm_bindgen]` export: the JS `Scope` class, the JS `Frame` class
//! (`frame.rs`: a state decoded from a worker's bytes) and a few free functions.
//!
//! JS holds one opaque `Scope` per figure. Configs cross as query strings or
//! plain objects; charts are drawn here, in Rust, straight into a canvas, so no
//! per-frame data crosses into JS objects. The one exception is a worker: its
//! `Scope.frame()` bytes travel to the page as one opaque buffer, which the
//! page's `Frame` decodes. Every fallible call throws an `Error` whose message
//! is the core's error text; a core error carries its `code` and `params` too
//! (`errors.rs`, for the page's languages); no panic is reachable from JS.

mod compare;
mod errors;
mod frame;

pub use frame::JsFrame;

use js_sys::{Object, JSON};
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::core::compare::{Comparison, VS_PREFIX};
use crate::core::config::{query_pairs, schema_json, Config};
use crate::core::diagnosis::diagnosis_json;
use crate::core::frame::{Frame, FrameRequest};
use crate::core::memory::MemoryEstimate;
use crate::core::snapshot::config_json;
use crate::core::stats::{Divergence, Stats};
use crate::core::views::{DecisionGrid, Extent};
use crate::web::charts::{self, ChartData, ChartKind, ChartOptions};
use crate::Scope as CoreScope;

/// Finest decision-grid resolution the decision chart asks for.
const GRID_MAX_RESOLUTION: usize = 64;

/// The crate version, e.g. "0.1.0".
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The config table as JSON: `[{name, label, help, default, allowed, kind, min,
/// max, min_open, choices}]`. The page builds its controls from it.
#[wasm_bindgen(js_name = configSchema)]
pub fn config_schema() -> String {
    schema_json()
}

/// Parses a query string leniently: `{query, config, errors}` where `query` is the
/// canonical form with every refused key at its default, and `errors` holds one
/// `{code, params, message}` per refused key (`errors.rs`).
#[wasm_bindgen(js_name = normalizeQuery)]
pub fn normalize_query(query: &str) -> Result<JsValue, JsError> {
    let (config, errors) = Config::from_query_lenient(query);
    let errors: Vec<serde_json::Value> = errors.iter().map(errors::error_json).collect();
    let value = serde_json::json!({
        "query": config.to_query(), "config": config_json(&config), "errors": errors,
    });
    parse_json(&value.to_string())
}

/// Parses a query string strictly, as `new Scope()` does but without building
/// anything: `{query, config, flopsPerStep, memoryBytes}` (the estimate of
/// `core::memory`); throws naming the refused key, or over the memory budget.
/// The page checks a config with it before it sends the config to a worker.
#[wasm_bindgen(js_name = checkQuery)]
pub fn check_query(query: &str) -> Result<JsValue, JsValue> {
    let config: Config = query.parse().map_err(errors::throw)?;
    config.validate().map_err(errors::throw)?;
    // Refused over the memory budget before any worker builds it (memory.rs).
    let memory = MemoryEstimate::check(&config).map_err(errors::throw)?;
    let value = serde_json::json!({
        "query": config.to_query(), "config": config_json(&config), "flopsPerStep": config.flops_per_step(),
        "memoryBytes": memory.total(),
    });
    Ok(parse_json(&value.to_string())?)
}

/// Splits a query into A and B as the core does (`vs.` keys are B's, see
/// `core::compare`): `{query, a, b, swapped, differences, dataDiffers,
/// decisionExtent, compared, errors, bError}`. `query` is the canonical comparison, `a` A's canonical
/// query, `b` B's (null: no B), `swapped` the comparison with the sides
/// exchanged, `compared` whether any `vs.` key was given, `errors` one
/// `{code, params, message}` per refused key (A's leniently, at their defaults)
/// and `bError` the one that dropped B, if any. `decisionExtent`
/// (`[x_lo, x_hi, y_lo, y_hi]` or null) is the rectangle both decision charts
/// cover when B's points differ from A's (`Scope.setDecisionExtent`). The
/// page never splits `vs.` keys itself.
#[wasm_bindgen(js_name = compareQuery)]
pub fn compare_query(query: &str) -> Result<JsValue, JsError> {
    let (comparison, errors) = Comparison::parse_lenient(query);
    let compared = query_pairs(query).any(|pair| pair.starts_with(VS_PREFIX));
    let b_error = match (&comparison.b, compared) {
        (None, true) => errors.last().map(errors::error_json),
        _ => None,
    };
    let errors: Vec<serde_json::Value> = errors.iter().map(errors::error_json).collect();
    let value = serde_json::json!({
        "query": comparison.to_query(),
        "a": comparison.a.to_query(),
        "b": comparison.b.as_ref().map(|b| b.to_query()),
        "swapped": comparison.swapped().to_query(),
        "differences": comparison.differences(),
        "dataDiffers": comparison.data_differs(),
        "decisionExtent": comparison.decision_extent().map(Extent::to_array),
        "compared": compared,
        "errors": errors,
        "bError": b_error,
    });
    parse_json(&value.to_string())
}

/// The names of the charts `draw` accepts, as JSON.
#[wasm_bindgen(js_name = chartKinds)]
pub fn chart_kinds() -> String {
    serde_json::to_string(ChartKind::NAMES).unwrap_or_default()
}

pub(crate) fn parse_json(text: &str) -> Result<JsValue, JsError> {
    JSON::parse(text).map_err(|_| JsError::new("internal error: invalid JSON from the core"))
}

/// Turns a plain JS object `{depth: 8, norm: "layer"}` into a query string.
fn object_to_query(object: &JsValue) -> Result<String, JsError> {
    let mut pairs = Vec::new();
    for entry in Object::entries(object.unchecked_ref()).iter() {
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let value = entry.get(1);
        let text = if let Some(s) = value.as_string() {
            s
        } else if let Some(n) = value.as_f64() {
            n.to_string()
        } else if let Some(b) = value.as_bool() {
            b.to_string()
        } else {
            return Err(JsError::new(&format!(
                "invalid value for '{key}': expected a string, number or boolean"
            )));
        };
        pairs.push(format!("{key}={}", js_sys::encode_uri_component(&text)));
    }
    Ok(pairs.join("&"))
}

/// One normscope figure's state: dataset, network, optimizer, statistics.
#[wasm_bindgen(js_name = Scope)]
pub struct JsScope {
    scope: CoreScope,
    /// The decision grid and the step it was computed at.
    grid: Option<(u64, DecisionGrid)>,
}

#[wasm_bindgen(js_class = Scope)]
impl JsScope {
    /// `new Scope("depth=10&norm=layer")` or `new Scope({depth: 10, norm: "layer"})`;
    /// missing keys take their defaults. Throws an `Error` naming the key, the
    /// value and what is allowed.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<JsScope, JsValue> {
        console_error_panic_hook::set_once();
        let query = if config.is_undefined() || config.is_null() {
            String::new()
        } else if let Some(text) = config.as_string() {
            text
        } else if config.is_object() {
            object_to_query(&config)?
        } else {
            return Err(JsError::new("Scope expects a query string or a plain object").into());
        };
        let config: Config = query.parse().map_err(errors::throw)?;
        let scope = CoreScope::new(config).map_err(errors::throw)?;
        Ok(JsScope { scope, grid: None })
    }

    /// Takes up to `n` training steps; returns how many were taken (fewer once
    /// training has diverged).
    pub fn step(&mut self, n: u32) -> u32 {
        self.scope.step(n as usize) as u32
    }

    /// Switches BatchNorm's displayed pass (`"train"` or `"eval"`) without
    /// rebuilding: the trained network, its step and history stay. Throws
    /// naming 'mode' and the allowed values; nothing changes then.
    #[wasm_bindgen(js_name = setMode)]
    pub fn set_mode(&mut self, mode: &str) -> Result<(), JsValue> {
        let mut config = self.scope.config().clone();
        config.set("mode", mode).map_err(errors::throw)?;
        self.scope.set_mode(config.mode);
        Ok(())
    }

    /// Sets the rectangle of the input plane the decision regions cover,
    /// `[x_lo, x_hi, y_lo, y_hi]`, or the dataset's own bounds when absent
    /// (a comparison passes `compareQuery`'s `decisionExtent` to A and B).
    /// Throws on a malformed extent; nothing changes then.
    #[wasm_bindgen(js_name = setDecisionExtent)]
    pub fn set_decision_extent(&mut self, extent: Option<Vec<f32>>) -> Result<(), JsError> {
        let extent = extent
            .map(|values| Extent::from_slice(&values))
            .transpose()
            .map_err(|e| JsError::new(&e))?;
        self.scope.set_decision_extent(extent);
        self.grid = None;
        Ok(())
    }

    /// Training steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.scope.steps() as f64
    }

    /// The statistics of the current state as a plain object (see the README).
    pub fn stats(&mut self) -> Result<JsValue, JsError> {
        parse_json(&self.stats_json())
    }

    /// The bounded training history as a plain object: `{stride, steps, loss,
    /// accuracy, update_ratio, test, timeline}` with `update_ratio[layer][record]`
    /// (null before a layer's first update) and `timeline` every layer's
    /// percentile bands (`{stride, steps, bands[layer][pre|out|grad][record]}`,
    /// `core::timeline`). Kept out of `stats()` so that stays small.
    pub fn history(&mut self) -> Result<JsValue, JsError> {
        let history = &self.scope.stats().history;
        parse_json(&serde_json::to_string(history).unwrap_or_default())
    }

    /// The statistics as JSON text.
    #[wasm_bindgen(js_name = statsJson)]
    pub fn stats_json(&mut self) -> String {
        serde_json::to_string(self.scope.stats()).unwrap_or_default()
    }

    /// The statistics as CSV, one row per hidden layer (columns in the README).
    #[wasm_bindgen(js_name = statsCsv)]
    pub fn stats_csv(&mut self) -> String {
        self.scope.stats().to_csv()
    }

    /// The mean-field (infinite-width) prediction for this network at
    /// initialization (`src/core/theory.rs`): `{applies: true, layers: [{layer,
    /// pre_var, out_var, grad_rel}]}`, or `{applies: false, reason}` for
    /// residual wiring and after step 0.
    pub fn theory(&self) -> Result<JsValue, JsError> {
        parse_json(&self.scope.theory().to_json())
    }

    /// What the statistics show, in words (`src/core/diagnosis.rs`): an array of
    /// `{kind, text, link}`, `link` being `{title, query}` of the preset that
    /// explains the finding, or null.
    pub fn diagnosis(&mut self) -> Result<JsValue, JsError> {
        let config = self.scope.config().clone();
        parse_json(&diagnosis_json(&config, self.scope.stats()))
    }

    /// The snapshot (format `normscope-snapshot/1`) as a plain object.
    pub fn snapshot(&mut self) -> Result<JsValue, JsError> {
        parse_json(&self.snapshot_json())
    }

    /// The snapshot as JSON text.
    #[wasm_bindgen(js_name = snapshotJson)]
    pub fn snapshot_json(&mut self) -> String {
        self.scope.snapshot().to_json()
    }

    /// The PyTorch script of the current state: a self-contained Python file
    /// (`core::torch_script`) that rebuilds the network in torch and prints the
    /// loss and per-layer stds beside these. Throws naming the key when
    /// PyTorch cannot run this state.
    #[wasm_bindgen(js_name = torchScript)]
    pub fn torch_script(&mut self) -> Result<String, JsValue> {
        crate::core::torch_script::torch_script(&mut self.scope).map_err(errors::throw)
    }

    /// The config as a plain object with typed values.
    pub fn config(&self) -> Result<JsValue, JsError> {
        parse_json(&serde_json::Value::Object(config_json(self.scope.config())).to_string())
    }

    /// The canonical query string of the config (every key).
    pub fn query(&self) -> String {
        self.scope.config().to_query()
    }

    /// "diverged at step N in layer L" once a non-finite value has appeared.
    pub fn diverged(&self) -> Option<String> {
        self.scope.diverged().map(divergence_text)
    }

    /// Where a step's time goes (`core::profile`), as JSON: ms per step of
    /// each part, each timed for at least `min_ms`. For `cargo xtask bench`.
    #[wasm_bindgen(js_name = stepBreakdown)]
    pub fn step_breakdown(&self, min_ms: f64) -> String {
        let parts = crate::core::profile::breakdown(&self.scope, &js_sys::Date::now, min_ms);
        serde_json::to_string(&parts).unwrap_or_default()
    }

    /// Matmul floating-point operations of one training step.
    #[wasm_bindgen(js_name = flopsPerStep)]
    pub fn flops_per_step(&self) -> f64 {
        self.scope.flops_per_step()
    }

    /// The current state as the bytes of a `Frame` (statistics and history;
    /// the normalized matrix of `layer` if given; the decision regions if
    /// `decision`). A Web Worker posts these to the page, which draws from
    /// `new Frame(bytes)`.
    pub fn frame(&mut self, layer: Option<u32>, decision: bool) -> Vec<u8> {
        let request = FrameRequest {
            layer: layer.map(|l| l as usize),
            decision: decision.then_some(GRID_MAX_RESOLUTION),
        };
        Frame::of(&mut self.scope, request).to_bytes()
    }

    /// The current state as the bytes of a `Frame` without its history: what
    /// the page keeps to look back at this step later (`www/lookback.js`).
    #[wasm_bindgen(js_name = lookbackFrame)]
    pub fn lookback_frame(&mut self) -> Vec<u8> {
        Frame::of(&mut self.scope, FrameRequest::default())
            .without_history()
            .to_bytes()
    }

    /// Draws chart `chart` (one of `chartKinds()`) into `canvas` at the canvas's
    /// pixel size. `options` is a query string: `view=heatmap|histograms`,
    /// `scale=linear|symlog`, `layer=N`, `timelayer=N`, `timetensor=pre|out|grad`.
    pub fn draw(
        &mut self,
        chart: &str,
        canvas: &HtmlCanvasElement,
        options: &str,
    ) -> Result<(), JsError> {
        draw_chart(chart, canvas, options, |kind, options| {
            Ok(self.chart_data(kind, options))
        })
    }

    /// What lies under canvas pixel (x, y) of chart `chart`, as one line of text
    /// ("" when nothing): the tooltip of the page.
    pub fn describe(
        &mut self,
        chart: &str,
        width: u32,
        height: u32,
        x: f64,
        y: f64,
        options: &str,
    ) -> Result<String, JsError> {
        describe_chart(chart, (width, height), (x, y), options, |kind, options| {
            Ok(self.chart_data(kind, options))
        })
    }
}

/// "diverged at step N in layer L" (or "in the loss").
pub(crate) fn divergence_text(divergence: &Divergence) -> String {
    match divergence.layer {
        Some(layer) => format!("diverged at step {} in layer {layer}", divergence.step),
        None => format!("diverged at step {} in the loss", divergence.step),
    }
}

/// `draw` of `Scope` and `Frame`: parses the chart name and options, gets the
/// data from `data` (an error text if it has none) and draws.
pub(crate) fn draw_chart<'a>(
    chart: &str,
    canvas: &HtmlCanvasElement,
    options: &str,
    data: impl FnOnce(ChartKind, &ChartOptions) -> Result<ChartData<'a>, String>,
) -> Result<(), JsError> {
    let (kind, options) = parse_chart(chart, options)?;
    let data = data(kind, &options).map_err(|e| JsError::new(&e))?;
    charts::draw(kind, canvas, &data, &options).map_err(|e| JsError::new(&e))
}

/// `describe` of `Scope` and `Frame`, as [`draw_chart`].
pub(crate) fn describe_chart<'a>(
    chart: &str,
    (width, height): (u32, u32),
    (x, y): (f64, f64),
    options: &str,
    data: impl FnOnce(ChartKind, &ChartOptions) -> Result<ChartData<'a>, String>,
) -> Result<String, JsError> {
    let (kind, options) = parse_chart(chart, options)?;
    let data = data(kind, &options).map_err(|e| JsError::new(&e))?;
    Ok(charts::describe(kind, width, height, x, y, &data, &options))
}

fn parse_chart(chart: &str, options: &str) -> Result<(ChartKind, ChartOptions), JsError> {
    let kind = ChartKind::from_name(chart).ok_or_else(|| {
        JsError::new(&format!(
            "unknown chart '{chart}': allowed {}",
            ChartKind::NAMES.join(", ")
        ))
    })?;
    let options = ChartOptions::parse(options).map_err(|e| JsError::new(&e))?;
    Ok((kind, options))
}

impl JsScope {
    /// Gathers what chart `kind` shows (plain data, never the `Scope`).
    pub(super) fn chart_data(&mut self, kind: ChartKind, options: &ChartOptions) -> ChartData<'_> {
        match kind {
            ChartKind::Decision => {
                let step = self.scope.steps();
                if self.grid.as_ref().map(|(s, _)| *s) != Some(step) {
                    self.grid = self
                        .scope
                        .decision_grid(GRID_MAX_RESOLUTION)
                        .map(|grid| (step, grid));
                }
                let (x, y) = (&self.scope.data().x, &self.scope.data().y);
                ChartData::Decision {
                    config: self.scope.config(),
                    grid: self.grid.as_ref().map(|(_, g)| g),
                    points: x,
                    labels: y,
                }
            }
            ChartKind::Normalized => {
                let depth = self.scope.config().depth;
                let layer = options.layer.clamp(1, depth);
                let matrix = self.scope.layer_matrix(layer);
                ChartData::Normalized {
                    config: self.scope.config(),
                    matrix,
                }
            }
            _ => {
                self.scope.stats();
                let stats: &Stats = self.scope.cached_stats();
                ChartData::Stats {
                    config: self.scope.config(),
                    stats,
                }
            }
        }
    }
}
