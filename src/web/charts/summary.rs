//! Per-layer summary, in three panels over the hidden layers:
//! - top, on a log axis: the std of the activations h and of the gradients
//!   dL/dh (pooled over batch x width), and dashed beside the std of h the
//!   spread across samples (mean over units of each unit's std over the batch);
//! - middle, 0..1: the mean cosine between samples' rows of h (at least
//!   -1/(batch - 1): the strip reaches below 0 when a small batch goes there);
//! - bottom: the share of saturated outputs (tanh: |h| > 0.97; sigmoid: outside
//!   0.03..0.97) or of dead units (ReLU, leaky ReLU: input <= 0 for every sample).
//!
//! How to read it: the pooled std can stay flat while the input-dependent part
//! vanishes, since it also counts the spread across units (the biases). The
//! spread across samples falling by decades with the cosine near 1 is a
//! collapsed representation: every input maps to nearly the same h. A std line
//! falling by decades is a vanishing signal or gradient, rising is exploding.
//! Std is over the finite values; a value of exactly 0 cannot sit on a log axis
//! and is reported in words instead.

mod log_panel;
mod strips;
mod theory;

use web_sys::HtmlCanvasElement;

use super::axes::Side;
use super::colour::{GREEN, INK, MUTED};
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::Painter;
use super::ticks::{decade_ticks, format_sig, integer_ticks, ordinal, percent, widest, Tick};
use crate::core::config::{Activation, Config};
use crate::core::stats::{LayerStats, Stats};
use crate::web::i18n::{tr, trf};

const TITLE: &str = "charts.summary_title";
const COSINE: &str = "charts.cosine_long";
/// Room beyond the cosine strip's range for the dots at its ends.
const COSINE_PAD: f64 = 0.12;

/// A per-layer value.
type Pick<T> = fn(&LayerStats) -> T;

/// The log panel's keys, and those of the two strips when all fit on one line
/// (the strips name themselves in a caption either way).
fn keys(surface: &Surface, activation: Activation, with_theory: bool) -> Vec<Key<'static>> {
    let mut keys: Vec<Key> = log_panel::SERIES
        .iter()
        .map(|series| Key::new(tr(series.label), series.colour, series.mark))
        .collect();
    let mut all = keys.clone();
    all.push(Key::new(tr(COSINE), INK, Mark::Dot));
    if let Some((label, _, _)) = strips::share(activation) {
        all.push(Key::new(tr(label), GREEN, Mark::Block));
    }
    if surface.legend_width(&all) + 1.4 * surface.font <= surface.width {
        keys = all;
    }
    let key = Key::new(tr(theory::LABEL), theory::COLOUR, Mark::Dashed);
    if with_theory
        && surface.legend_width(&[&keys[..], &[key]].concat()) + 1.4 * surface.font <= surface.width
    {
        keys.push(key);
    }
    keys
}

struct Geometry {
    std_plot: Rect,
    cosine_plot: Rect,
    share_plot: Rect,
    layers: Axis,
    std_axis: Axis,
    unit_axes: [Axis; 2],
    layer_ticks: Vec<Tick>,
    std_ticks: Vec<Tick>,
    extra: f64,
}

/// The cosine strip's lower end: 0, or the lowest mean cosine (at least
/// -1/(batch - 1), so only small batches go far below 0).
fn cosine_floor(stats: &Stats) -> f64 {
    let lowest = stats.layers.iter().filter_map(|s| s.sample_cosine);
    lowest
        .filter(|v| v.is_finite())
        .fold(0.0f64, |lo, v| lo.min(v as f64))
        .max(-1.0)
}

/// Ticks at 0 and 1 of a strip, labelled as `zero` and `one`.
fn unit_ticks(zero: &str, one: &str) -> [Tick; 2] {
    [(0.0, zero), (1.0, one)].map(|(at, label)| Tick {
        at,
        label: label.into(),
    })
}

/// The cosine strip's ticks: 0 and 1, and its floor when a small batch takes
/// the mean cosine below 0 (down to -1 at batch 2).
fn cosine_ticks(stats: &Stats) -> Vec<Tick> {
    let mut ticks = unit_ticks("0", "1").to_vec();
    let floor = cosine_floor(stats);
    if floor < -0.25 {
        ticks.insert(
            0,
            Tick {
                at: floor,
                label: format_sig(floor, 2).replace('-', "\u{2212}"),
            },
        );
    }
    ticks
}

fn geometry(surface: &Surface, config: &Config, stats: &Stats) -> Geometry {
    let depth = stats.layers.len().max(1);
    let extra = surface.legend_extra(
        tr(TITLE),
        &keys(
            surface,
            config.activation,
            theory::predicted(stats).is_some(),
        ),
    );
    let (lo, hi) = log_panel::std_range(stats).unwrap_or((-3.0, 1.0));
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let std_ticks = decade_ticks(lo, hi, surface.tick_room(inner * 0.5, 0, true));
    let chrome = surface.chrome(extra, widest(&std_ticks).max(4), Right::Margin);
    let gap = 0.8 * surface.font;
    let (std_plot, strips) = chrome.plot.split(0.52, gap);
    let (cosine_plot, share_plot) = strips.split(0.5, gap);
    Geometry {
        std_plot,
        cosine_plot,
        share_plot,
        layers: Axis::horizontal(0.5, depth as f64 + 0.5, &chrome.plot),
        std_axis: Axis::vertical(lo, hi, &std_plot),
        unit_axes: [
            Axis::vertical(
                cosine_floor(stats) - COSINE_PAD,
                1.0 + COSINE_PAD,
                &cosine_plot,
            ),
            Axis::vertical(0.0, 1.0, &share_plot),
        ],
        layer_ticks: integer_ticks(1, depth as i64, surface.tick_room(chrome.plot.w, 2, false)),
        std_ticks,
        extra,
    }
}

/// Draws the per-layer stds, spread, cosine and saturated/dead share into `canvas`.
pub fn draw_summary(
    canvas: &HtmlCanvasElement,
    config: &Config,
    stats: &Stats,
) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let g = geometry(&p.surface, config, stats);
    p.title(tr(TITLE))?;
    p.legend(
        &keys(
            &p.surface,
            config.activation,
            theory::predicted(stats).is_some(),
        ),
        g.extra,
    )?;
    p.grid(&g.std_plot, None, Some((&g.std_axis, &g.std_ticks)))?;
    let middle = [Tick {
        at: 0.5,
        label: String::new(),
    }];
    for (plot, axis) in [g.cosine_plot, g.share_plot].iter().zip(&g.unit_axes) {
        p.grid(plot, None, Some((axis, &middle)))?;
    }
    theory::draw(&p, &g, stats)?;
    log_panel::draw_std(&p, &g, stats)?;
    strips::draw_cosine(&p, &g, config, stats)?;
    let share_label = match strips::share(config.activation) {
        Some((label, caption, pick)) => {
            strips::draw_share(&p, &g, stats, tr(caption), pick)?;
            tr(label)
        }
        None => {
            let activation = config.activation.name();
            let text = trf("charts.no_share", &[("activation", &activation)]);
            p.note(&g.share_plot, &text, MUTED)?;
            tr("charts.share")
        }
    };
    p.x_axis(
        &g.share_plot,
        &g.layers,
        &g.layer_ticks,
        tr("charts.hidden_layer"),
    )?;
    let axes = [
        (
            &g.std_plot,
            &g.std_axis,
            &g.std_ticks[..],
            tr("charts.std_log"),
        ),
        (
            &g.cosine_plot,
            &g.unit_axes[0],
            &cosine_ticks(stats),
            tr("charts.cosine"),
        ),
        (
            &g.share_plot,
            &g.unit_axes[1],
            &unit_ticks("0%", "100%"),
            share_label,
        ),
    ];
    for (plot, axis, ticks, label) in axes {
        p.y_axis(plot, axis, ticks, label, Side::Left, INK)?;
        p.border(plot)?;
    }
    if stats.nonfinite > 0 {
        p.alarm(
            &g.std_plot,
            &trf("charts.nonfinite_std", &[("count", &stats.nonfinite)]),
        )?;
    }
    Ok(())
}

/// Hover: the layer's stds, spread across samples, mean cosine and share.
pub(super) fn describe(
    surface: &Surface,
    x: f64,
    y: f64,
    config: &Config,
    stats: &Stats,
) -> String {
    let g = geometry(surface, config, stats);
    let plots = [g.std_plot, g.cosine_plot, g.share_plot];
    if !plots.iter().any(|plot| plot.contains(x, y)) || stats.layers.is_empty() {
        return String::new();
    }
    let layer = ordinal(g.layers.value(x), stats.layers.len());
    let Some(s) = stats.layers.get(layer - 1) else {
        return String::new();
    };
    let mut text = trf("charts.layer_n", &[("layer", &layer)]);
    // Why a measure across samples is missing: one sample, or no finite or
    // nonzero rows to compare.
    let across = tr(match config.batch {
        1 => "charts.needs_two",
        _ => "charts.no_two_samples",
    });
    for series in log_panel::SERIES {
        let missing = match series.missing {
            log_panel::ACROSS => across,
            other => tr(other),
        };
        let value = (series.value)(s).map_or(missing.into(), |v| format_sig(v as f64, 3));
        text += &format!(" · {} {value}", tr(series.label));
    }
    let cosine = s.sample_cosine.map_or(across.into(), |v| {
        format!("{v:.4}").replace('-', "\u{2212}")
    });
    text += &format!(" · {} {cosine}", tr(COSINE));
    if let Some((h, grad)) = theory::values(stats).get(layer - 1) {
        let h = format_sig(*h as f64, 3);
        text += &format!(" · {}", trf("charts.meanfield_h", &[("h", &h)]));
        if let Some(grad) = grad {
            let grad = format_sig(*grad as f64, 3);
            text += &trf("charts.meanfield_grad", &[("grad", &grad)]);
        }
    }
    if let Some((label, _, pick)) = strips::share(config.activation) {
        if let Some(v) = pick(s) {
            text += &format!(" · {} {}", tr(label), percent(v as f64));
        }
    }
    text
}
