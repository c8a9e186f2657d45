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

use super::distribution::{self, Distribution};
use super::layout::Surface;
use super::paint::Painter;
use super::{Scale, View};
use crate::core::stats::{LayerStats, Stats};

fn distribution(stats: &Stats, scale: Scale) -> Distribution<'_> {
    let symlog = scale == Scale::Symlog;
    Distribution {
        title: "Gradients dL/dh per layer",
        symbol: "dL/dh",
        axis: "gradient dL/dh",
        layers: &stats.layers,
        summary: |s: &LayerStats| &s.grad,
        histogram: if symlog {
            |s: &LayerStats| &s.grad_symlog
        } else {
            |s: &LayerStats| &s.grad.histogram
        },
        symlog,
    }
}

/// Draws every hidden layer's gradient distribution into `canvas`.
pub fn draw_gradients(
    canvas: &HtmlCanvasElement,
    stats: &Stats,
    view: View,
    scale: Scale,
) -> Result<(), String> {
    let painter = Painter::new(canvas)?;
    distribution::draw(&painter, &distribution(stats, scale), view)
}

pub(super) fn describe(
    surface: &Surface,
    x: f64,
    y: f64,
    stats: &Stats,
    view: View,
    scale: Scale,
) -> String {
    distribution::describe(surface, x, y, &distribution(stats, scale), view)
}
