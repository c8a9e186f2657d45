//! The JS `Frame`: one training state decoded from the bytes a Web Worker's
//! `Scope.frame()` posted, with the drawing half of `Scope`'s methods (draw,
//! describe, stats, CSV). A page whose network trains in a worker keeps one
//! `Frame` per figure and draws from it; see `www/engine-worker.js`.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::core::config::Config;
use crate::core::diagnosis::diagnosis_json;
use crate::core::frame::Frame as CoreFrame;
use crate::web::api::{describe_chart, divergence_text, draw_chart, parse_json};
use crate::web::charts::{ChartData, ChartKind};

/// A decoded frame: statistics, history, and (if asked for) one layer's
/// normalized matrix and the decision regions.
#[wasm_bindgen(js_name = Frame)]
pub struct JsFrame {
    frame: CoreFrame,
    config: Config,
}

#[wasm_bindgen(js_class = Frame)]
impl JsFrame {
    /// Decodes the bytes of `Scope.frame()`; throws on anything else.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<JsFrame, JsError> {
        console_error_panic_hook::set_once();
        let frame = CoreFrame::from_bytes(bytes).map_err(|e| JsError::new(&e.to_string()))?;
        let config = frame.config().map_err(|e| JsError::new(&e.to_string()))?;
        Ok(JsFrame { frame, config })
    }

    /// Training steps taken when the frame was made.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        self.frame.stats.step as f64
    }

    /// As `Scope.stats()`.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        parse_json(&serde_json::to_string(&self.frame.stats).unwrap_or_default())
    }

    /// As `Scope.diagnosis()`.
    pub fn diagnosis(&self) -> Result<JsValue, JsError> {
        parse_json(&diagnosis_json(&self.config, &self.frame.stats))
    }

    /// As `Scope.statsCsv()`.
    #[wasm_bindgen(js_name = statsCsv)]
    pub fn stats_csv(&self) -> String {
        self.frame.stats.to_csv()
    }

    /// As `Scope.query()`.
    pub fn query(&self) -> String {
        self.frame.query.clone()
    }

    /// As `Scope.diverged()`.
    pub fn diverged(&self) -> Option<String> {
        self.frame.stats.diverged.as_ref().map(divergence_text)
    }

    /// Whether the frame holds the decision regions (see `Scope.frame()`).
    #[wasm_bindgen(getter, js_name = hasDecision)]
    pub fn has_decision(&self) -> bool {
        self.frame.decision.is_some()
    }

    /// As `Scope.lookbackFrame()`: this state's bytes without its history.
    #[wasm_bindgen(js_name = lookbackFrame)]
    pub fn lookback_frame(&self) -> Vec<u8> {
        self.frame.without_history().to_bytes()
    }

    /// As `Scope.flopsPerStep()`.
    #[wasm_bindgen(js_name = flopsPerStep)]
    pub fn flops_per_step(&self) -> f64 {
        self.frame.flops_per_step
    }

    /// As `Scope.draw()`. The `normalized` chart shows the layer the frame
    /// holds (the page asks the worker for the layer it shows); `decision` and
    /// `normalized` throw if the frame was made without them.
    pub fn draw(
        &self,
        chart: &str,
        canvas: &HtmlCanvasElement,
        options: &str,
    ) -> Result<(), JsError> {
        draw_chart(chart, canvas, options, |kind, _| self.chart_data(kind))
    }

    /// As `Scope.describe()`.
    pub fn describe(
        &self,
        chart: &str,
        width: u32,
        height: u32,
        x: f64,
        y: f64,
        options: &str,
    ) -> Result<String, JsError> {
        describe_chart(chart, (width, height), (x, y), options, |kind, _| {
            self.chart_data(kind)
        })
    }
}

impl JsFrame {
    pub(super) fn chart_data(&self, kind: ChartKind) -> Result<ChartData<'_>, String> {
        let config = &self.config;
        let missing =
            |what: &str| format!("this frame was made without {what}; ask Scope.frame() for it");
        Ok(match kind {
            ChartKind::Decision => {
                let decision = self
                    .frame
                    .decision
                    .as_ref()
                    .ok_or_else(|| missing("the decision regions"))?;
                ChartData::Decision {
                    config,
                    grid: decision.grid.as_ref(),
                    points: &decision.points,
                    labels: &decision.labels,
                }
            }
            ChartKind::Normalized => {
                let matrix = self
                    .frame
                    .matrix
                    .clone()
                    .ok_or_else(|| missing("a layer matrix"))?;
                ChartData::Normalized {
                    config,
                    matrix: Some(matrix),
                }
            }
            _ => ChartData::Stats {
                config,
                stats: &self.frame.stats,
            },
        })
    }
}

impl JsFrame {
    /// A frame of a state made on this thread (no bytes in between).
    pub(super) fn from_core(frame: CoreFrame) -> Result<JsFrame, JsError> {
        let config = frame.config().map_err(|e| JsError::new(&e.to_string()))?;
        Ok(JsFrame { frame, config })
    }

    /// The statistics the frame holds.
    pub(super) fn core_stats(&self) -> &crate::core::stats::Stats {
        &self.frame.stats
    }
}
