//! The two 0..1 strips under the log panel of the per-layer summary: the mean
//! cosine between samples (a line) and the saturated or dead share (bars).

use plotters::style::text_anchor::{HPos, VPos};

use super::log_panel::polyline;
use super::{Geometry, Pick, COSINE};
use crate::core::config::{Activation, Config};
use crate::core::stats::Stats;
use crate::web::charts::colour::{GREEN, INK, MUTED};
use crate::web::charts::layout::{Mark, Rect};
use crate::web::charts::paint::{Painter, Res};
use crate::web::i18n::tr;

/// The share shown in the lower panel: axis label, caption (message keys) and value.
pub(super) fn share(
    activation: Activation,
) -> Option<(&'static str, &'static str, Pick<Option<f32>>)> {
    match activation {
        Activation::Tanh => Some(("charts.saturated", "charts.saturated_tanh", |s| s.saturated)),
        Activation::Sigmoid => Some(("charts.saturated", "charts.saturated_sigmoid", |s| {
            s.saturated
        })),
        Activation::Relu | Activation::LeakyRelu => {
            Some(("charts.dead", "charts.dead_relu", |s| s.dead))
        }
        _ => None,
    }
}

/// The mean cosine strip; its caption goes to whichever half the line leaves free.
pub(super) fn draw_cosine(p: &Painter, g: &Geometry, config: &Config, stats: &Stats) -> Res {
    let (plot, axis) = (&g.cosine_plot, &g.unit_axes[0]);
    let values: Vec<(f64, f64)> = stats
        .layers
        .iter()
        .filter_map(|s| Some((s.layer as f64, s.sample_cosine? as f64)))
        .filter(|(_, v)| v.is_finite())
        .collect();
    if values.is_empty() {
        let text = tr(match config.batch {
            1 => "charts.batch_one",
            _ => "charts.no_two_samples_note",
        });
        return p.note(plot, text, MUTED);
    }
    let points: Vec<(f64, f64)> = values
        .iter()
        .map(|&(l, v)| (g.layers.px(l), axis.px(v.clamp(-1.0, 1.0))))
        .collect();
    polyline(p, plot, &points, INK, Mark::Line)?;
    let high = values.iter().filter(|(_, v)| *v > 0.5).count();
    let f = &p.surface;
    let y = if 2 * high > values.len() {
        plot.bottom() - 0.8 * f.small()
    } else {
        plot.y + 0.8 * f.small()
    };
    let at = (plot.x + 0.5 * f.font, y);
    p.text(tr(COSINE), at, f.small(), MUTED, (HPos::Left, VPos::Center))
}

pub(super) fn draw_share(
    p: &Painter,
    g: &Geometry,
    stats: &Stats,
    caption: &str,
    pick: Pick<Option<f32>>,
) -> Res {
    let half = 0.36 * (g.layers.px(1.0) - g.layers.px(0.0));
    for s in &stats.layers {
        let Some(v) = pick(s).filter(|v| v.is_finite()) else {
            continue;
        };
        let x = g.layers.px(s.layer as f64);
        let top = g.unit_axes[1].px(v.clamp(0.0, 1.0) as f64);
        let bar = Rect {
            x: x - half,
            y: top,
            w: 2.0 * half,
            h: g.share_plot.bottom() - top,
        };
        p.fill(&bar, GREEN, 0.85)?;
    }
    let f = &p.surface;
    let at = (
        g.share_plot.x + 0.5 * f.font,
        g.share_plot.y + 0.8 * f.small(),
    );
    p.text(caption, at, f.small(), MUTED, (HPos::Left, VPos::Center))
}
