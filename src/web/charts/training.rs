//! Training over time: the loss (left axis) and accuracy (right axis) of each
//! recorded step on top; below, log10 of every layer's update:data ratio,
//! std(last update of W) / std(W), coloured by depth, with the dashed 1e-3
//! guide line.
//!
//! How to read it: the loss should fall and the accuracy rise. Karpathy's rule
//! of thumb puts healthy update ratios near 1e-3: far below, that layer barely
//! learns (learning rate too low, or its gradient vanished); far above, the
//! updates are violent. Long runs are thinned evenly by the core's history;
//! lines are further thinned to about one point per two pixels.

use plotters::style::text_anchor::{HPos, VPos};
use web_sys::HtmlCanvasElement;

use super::axes::Side;
use super::colour::{self, Rgb, BLUE, INK, MUTED, ORANGE};
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::{Painter, Res};
use super::ticks::{decade_ticks, format_sig, integer_ticks, linear_ticks, percent, widest, Tick};
use crate::core::history::TestHistory;
use crate::core::stats::{History, Stats};
use crate::web::i18n::{tr, trf};

const TITLE: &str = "charts.training_title";
const GUIDE: f64 = -3.0;

/// The keys that fit beside or under the title: the guide's key goes first
/// (the guide is labelled on the chart).
fn keys(surface: &Surface) -> Vec<Key<'static>> {
    let mut keys = vec![
        Key::new(tr("charts.loss"), BLUE, Mark::Line),
        Key::new(tr("charts.accuracy"), ORANGE, Mark::Line),
        Key::new(tr("charts.dashed_heldout"), INK, Mark::Dashed),
        Key::new(tr("charts.guide"), MUTED, Mark::Dashed),
    ];
    if surface.legend_width(&keys) + 1.4 * surface.font > surface.width {
        keys.pop();
    }
    keys
}

struct Geometry {
    top: Rect,
    bottom: Rect,
    bar: Rect,
    steps: Axis,
    loss: Axis,
    accuracy: Axis,
    ratio: Axis,
    step_ticks: Vec<Tick>,
    loss_ticks: Vec<Tick>,
    accuracy_ticks: Vec<Tick>,
    ratio_ticks: Vec<Tick>,
    extra: f64,
}

/// The largest finite value, at least 0 (the loss axis's top; the overlay shares it).
pub(crate) fn finite_max(values: &[f32]) -> f64 {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(*v as f64))
}

/// Whole decades covering every finite ratio and the guide.
fn ratio_range(history: &History) -> (f64, f64) {
    let (lo, hi) = history
        .update_ratio
        .iter()
        .flatten()
        .filter(|v| v.is_finite() && **v > 0.0)
        .map(|v| (*v as f64).log10())
        .fold((GUIDE - 1.0, GUIDE + 1.0), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    (lo.floor().max(-12.0), hi.ceil().min(6.0))
}

fn geometry(surface: &Surface, stats: &Stats) -> Geometry {
    let history = &stats.history;
    let extra = surface.legend_extra(tr(TITLE), &keys(surface));
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let loss_hi = (finite_max(&history.loss).max(finite_max(&history.test.loss)) * 1.08).max(0.8);
    let loss_ticks = linear_ticks(0.0, loss_hi, surface.tick_room(inner * 0.5, 0, true));
    let (ratio_lo, ratio_hi) = ratio_range(history);
    let ratio_ticks = decade_ticks(ratio_lo, ratio_hi, surface.tick_room(inner * 0.45, 0, true));
    let left = widest(&loss_ticks).max(widest(&ratio_ticks));
    let chrome = surface.chrome(extra, left, Right::Axis(4));
    let (top, bottom) = chrome.plot.split(0.52, 0.8 * surface.font);
    let last = history.steps.last().copied().unwrap_or(0).max(1);
    let bar = Rect {
        x: bottom.right() + 0.9 * surface.font,
        w: 0.8 * surface.font,
        ..bottom
    };
    Geometry {
        top,
        bottom,
        bar,
        steps: Axis::horizontal(0.0, last as f64, &top),
        loss: Axis::vertical(0.0, loss_hi, &top),
        accuracy: Axis::vertical(0.0, 1.0, &top),
        ratio: Axis::vertical(ratio_lo, ratio_hi, &bottom),
        step_ticks: integer_ticks(
            0,
            last as i64,
            surface.tick_room(top.w, last.to_string().len(), false),
        ),
        loss_ticks,
        accuracy_ticks: [0.0, 0.5, 1.0]
            .map(|a| Tick {
                at: a,
                label: percent(a).replace(".0", ""),
            })
            .to_vec(),
        ratio_ticks,
        extra,
    }
}

/// Every `stride`-th record, so a line has about one point per two CSS pixels
/// of `width` device pixels.
fn stride(records: usize, width: f64, scale: f64) -> usize {
    (records as f64 / (width / (2.0 * scale)).max(1.0))
        .ceil()
        .max(1.0) as usize
}

/// Draws `values` against `steps` on `axis`, broken at non-finite values.
fn draw_series(
    p: &Painter,
    g: &Geometry,
    steps: &[u64],
    values: &[f32],
    axis: &Axis,
    (colour, width, spacing): (Rgb, f64, f64),
) -> Res {
    let every = stride(values.len(), g.top.w / spacing, p.surface.scale);
    let mut run: Vec<(f64, f64)> = Vec::with_capacity(values.len() / every + 2);
    let last = values.len().saturating_sub(1);
    for (i, (step, v)) in steps.iter().zip(values).enumerate() {
        if i % every != 0 && i != last {
            continue;
        }
        if v.is_finite() {
            run.push((g.steps.px(*step as f64), axis.px(*v as f64)));
        } else {
            p.line(&run, colour, 1.0, width)?;
            run.clear();
        }
    }
    if run.len() == 1 {
        p.dots(run.iter().copied(), 2.0, colour, None)?;
    }
    p.line(&run, colour, 1.0, width)
}

/// The held-out loss and accuracy (eval mode, `core/heldout.rs`): dashed, with
/// a dot per evaluation while there are few.
fn draw_heldout(p: &Painter, g: &Geometry, test: &TestHistory) -> Res {
    for (values, axis, colour) in [
        (&test.loss, &g.loss, BLUE),
        (&test.accuracy, &g.accuracy, ORANGE),
    ] {
        let points: Vec<(f64, f64)> = test
            .steps
            .iter()
            .zip(values.iter())
            .filter(|(_, v)| v.is_finite())
            .map(|(s, v)| (g.steps.px(*s as f64), axis.px(*v as f64)))
            .collect();
        p.dashed(&points, colour, 0.9, 1.5, 4.0)?;
        if points.len() <= 60 {
            p.dots(points.iter().copied(), 2.4, colour, Some([255, 255, 255]))?;
        }
    }
    Ok(())
}

/// Draws loss, accuracy (on the training batch and held out) and the per-layer
/// update:data ratios into `canvas`.
pub fn draw_training(canvas: &HtmlCanvasElement, stats: &Stats) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let g = geometry(&p.surface, stats);
    let history = &stats.history;
    let depth = stats.layers.len().max(history.update_ratio.len()).max(1);
    p.title(tr(TITLE))?;
    p.legend(&keys(&p.surface), g.extra)?;
    p.grid(&g.top, None, Some((&g.loss, &g.loss_ticks)))?;
    p.grid(&g.bottom, None, Some((&g.ratio, &g.ratio_ticks)))?;
    let guide = g.ratio.px(GUIDE);
    p.dashed(
        &[(g.bottom.x, guide), (g.bottom.right(), guide)],
        MUTED,
        1.0,
        1.5,
        6.0,
    )?;
    if history.steps.is_empty() {
        p.note(&g.top, tr("charts.no_steps_press"), MUTED)?;
        // In the larger part beside the guide line, so that it never crosses the text.
        let (above, below) = (guide - g.bottom.y, g.bottom.bottom() - guide);
        let free = match above >= below {
            true => Rect {
                h: above - 0.4 * p.surface.small(),
                ..g.bottom
            },
            false => Rect {
                y: guide + 0.4 * p.surface.small(),
                h: below - 0.4 * p.surface.small(),
                ..g.bottom
            },
        };
        p.note(&free, tr("charts.ratios_after"), MUTED)?;
    } else {
        let log10 = |v: f32| if v > 0.0 { v.log10() } else { f32::NAN };
        // One device pixel wide; deep nets get fewer points per line.
        let spacing = if depth > 16 { 1.5 } else { 1.0 };
        p.clipped(&g.bottom, |p| {
            for (l, ratios) in history.update_ratio.iter().enumerate() {
                let logs: Vec<f32> = ratios.iter().map(|v| log10(*v)).collect();
                draw_series(
                    p,
                    &g,
                    &history.steps,
                    &logs,
                    &g.ratio,
                    (colour::depth(l + 1, depth), 0.0, spacing),
                )?;
            }
            Ok(())
        })?;
        p.clipped(&g.top, |p| {
            draw_series(
                p,
                &g,
                &history.steps,
                &history.accuracy,
                &g.accuracy,
                (ORANGE, 1.5, 1.0),
            )?;
            draw_series(
                p,
                &g,
                &history.steps,
                &history.loss,
                &g.loss,
                (BLUE, 1.5, 1.0),
            )?;
            draw_heldout(p, &g, &history.test)
        })?;
    }
    p.x_axis(
        &g.bottom,
        &g.steps,
        &g.step_ticks,
        tr("charts.training_step"),
    )?;
    p.y_axis(
        &g.top,
        &g.loss,
        &g.loss_ticks,
        tr("charts.loss"),
        Side::Left,
        BLUE,
    )?;
    p.y_axis(
        &g.top,
        &g.accuracy,
        &g.accuracy_ticks,
        tr("charts.accuracy"),
        Side::Right,
        [170, 110, 0],
    )?;
    p.y_axis(
        &g.bottom,
        &g.ratio,
        &g.ratio_ticks,
        tr("charts.update_data"),
        Side::Left,
        INK,
    )?;
    let layer_ticks = if depth > 1 {
        vec![
            Tick {
                at: 0.0,
                label: "1".into(),
            },
            Tick {
                at: 1.0,
                label: depth.to_string(),
            },
        ]
    } else {
        vec![Tick {
            at: 0.5,
            label: "1".into(),
        }]
    };
    let bar_axis = Axis::vertical(0.0, 1.0, &g.bar);
    p.colour_bar(
        &g.bar,
        |t| colour::density(0.05 + 0.75 * t),
        &bar_axis,
        &layer_ticks,
        tr("charts.layer"),
    )?;
    p.border(&g.top)?;
    p.border(&g.bottom)?;
    p.divergence(&g.top, stats.diverged.as_ref())?;
    let f = &p.surface;
    let label = (g.bottom.right() - 0.4 * f.font, guide - 0.3 * f.small());
    p.text("10⁻³", label, f.small(), MUTED, (HPos::Right, VPos::Bottom))
}

/// The record nearest to pixel column `x`.
fn nearest(g: &Geometry, history: &History, x: f64) -> Option<usize> {
    let step = g.steps.value(x);
    let i = history.steps.partition_point(|s| (*s as f64) < step);
    [
        i.saturating_sub(1),
        i.min(history.steps.len().saturating_sub(1)),
    ]
    .into_iter()
    .filter(|i| *i < history.steps.len())
    .min_by(|a, b| {
        let d = |i: usize| (history.steps[i] as f64 - step).abs();
        d(*a).total_cmp(&d(*b))
    })
}

/// Hover: the step's loss and accuracy, or the nearest layer's ratio.
pub(super) fn describe(surface: &Surface, x: f64, y: f64, stats: &Stats) -> String {
    let g = geometry(surface, stats);
    let history = &stats.history;
    let in_top = g.top.contains(x, y);
    if !(in_top || g.bottom.contains(x, y)) {
        return String::new();
    }
    let Some(i) = nearest(&g, history, x) else {
        return tr("charts.no_steps").into();
    };
    let step = history.steps[i];
    if in_top {
        let at = |series: &[f32]| series.get(i).map_or(f64::NAN, |v| *v as f64);
        let (loss, accuracy) = (at(&history.loss), at(&history.accuracy));
        let test = &history.test;
        // The evaluation at or before this step.
        let held = test.steps.partition_point(|s| *s <= step).checked_sub(1);
        let held = held.map_or(String::new(), |j| {
            let at = |series: &[f32]| series.get(j).map_or(f64::NAN, |v| *v as f64);
            let held = trf(
                "charts.heldout_readout",
                &[
                    ("step", &test.steps[j]),
                    ("loss", &format_sig(at(&test.loss), 3)),
                    ("accuracy", &percent(at(&test.accuracy))),
                ],
            );
            format!(" · {held}")
        });
        let batch = trf(
            "charts.batch_readout",
            &[
                ("step", &step),
                ("loss", &format_sig(loss, 3)),
                ("accuracy", &percent(accuracy)),
            ],
        );
        return batch + &held;
    }
    let target = g.ratio.value(y);
    let closest = history
        .update_ratio
        .iter()
        .enumerate()
        .filter_map(|(l, series)| series.get(i).map(|v| (l + 1, *v as f64)))
        .filter(|(_, v)| v.is_finite() && *v > 0.0)
        .min_by(|a, b| {
            (a.1.log10() - target)
                .abs()
                .total_cmp(&(b.1.log10() - target).abs())
        });
    match closest {
        Some((layer, ratio)) => trf(
            "charts.ratio_readout",
            &[
                ("step", &step),
                ("layer", &layer),
                ("ratio", &format_sig(ratio, 2)),
            ],
        ),
        None => trf("charts.no_ratio", &[("step", &step)]),
    }
}
