//! Gradient distribution per layer: dL/dh, the gradient of the loss with
//! respect to every hidden block's output, in the probe batch.
//!
//! How to read it: like the activation chart, one column (or ridge) per layer.
//! Gradients span many orders of magnitude, so `scale=symlog` shows
//! `sign(v) log10(1 + |v|/c)` with c a millionth of the largest |gradient|:
//! equal steps are decades, ticks are real gradient values. A band that
//! shrinks towards layer 1 is a vanishing gradient, one that grows an
//! exploding gradient.

use web_sys::HtmlCanvasElement;

use super::distribution::{self, Distribution, SharedAxis};
use super::layout::Surface;
use super::paint::Painter;
use super::{Scale, View};
use crate::core::stats::{LayerStats, Stats};
use crate::web::i18n::tr;

fn distribution(stats: &Stats, scale: Scale, shared: Option<SharedAxis>) -> Distribution<'_> {
    let symlog = scale == Scale::Symlog;
    Distribution {
        title: tr("charts.gradients_title"),
        symbol: "dL/dh",
        axis: tr("charts.gradients_axis"),
        layers: &stats.layers,
        summary: |s: &LayerStats| &s.grad,
        histogram: if symlog {
            |s: &LayerStats| &s.grad_symlog
        } else {
            |s: &LayerStats| &s.grad.histogram
        },
        symlog,
        shared,
    }
}

/// Draws every hidden layer's gradient distribution into `canvas`.
pub fn draw_gradients(
    canvas: &HtmlCanvasElement,
    stats: &Stats,
    view: View,
    scale: Scale,
    shared: Option<SharedAxis>,
) -> Result<(), String> {
    let painter = Painter::new(canvas)?;
    distribution::draw(&painter, &distribution(stats, scale, shared), view)
}

pub(super) fn describe(
    surface: &Surface,
    (x, y): (f64, f64),
    stats: &Stats,
    (view, scale): (View, Scale),
    shared: Option<SharedAxis>,
) -> String {
    distribution::describe(surface, x, y, &distribution(stats, scale, shared), view)
}

/// The histograms' own range (`compare::value_range`).
pub(super) fn own_range(stats: &Stats, scale: Scale) -> Option<Vec<f64>> {
    distribution(stats, scale, None).real_range()
}
