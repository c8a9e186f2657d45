//! Distribution over time: one hidden layer's `pre` (a), `out` (h) or `grad`
//! (dL/dh) over the training steps, as TensorBoard draws distributions:
//! nested shaded bands between the 0th and 100th, 7th and 93rd, 16th and
//! 84th, 31st and 69th percentiles, and the median as a line (the core's
//! `timeline.rs` records them for every layer after every step, thinned).
//!
//! How to read it: a band that drifts or widens means that layer's input
//! distribution is moving while the layers after it learn (Ioffe & Szegedy's
//! "internal covariate shift", their Figure 1); a steady band, a stable one.
//! Records with no finite value break the bands and show as grey columns; a
//! red alarm names the divergence. The value axis spans the finite 0th to 100th percentiles.

use web_sys::HtmlCanvasElement;

use super::colour::{BLUE, MUTED, NO_DATA};
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::{Painter, Res};
use super::ticks::{format_sig, integer_ticks, linear_ticks, widest, Tick};
use crate::core::stats::Stats;
use crate::core::timeline::{Band, Timeline, TENSORS};
use crate::web::i18n::{tr, trf};

fn keys() -> [Key<'static>; 2] {
    [
        Key::new(tr("charts.median"), BLUE, Mark::Line),
        Key::new(tr("charts.bands"), BLUE, Mark::Block),
    ]
}
/// Band index pairs (low, high) into the core's `PERCENTILES`, outermost first.
const BANDS: [(usize, usize); 4] = [(0, 8), (1, 7), (2, 6), (3, 5)];
const MEDIAN: usize = 4;

/// What each tensor is, for the title and the axis.
fn tensor_name(tensor: usize) -> &'static str {
    tr([
        "charts.tensor_pre",
        "charts.tensor_out",
        "charts.tensor_grad",
    ][tensor.min(2)])
}

struct Geometry {
    plot: Rect,
    steps: Axis,
    values: Axis,
    step_ticks: Vec<Tick>,
    value_ticks: Vec<Tick>,
    extra: f64,
    title: String,
}

/// The records of `layer` (1-based, clamped) and `tensor` (index of `TENSORS`).
fn series(timeline: &Timeline, layer: usize, tensor: usize) -> &[Band] {
    let layers = timeline.bands.len();
    match layers {
        0 => &[],
        _ => &timeline.bands[layer.clamp(1, layers) - 1][tensor.min(TENSORS.len() - 1)],
    }
}

/// The value axis of `layer`'s `tensor` on its own: the recorded extremes,
/// padded by 4% (a flat series by 10% of its value); None with none finite
/// (the chart then shows -1..1).
pub(super) fn own_range(stats: &Stats, layer: usize, tensor: usize) -> Option<(f64, f64)> {
    let layer = layer.clamp(1, stats.layers.len().max(1));
    let finite = series(&stats.history.timeline, layer, tensor)
        .iter()
        .flat_map(|band| [band[0], band[8]])
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v as f64), hi.max(v as f64))
    });
    match (lo.is_finite() && hi.is_finite(), hi - lo) {
        (false, _) => None,
        (true, span) if span <= 1e-12 * lo.abs().max(hi.abs()).max(1e-30) => {
            let pad = (lo.abs() * 0.1).max(1e-6);
            Some((lo - pad, hi + pad))
        }
        (true, span) => Some((lo - 0.04 * span, hi + 0.04 * span)),
    }
}

/// The layout; `shared`: a comparison's value axis (the union of A's and
/// B's [`own_range`]) in place of the chart's own.
fn geometry(
    surface: &Surface,
    stats: &Stats,
    (layer, tensor): (usize, usize),
    shared: Option<(f64, f64)>,
) -> Geometry {
    let timeline = &stats.history.timeline;
    let layer = layer.clamp(1, stats.layers.len().max(1));
    let title = trf(
        "charts.overtime_title",
        &[("layer", &layer), ("tensor", &tensor_name(tensor))],
    );
    let extra = surface.legend_extra(&title, &keys());
    let (lo, hi) = shared
        .or_else(|| own_range(stats, layer, tensor))
        .unwrap_or((-1.0, 1.0));
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let value_ticks = linear_ticks(lo, hi, surface.tick_room(inner, 0, true));
    let chrome = surface.chrome(extra, widest(&value_ticks), Right::Margin);
    let plot = chrome.plot;
    let last = timeline.steps.last().copied().unwrap_or(0).max(1);
    Geometry {
        steps: Axis::horizontal(0.0, last as f64, &plot),
        values: Axis::vertical(lo, hi, &plot),
        step_ticks: integer_ticks(
            0,
            last as i64,
            surface.tick_room(plot.w, last.to_string().len(), false),
        ),
        value_ticks,
        plot,
        extra,
        title,
    }
}

/// Draws the percentile bands of hidden layer `layer` (1-based) and tensor
/// `tensor` (0 pre, 1 out, 2 grad) over the recorded steps, on the value
/// axis `shared` if given (a comparison's), else the series' own.
pub fn draw_over_time(
    canvas: &HtmlCanvasElement,
    stats: &Stats,
    (layer, tensor): (usize, usize),
    shared: Option<(f64, f64)>,
) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let g = geometry(&p.surface, stats, (layer, tensor), shared);
    let timeline = &stats.history.timeline;
    let records = series(timeline, layer, tensor);
    p.title(&g.title)?;
    p.legend(&keys(), g.extra)?;
    p.grid(&g.plot, None, Some((&g.values, &g.value_ticks)))?;
    if records.is_empty() {
        p.note(&g.plot, tr("charts.no_steps_press"), MUTED)?;
    } else {
        p.clipped(&g.plot, |p| draw_bands(p, &g, &timeline.steps, records))?;
    }
    p.x_axis(&g.plot, &g.steps, &g.step_ticks, tr("charts.training_step"))?;
    p.y_axis(
        &g.plot,
        &g.values,
        &g.value_ticks,
        ["a", "h", "dL/dh"][tensor.min(2)],
        super::axes::Side::Left,
        super::colour::INK,
    )?;
    p.border(&g.plot)?;
    p.divergence(&g.plot, stats.diverged.as_ref())
}

/// The bands and the median, in runs of records whose band is finite, about
/// one point per two CSS pixels.
fn draw_bands(p: &Painter, g: &Geometry, steps: &[u64], records: &[Band]) -> Res {
    let every = ((records.len() as f64 / (g.plot.w / (2.0 * p.surface.scale)).max(1.0)).ceil()
        as usize)
        .max(1);
    let last = records.len() - 1;
    let picked: Vec<(f64, &Band)> = steps
        .iter()
        .zip(records)
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i == last)
        .map(|(_, (s, b))| (g.steps.px(*s as f64), b))
        .collect();
    // Records with no finite value: a grey column, so a blow-up shows where it began.
    let gap = (2.5 * p.surface.scale).max(1.0);
    for (x, _) in picked
        .iter()
        .filter(|(_, b)| b.iter().any(|v| !v.is_finite()))
    {
        let column = Rect {
            x: x - gap,
            w: 2.0 * gap,
            ..g.plot
        };
        p.fill(&column, NO_DATA, 0.9)?;
    }
    for run in picked.split(|(_, band)| band.iter().any(|v| !v.is_finite())) {
        // A lone record is a column a few pixels wide with a dot for its median.
        let widen = |x: f64, side: f64| if run.len() == 1 { x + side * gap } else { x };
        for (low, high) in BANDS {
            let mut outline: Vec<(f64, f64)> = run
                .iter()
                .map(|(x, b)| (widen(*x, -1.0), g.values.px(b[high] as f64)))
                .collect();
            outline.extend(
                run.iter()
                    .rev()
                    .map(|(x, b)| (widen(*x, 1.0), g.values.px(b[low] as f64))),
            );
            p.polygon(&outline, BLUE, 0.17)?;
        }
        let median: Vec<(f64, f64)> = run
            .iter()
            .map(|(x, b)| (*x, g.values.px(b[MEDIAN] as f64)))
            .collect();
        match median.len() {
            1 => p.dots(median.iter().copied(), 2.5, BLUE, None)?,
            _ => p.line(&median, BLUE, 1.0, 1.5)?,
        }
    }
    Ok(())
}

/// Hover: the nearest recorded step's percentiles.
pub(super) fn describe(
    surface: &Surface,
    x: f64,
    y: f64,
    stats: &Stats,
    (layer, tensor): (usize, usize),
    shared: Option<(f64, f64)>,
) -> String {
    let g = geometry(surface, stats, (layer, tensor), shared);
    if !g.plot.contains(x, y) {
        return String::new();
    }
    let timeline = &stats.history.timeline;
    let records = series(timeline, layer, tensor);
    if records.is_empty() {
        return tr("charts.no_steps").into();
    }
    let step = g.steps.value(x);
    let i = timeline.steps.partition_point(|s| (*s as f64) < step);
    let i = [i.saturating_sub(1), i.min(records.len() - 1)]
        .into_iter()
        .min_by(|a, b| {
            let d = |i: usize| (timeline.steps[i] as f64 - step).abs();
            d(*a).total_cmp(&d(*b))
        })
        .unwrap_or(0);
    let band = &records[i];
    let layer = layer.clamp(1, timeline.bands.len());
    let pct = |k: usize| format_sig(band[k] as f64, 3);
    trf(
        "charts.overtime_readout",
        &[
            ("step", &timeline.steps[i]),
            ("layer", &layer),
            ("tensor", &["a", "h", "dL/dh"][tensor.min(2)]),
            ("median", &pct(MEDIAN)),
            ("p16", &pct(2)),
            ("p84", &pct(6)),
            ("p0", &pct(0)),
            ("p100", &pct(8)),
        ],
    )
}
