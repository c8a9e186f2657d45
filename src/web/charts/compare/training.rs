//! Training of a comparison: A and B in one chart, three panels over the
//! training steps: the loss, the accuracy (a line per training batch, dots
//! on a thin line for the held-out evaluations in eval mode) and log10 of the
//! update:data ratio, as each side's median over its layers in a band from
//! its smallest to its largest layer, with the 10⁻³ guide.
//!
//! How to read it: the side whose loss falls first trains faster on the same
//! batches; a band far below 10⁻³ is layers that barely learn.

use web_sys::HtmlCanvasElement;

use super::{both, decades, side_keys, side_line, sig3, Sides, SIDES};
use crate::core::stats::{History, Stats};
use crate::web::charts::axes::Side;
use crate::web::charts::colour::{BACKGROUND, INK, MUTED};
use crate::web::charts::layout::{Axis, Key, Mark, Rect, Right, Surface};
use crate::web::charts::paint::{Painter, Res};
use crate::web::charts::ticks::{decade_ticks, integer_ticks, linear_ticks, percent, widest, Tick};
use crate::web::charts::training::finite_max;
use crate::web::i18n::{tr, trf};

const TITLE: &str = "charts.training_ab_title";
const GUIDE: f64 = -3.0;

fn keys() -> [Key<'static>; 3] {
    let [a, b] = side_keys();
    [a, b, Key::new(tr("charts.dots_heldout"), INK, Mark::Dot)]
}

struct Geometry {
    /// loss, accuracy, update:data.
    plots: [Rect; 3],
    steps: Axis,
    axes: [Axis; 3],
    ticks: [Vec<Tick>; 3],
    step_ticks: Vec<Tick>,
    extra: f64,
}

/// Per record: log10 of the median, smallest and largest finite update:data
/// ratio over the layers (None before any update).
fn ratio_band(history: &History) -> Vec<Option<[f64; 3]>> {
    (0..history.steps.len())
        .map(|i| {
            let mut logs: Vec<f64> = history
                .update_ratio
                .iter()
                .filter_map(|layer| layer.get(i))
                .filter(|v| v.is_finite() && **v > 0.0)
                .map(|v| (*v as f64).log10())
                .collect();
            logs.sort_by(f64::total_cmp);
            let (first, last) = (logs.first()?, logs.last()?);
            Some([logs[logs.len() / 2], *first, *last])
        })
        .collect()
}

fn geometry(surface: &Surface, sides: Sides) -> Geometry {
    let extra = surface.legend_extra(tr(TITLE), &keys());
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let loss_hi = sides
        .iter()
        .map(|s| finite_max(&s.history.loss).max(finite_max(&s.history.test.loss)))
        .fold(0.0f64, f64::max);
    let loss_hi = (loss_hi * 1.08).max(0.8);
    let loss_ticks = linear_ticks(0.0, loss_hi, surface.tick_room(inner * 0.36, 0, true));
    let ratios = sides
        .iter()
        .flat_map(|s| s.history.update_ratio.iter().flatten())
        .map(|v| *v as f64);
    let (lo, hi) = decades(ratios.chain([1e-4, 1e-2])).unwrap_or((-4.0, -2.0));
    let (ratio_lo, ratio_hi) = (lo.max(-12.0), hi.min(6.0));
    let ratio_ticks = decade_ticks(ratio_lo, ratio_hi, surface.tick_room(inner * 0.3, 0, true));
    let accuracy_ticks = [0.0, 0.5, 1.0]
        .map(|a| Tick {
            at: a,
            label: percent(a).replace(".0", ""),
        })
        .to_vec();
    let left = widest(&loss_ticks).max(widest(&ratio_ticks)).max(4);
    let chrome = surface.chrome(extra, left, Right::Margin);
    let gap = 0.8 * surface.font;
    let (loss_plot, rest) = chrome.plot.split(0.36, gap);
    let (accuracy_plot, ratio_plot) = rest.split(0.5, gap);
    let last = sides
        .iter()
        .filter_map(|s| s.history.steps.last().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    Geometry {
        plots: [loss_plot, accuracy_plot, ratio_plot],
        steps: Axis::horizontal(0.0, last as f64, &chrome.plot),
        axes: [
            Axis::vertical(0.0, loss_hi, &loss_plot),
            Axis::vertical(0.0, 1.0, &accuracy_plot),
            Axis::vertical(ratio_lo, ratio_hi, &ratio_plot),
        ],
        ticks: [loss_ticks, accuracy_ticks, ratio_ticks],
        step_ticks: integer_ticks(
            0,
            last as i64,
            surface.tick_room(chrome.plot.w, last.to_string().len(), false),
        ),
        extra,
    }
}

/// Every `stride`-th of `records`, so a line has about one point per two CSS pixels.
fn thinned(records: usize, g: &Geometry, scale: f64) -> usize {
    (records as f64 / (g.plots[0].w / (2.0 * scale)).max(1.0))
        .ceil()
        .max(1.0) as usize
}

/// Side `side`'s `values` against `steps` on panel `panel`, broken at non-finite values.
fn series(
    p: &Painter,
    g: &Geometry,
    (steps, values): (&[u64], &[f64]),
    panel: usize,
    side: usize,
) -> Res {
    let every = thinned(values.len(), g, p.surface.scale);
    let last = values.len().saturating_sub(1);
    let mut run = Vec::new();
    for (i, (step, v)) in steps.iter().zip(values).enumerate() {
        if i % every != 0 && i != last {
            continue;
        }
        if v.is_finite() {
            run.push((g.steps.px(*step as f64), g.axes[panel].px(*v)));
        } else {
            side_line(p, &g.plots[panel], &run, side, false)?;
            run.clear();
        }
    }
    side_line(p, &g.plots[panel], &run, side, false)
}

/// Side `side`'s held-out evaluations: dots on a thin line.
fn heldout(p: &Painter, g: &Geometry, stats: &Stats, side: usize) -> Res {
    let test = &stats.history.test;
    let colour = SIDES[side].1;
    for (panel, values) in [(0, &test.loss), (1, &test.accuracy)] {
        let points: Vec<(f64, f64)> = test
            .steps
            .iter()
            .zip(values.iter())
            .filter(|(_, v)| v.is_finite())
            .map(|(s, v)| (g.steps.px(*s as f64), g.axes[panel].px(*v as f64)))
            .collect();
        p.clipped(&g.plots[panel], |p| {
            p.line(&points, colour, 0.5, 1.0)?;
            let inner = if side == 0 { colour } else { BACKGROUND };
            p.dots(points.iter().copied(), 2.6, colour, Some(BACKGROUND))?;
            p.dots(points.iter().copied(), 1.4, inner, None)
        })?;
    }
    Ok(())
}

pub(super) fn draw(canvas: &HtmlCanvasElement, sides: Sides) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let g = geometry(&p.surface, sides);
    p.title(tr(TITLE))?;
    p.legend(&keys(), g.extra)?;
    for ((plot, axis), ticks) in g.plots.iter().zip(&g.axes).zip(&g.ticks) {
        p.grid(plot, None, Some((axis, ticks)))?;
    }
    let guide = g.axes[2].px(GUIDE);
    let ratio_plot = g.plots[2];
    p.dashed(
        &[(ratio_plot.x, guide), (ratio_plot.right(), guide)],
        MUTED,
        1.0,
        1.5,
        6.0,
    )?;
    if sides.iter().all(|s| s.history.steps.is_empty()) {
        p.note(&g.plots[0], tr("charts.no_steps_press"), MUTED)?;
    }
    for (side, stats) in sides.iter().enumerate() {
        let h = &stats.history;
        let band = ratio_band(h);
        let colour = SIDES[side].1;
        // The band between the smallest and largest layer ratio, as one polygon per run.
        let ranges: Vec<(f64, [f64; 3])> = h
            .steps
            .iter()
            .zip(&band)
            .filter_map(|(s, b)| Some((g.steps.px(*s as f64), (*b)?)))
            .collect();
        let mut outline: Vec<(f64, f64)> = ranges
            .iter()
            .map(|(x, b)| (*x, g.axes[2].px(b[2])))
            .collect();
        outline.extend(ranges.iter().rev().map(|(x, b)| (*x, g.axes[2].px(b[1]))));
        p.clipped(&ratio_plot, |p| p.polygon(&outline, colour, 0.16))?;
        let median: Vec<f64> = band.iter().map(|b| b.map_or(f64::NAN, |b| b[0])).collect();
        series(&p, &g, (&h.steps, &median), 2, side)?;
        let as_f64 = |v: &[f32]| v.iter().map(|v| *v as f64).collect::<Vec<f64>>();
        series(&p, &g, (&h.steps, &as_f64(&h.loss)), 0, side)?;
        series(&p, &g, (&h.steps, &as_f64(&h.accuracy)), 1, side)?;
        heldout(&p, &g, stats, side)?;
    }
    p.x_axis(
        &g.plots[2],
        &g.steps,
        &g.step_ticks,
        tr("charts.training_step"),
    )?;
    let labels = ["charts.loss", "charts.accuracy", "charts.update_data"].map(tr);
    for (((plot, axis), ticks), label) in g.plots.iter().zip(&g.axes).zip(&g.ticks).zip(labels) {
        p.y_axis(plot, axis, ticks, label, Side::Left, INK)?;
        p.border(plot)?;
    }
    let diverged: Vec<String> = sides
        .iter()
        .zip(["A", "B"])
        .filter_map(|(s, name)| {
            let step = s.diverged.as_ref()?.step;
            Some(trf(
                "charts.side_diverged",
                &[("side", &name), ("step", &step)],
            ))
        })
        .collect();
    if !diverged.is_empty() {
        p.alarm(&g.plots[0], &diverged.join(", "))?;
    }
    Ok(())
}

/// The record of `history` nearest to `step`.
fn nearest(history: &History, step: f64) -> Option<usize> {
    (0..history.steps.len()).min_by(|a, b| {
        let d = |i: usize| (history.steps[i] as f64 - step).abs();
        d(*a).total_cmp(&d(*b))
    })
}

/// "step 120 · loss A 0.31 · B 0.52" (accuracy, or update:data median, by panel).
pub(super) fn describe(surface: &Surface, x: f64, y: f64, sides: Sides) -> String {
    let g = geometry(surface, sides);
    let Some(panel) = g.plots.iter().position(|plot| plot.contains(x, y)) else {
        return String::new();
    };
    let step = g.steps.value(x);
    let records = sides.map(|s| nearest(&s.history, step));
    let Some(shown) = records
        .iter()
        .zip(sides)
        .find_map(|(i, s)| Some(s.history.steps[(*i)?]))
    else {
        return tr("charts.no_steps").into();
    };
    let value = |side: usize| -> Option<f64> {
        let h = &sides[side].history;
        let i = records[side]?;
        let v = match panel {
            0 => *h.loss.get(i)? as f64,
            1 => *h.accuracy.get(i)? as f64,
            _ => 10f64.powf(ratio_band(h).get(i).copied().flatten()?[0]),
        };
        v.is_finite().then_some(v)
    };
    let values = [value(0), value(1)];
    let (key, values) = match panel {
        0 => ("charts.ab_loss_readout", both(values, sig3)),
        1 => ("charts.ab_accuracy_readout", both(values, percent)),
        _ => (
            "charts.ab_ratio_readout",
            both(values, |v| crate::web::charts::ticks::format_sig(v, 2)),
        ),
    };
    trf(key, &[("step", &shown), ("values", &values)])
}
