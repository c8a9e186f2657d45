//! The per-layer summary of a comparison: A and B in one chart, three panels
//! over the hidden layers: the std of h and the std of dL/dh (each on a log
//! axis covering both sides) and the mean cosine between samples. The
//! single-network summary's spread across samples and saturated share are
//! left out here (each side's hover in its own figure has them).
//!
//! How to read it: where B's line sits above A's, B's signal (or gradient) is
//! larger at that depth; the distance in decades is the ratio the line above
//! the charts quotes.

use plotters::style::text_anchor::{HPos, VPos};
use web_sys::HtmlCanvasElement;

use super::{both, decades, side_keys, side_line, sig3, Sides};
use crate::core::stats::{LayerStats, Stats};
use crate::web::charts::axes::Side;
use crate::web::charts::colour::{INK, MUTED};
use crate::web::charts::layout::{Axis, Rect, Right, Surface};
use crate::web::charts::paint::Painter;
use crate::web::charts::ticks::{decade_ticks, format_sig, integer_ticks, ordinal, widest, Tick};
use crate::web::i18n::{tr, trf};
use std::fmt::Display;

const TITLE: &str = "charts.summary_ab_title";

/// A log panel's quantity: axis label (a message key) and per-layer value.
struct Quantity {
    label: &'static str,
    value: fn(&LayerStats) -> Option<f32>,
}

const QUANTITIES: [Quantity; 2] = [
    Quantity {
        label: "charts.std_h",
        value: |s| (s.out.count > s.out.nonfinite).then_some(s.out.std),
    },
    Quantity {
        label: "charts.std_grad",
        value: |s| (s.grad.count > s.grad.nonfinite).then_some(s.grad.std),
    },
];

struct Geometry {
    /// std h, std dL/dh, cosine.
    plots: [Rect; 3],
    layers: Axis,
    axes: [Axis; 3],
    ticks: [Vec<Tick>; 3],
    layer_ticks: Vec<Tick>,
    depth: usize,
    extra: f64,
}

fn depth(sides: Sides) -> usize {
    sides
        .iter()
        .map(|s| s.layers.len())
        .max()
        .unwrap_or(0)
        .max(1)
}

/// The lowest mean cosine of both sides, at most 0 and at least -1.
fn cosine_floor(sides: Sides) -> f64 {
    sides
        .iter()
        .flat_map(|s| s.layers.iter().filter_map(|l| l.sample_cosine))
        .filter(|v| v.is_finite())
        .fold(0.0f64, |lo, v| lo.min(v as f64))
        .max(-1.0)
}

fn geometry(surface: &Surface, sides: Sides) -> Geometry {
    let depth = depth(sides);
    let extra = surface.legend_extra(tr(TITLE), &side_keys());
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let log_ticks = |q: &Quantity| {
        let values = sides
            .iter()
            .flat_map(|s| s.layers.iter().filter_map(q.value))
            .map(|v| v as f64);
        let (lo, hi) = decades(values).unwrap_or((-3.0, 1.0));
        (
            lo,
            hi,
            decade_ticks(lo, hi, surface.tick_room(inner * 0.36, 0, true)),
        )
    };
    let [(h_lo, h_hi, h_ticks), (g_lo, g_hi, g_ticks)] = QUANTITIES.each_ref().map(log_ticks);
    let floor = cosine_floor(sides);
    let mut cosine_ticks = vec![
        Tick {
            at: 0.0,
            label: "0".into(),
        },
        Tick {
            at: 1.0,
            label: "1".into(),
        },
    ];
    if floor < -0.25 {
        let label = format_sig(floor, 2).replace('-', "\u{2212}");
        cosine_ticks.insert(0, Tick { at: floor, label });
    }
    let left = widest(&h_ticks).max(widest(&g_ticks)).max(4);
    let chrome = surface.chrome(extra, left, Right::Margin);
    let gap = 0.8 * surface.font;
    let (h_plot, rest) = chrome.plot.split(0.4, gap);
    let (g_plot, cosine_plot) = rest.split(0.62, gap);
    const PAD: f64 = 0.12;
    Geometry {
        plots: [h_plot, g_plot, cosine_plot],
        layers: Axis::horizontal(0.5, depth as f64 + 0.5, &chrome.plot),
        axes: [
            Axis::vertical(h_lo, h_hi, &h_plot),
            Axis::vertical(g_lo, g_hi, &g_plot),
            Axis::vertical(floor - PAD, 1.0 + PAD, &cosine_plot),
        ],
        ticks: [h_ticks, g_ticks, cosine_ticks],
        layer_ticks: integer_ticks(1, depth as i64, surface.tick_room(chrome.plot.w, 2, false)),
        depth,
        extra,
    }
}

/// Side `side`'s points of per-layer `value`, through `to_axis` (None: skipped).
fn points(
    g: &Geometry,
    stats: &Stats,
    axis: &Axis,
    value: impl Fn(&LayerStats) -> Option<f64>,
) -> Vec<(f64, f64)> {
    stats
        .layers
        .iter()
        .filter_map(|s| Some((g.layers.px(s.layer as f64), axis.px(value(s)?))))
        .collect()
}

pub(super) fn draw(canvas: &HtmlCanvasElement, sides: Sides) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let g = geometry(&p.surface, sides);
    p.title(tr(TITLE))?;
    p.legend(&side_keys(), g.extra)?;
    for ((plot, axis), ticks) in g.plots.iter().zip(&g.axes).zip(&g.ticks) {
        p.grid(plot, None, Some((axis, ticks)))?;
    }
    let mut zeros: [Vec<String>; 3] = Default::default();
    for (side, stats) in sides.iter().enumerate() {
        for (i, q) in QUANTITIES.iter().enumerate() {
            let log = |s: &LayerStats| {
                let v = (q.value)(s)? as f64;
                (v.is_finite() && v > 0.0).then(|| v.log10())
            };
            let line = points(&g, stats, &g.axes[i], log);
            side_line(&p, &g.plots[i], &line, side, true)?;
            // A value of exactly 0 cannot sit on a log axis: said in words.
            let zero = stats
                .layers
                .iter()
                .filter(|s| (q.value)(s) == Some(0.0))
                .count();
            if zero > 0 {
                let (name, depth) = (["A", "B"][side], stats.layers.len());
                let label = tr(q.label);
                let params: [(&str, &dyn Display); 3] =
                    [("label", &label), ("zeros", &zero), ("depth", &depth)];
                let line = trf("charts.zero_in", &params);
                zeros[i].push(format!("{name}: {line}"));
            }
        }
        let cosine = |s: &LayerStats| s.sample_cosine.filter(|v| v.is_finite()).map(|v| v as f64);
        side_line(
            &p,
            &g.plots[2],
            &points(&g, stats, &g.axes[2], cosine),
            side,
            true,
        )?;
    }
    let f = &p.surface;
    for (plot, lines) in g.plots.iter().zip(&zeros) {
        for (i, line) in lines.iter().rev().enumerate() {
            let at = (
                plot.right() - 0.5 * f.font,
                plot.bottom() - (0.8 + 1.3 * i as f64) * f.small(),
            );
            p.text(line, at, f.small(), MUTED, (HPos::Right, VPos::Center))?;
        }
    }
    p.x_axis(
        &g.plots[2],
        &g.layers,
        &g.layer_ticks,
        tr("charts.hidden_layer"),
    )?;
    // The strips' labels as the single summary's (summary.rs): "mean cosine"
    // would be taller than its strip.
    let labels = ["charts.std_h_log", "charts.std_grad_log", "charts.cosine"].map(tr);
    for (((plot, axis), ticks), label) in g.plots.iter().zip(&g.axes).zip(&g.ticks).zip(labels) {
        p.y_axis(plot, axis, ticks, label, Side::Left, INK)?;
        p.border(plot)?;
    }
    let nonfinite: Vec<String> = sides
        .iter()
        .zip(["A", "B"])
        .filter(|(s, _)| s.nonfinite > 0)
        .map(|(s, name)| {
            let count = trf("charts.n_nonfinite", &[("count", &s.nonfinite)]);
            format!("{name}: {count}")
        })
        .collect();
    if !nonfinite.is_empty() {
        p.alarm(
            &g.plots[0],
            &trf("charts.finite_std", &[("list", &nonfinite.join(", "))]),
        )?;
    }
    if sides[0].layers.len() != sides[1].layers.len() {
        let (a, b) = (sides[0].layers.len(), sides[1].layers.len());
        let text = trf("charts.depths_differ", &[("a", &a), ("b", &b)]);
        p.note(&g.plots[2], &text, MUTED)?;
    }
    Ok(())
}

/// "layer 5 · std h A 0.42 · B 0.98 · std dL/dh A … · B … · mean cosine A … · B …".
pub(super) fn describe(surface: &Surface, x: f64, y: f64, sides: Sides) -> String {
    let g = geometry(surface, sides);
    if !g.plots.iter().any(|plot| plot.contains(x, y)) {
        return String::new();
    }
    let layer = ordinal(g.layers.value(x), g.depth);
    let at = |side: usize| sides[side].layers.get(layer - 1);
    let mut text = trf("charts.layer_n", &[("layer", &layer)]);
    for q in &QUANTITIES {
        let values = [0, 1].map(|side| at(side).and_then(q.value).map(|v| v as f64));
        text += &format!(" · {} {}", tr(q.label), both(values, sig3));
    }
    let cosine = [0, 1].map(|side| at(side).and_then(|s| s.sample_cosine).map(|v| v as f64));
    let format = |v: f64| format!("{v:.4}").replace('-', "\u{2212}");
    text + &format!(" · {} {}", tr("charts.mean_cosine"), both(cosine, format))
}
