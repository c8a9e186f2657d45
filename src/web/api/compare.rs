//! The exports a comparison (issue 9) draws with: each side's own value range
//! of a chart (`chartRange`, on `Scope` and `Frame`: the page passes the union
//! of A's and B's to both draws as `range=lo,hi&linthresh=c`), a `Frame` of
//! the page's `Scope` (`currentFrame`), and the overlays of A and B in one
//! chart (`drawOverlay`, `describeOverlay`), drawn from two `Frame`s, so that
//! a side trained on the page and one trained in a worker draw alike.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::{parse_chart, JsFrame, JsScope};
use crate::core::frame::{Frame, FrameRequest};
use crate::web::charts::compare;

#[wasm_bindgen(js_class = Scope)]
impl JsScope {
    /// Chart `chart`'s own value range with these `options`: `[lo, hi]` in
    /// real values (and the symlog threshold on a symlog axis), or `[]` for a
    /// chart without a value scale of its own. A comparison draws A and B
    /// with the union of both (`range=lo,hi&linthresh=c`).
    #[wasm_bindgen(js_name = chartRange)]
    pub fn chart_range(&mut self, chart: &str, options: &str) -> Result<Vec<f64>, JsError> {
        let (kind, options) = parse_chart(chart, options)?;
        if !compare::has_value_range(kind) {
            return Ok(Vec::new());
        }
        let data = self.chart_data(kind, &options);
        Ok(compare::value_range(kind, &data, &options))
    }

    /// The statistics and history of the current state as a `Frame` (without
    /// a layer matrix or decision regions), for `drawOverlay`. Free it when done.
    #[wasm_bindgen(js_name = currentFrame)]
    pub fn current_frame(&mut self) -> Result<JsFrame, JsError> {
        let request = FrameRequest {
            layer: None,
            decision: None,
        };
        JsFrame::from_core(Frame::of(&mut self.scope, request))
    }
}

#[wasm_bindgen(js_class = Frame)]
impl JsFrame {
    /// As `Scope.chartRange()`.
    #[wasm_bindgen(js_name = chartRange)]
    pub fn chart_range(&self, chart: &str, options: &str) -> Result<Vec<f64>, JsError> {
        let (kind, options) = parse_chart(chart, options)?;
        if !compare::has_value_range(kind) {
            return Ok(Vec::new());
        }
        let data = self.chart_data(kind).map_err(|e| JsError::new(&e))?;
        Ok(compare::value_range(kind, &data, &options))
    }
}

/// Whether chart `chart` is drawn as one overlay of A and B in a comparison
/// (the per-layer summary and training); throws on an unknown chart.
#[wasm_bindgen(js_name = isOverlaid)]
pub fn is_overlaid(chart: &str) -> Result<bool, JsError> {
    let (kind, _) = parse_chart(chart, "")?;
    Ok(compare::overlaid(kind))
}

/// Draws chart `chart` (summary or training) of A's frame `a` and B's frame
/// `b` in one chart into `canvas`: A blue and solid, B vermillion and dashed.
/// `options` (optional) is a chart options query; an overlay reads its `lang`.
#[wasm_bindgen(js_name = drawOverlay)]
pub fn draw_overlay(
    chart: &str,
    canvas: &HtmlCanvasElement,
    a: &JsFrame,
    b: &JsFrame,
    options: Option<String>,
) -> Result<(), JsError> {
    let (kind, options) = parse_chart(chart, options.as_deref().unwrap_or(""))?;
    compare::draw_overlay(kind, canvas, [a.core_stats(), b.core_stats()], options.lang)
        .map_err(|e| JsError::new(&e))
}

/// What lies under canvas pixel (x, y) of the overlay `chart`, with A's and
/// B's values: "layer 5 · std h A 0.42 · B 0.98 · …", in the `lang` of the
/// optional chart options query `options`.
#[wasm_bindgen(js_name = describeOverlay)]
#[allow(clippy::too_many_arguments)]
pub fn describe_overlay(
    chart: &str,
    width: u32,
    height: u32,
    x: f64,
    y: f64,
    a: &JsFrame,
    b: &JsFrame,
    options: Option<String>,
) -> Result<String, JsError> {
    let (kind, options) = parse_chart(chart, options.as_deref().unwrap_or(""))?;
    Ok(compare::describe_overlay(
        kind,
        (width, height),
        (x, y),
        [a.core_stats(), b.core_stats()],
        options.lang,
    ))
}
