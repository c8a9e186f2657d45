//! The mean-field prediction over the log panel (`core/theory.rs`): dashed grey
//! lines for the predicted std of h, and of dL/dh anchored at the last hidden
//! layer's measured value (the theory predicts ratios between layers). Where the
//! recursion does not apply (residual wiring, after step 0) a short note says
//! so instead.

use plotters::style::text_anchor::{HPos, VPos};

use super::Geometry;
use crate::core::stats::Stats;
use crate::core::theory::{Theory, TheoryLayer};
use crate::web::charts::colour::{Rgb, BACKGROUND, MUTED};
use crate::web::charts::layout::{text_units, Rect};
use crate::web::charts::paint::{Painter, Res};
use crate::web::i18n::tr;

/// The legend's name for the prediction (a message key).
pub(super) const LABEL: &str = "charts.meanfield";
pub(super) const COLOUR: Rgb = [150, 150, 150];

/// The predicted layers, when there is a prediction.
pub(super) fn predicted(stats: &Stats) -> Option<&[TheoryLayer]> {
    match &stats.theory {
        Some(Theory::Predicted(layers)) if layers.len() == stats.layers.len() => Some(layers),
        _ => None,
    }
}

/// A layer's predicted (std h, std dL/dh).
type Predicted = (f32, Option<f32>);

/// The predicted (std h, std dL/dh) of each layer; the gradient is None where
/// it is not predicted or the last layer's gradient is not measured.
pub(super) fn values(stats: &Stats) -> Vec<Predicted> {
    let Some(layers) = predicted(stats) else {
        return Vec::new();
    };
    let anchor = stats
        .layers
        .last()
        .map(|s| s.grad.std)
        .filter(|v| v.is_finite() && *v > 0.0);
    layers
        .iter()
        .map(|l| (l.out_var.sqrt(), l.grad_rel.zip(anchor).map(|(r, a)| r * a)))
        .collect()
}

/// A note in a light box at the top left of the log panel.
fn note(p: &Painter, g: &Geometry, text: &str) -> Res {
    let f = &p.surface;
    let (x, y) = (g.std_plot.x + 0.4 * f.font, g.std_plot.y + 0.4 * f.font);
    let label = Rect {
        x,
        y,
        w: f.text_width(text_units(text), f.small()) * 1.05 + 0.8 * f.font,
        h: 1.5 * f.small(),
    };
    p.fill(&label, BACKGROUND, 0.85)?;
    let at = (x + 0.4 * f.font, y + 0.75 * f.small());
    p.text(text, at, f.small(), MUTED, (HPos::Left, VPos::Center))
}

/// Draws the dashed prediction, or the note saying why there is none. (When
/// the legend has no room for its key, the chart's hint in www/charts.js names
/// the grey band.)
pub(super) fn draw(p: &Painter, g: &Geometry, stats: &Stats) -> Res {
    let reason = match &stats.theory {
        Some(Theory::NotApplicable(why)) => why.as_str(),
        _ => "",
    };
    if !reason.is_empty() {
        return note(
            p,
            g,
            tr(if reason.contains("residual") {
                "charts.meanfield_residual"
            } else if reason.contains("one value") {
                "charts.meanfield_one_value"
            } else {
                "charts.meanfield_step_0"
            }),
        );
    }
    let values = values(stats);
    let line = |pick: &dyn Fn(&Predicted) -> Option<f32>| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .filter_map(|(l, v)| Some((l + 1, pick(v)?)))
            .filter(|(_, v)| v.is_finite() && *v > 0.0)
            .map(|(l, v)| (g.layers.px(l as f64), g.std_axis.px((v as f64).log10())))
            .collect()
    };
    // Wide and light, under the measured lines, so that agreement reads as a
    // grey band around them.
    p.clipped(&g.std_plot, |p| {
        p.dashed(&line(&|v| Some(v.0)), COLOUR, 0.8, 3.5, 6.0)?;
        p.dashed(&line(&|v| v.1), COLOUR, 0.8, 3.5, 6.0)
    })
}
