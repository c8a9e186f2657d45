//! Activation distribution per layer: the output h of every hidden block in the
//! probe batch (all samples x units), one histogram per layer over a range
//! shared by all layers.
//!
//! How to read it (heatmap view): each column is a layer, bright = many values.
//! A healthy deep net keeps a similar spread at every depth; a band that
//! narrows towards the last layer is a vanishing signal, one that hugs ±1 (tanh)
//! is saturation, a bright line at 0 (ReLU) means dead units. The white line is
//! the mean, the dashed ones mean ± std. The histograms view shows the same
//! counts as stacked per-layer histograms, each scaled to its own peak.

use web_sys::HtmlCanvasElement;

use super::distribution::{self, Distribution, SharedAxis};
use super::layout::Surface;
use super::paint::Painter;
use super::View;
use crate::core::stats::{LayerStats, Stats};
use crate::web::i18n::tr;

fn distribution(stats: &Stats, shared: Option<SharedAxis>) -> Distribution<'_> {
    Distribution {
        title: tr("charts.activations_title"),
        symbol: "h",
        axis: tr("charts.activations_axis"),
        layers: &stats.layers,
        summary: |s: &LayerStats| &s.out,
        histogram: |s: &LayerStats| &s.out.histogram,
        symlog: false,
        shared,
    }
}

/// Draws every hidden layer's output distribution into `canvas`.
pub fn draw_activations(
    canvas: &HtmlCanvasElement,
    stats: &Stats,
    view: View,
    shared: Option<SharedAxis>,
) -> Result<(), String> {
    let painter = Painter::new(canvas)?;
    distribution::draw(&painter, &distribution(stats, shared), view)
}

pub(super) fn describe(
    surface: &Surface,
    (x, y): (f64, f64),
    stats: &Stats,
    view: View,
    shared: Option<SharedAxis>,
) -> String {
    distribution::describe(surface, x, y, &distribution(stats, shared), view)
}

/// The histograms' own range (`compare::value_range`).
pub(super) fn own_range(stats: &Stats) -> Option<Vec<f64>> {
    distribution(stats, None).real_range()
}
