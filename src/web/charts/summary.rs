//! Per-layer summary: the std of the activations h and of the gradients dL/dh
//! of every hidden layer on a log axis (top), and below it the share of
//! saturated outputs (tanh: |h| > 0.97; sigmoid: outside 0.03..0.97) or of dead
//! units (ReLU, leaky ReLU: input <= 0 for every sample of the batch).
//!
//! How to read it: flat lines across depth mean signal and gradient both
//! propagate; a line falling by decades is vanishing, rising is exploding.
//! The bars show where the nonlinearity stops passing gradient. Std is over
//! the finite values; a std of exactly 0 cannot sit on a log axis and is
//! reported in words instead.

use plotters::style::text_anchor::{HPos, VPos};
use web_sys::HtmlCanvasElement;

use super::axes::Side;
use super::colour::{Rgb, BACKGROUND, BLUE, GREEN, INK, MUTED, VERMILLION};
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::{Painter, Res};
use super::ticks::{decade_ticks, format_sig, integer_ticks, ordinal, percent, widest, Tick};
use crate::core::config::{Activation, Config};
use crate::core::stats::{LayerStats, Stats};

const TITLE: &str = "Per-layer summary";

/// The two std series: label, colour and which value.
/// A per-layer value.
type Pick<T> = fn(&LayerStats) -> T;

/// std over the finite values; None when a layer has none.
const SERIES: [(&str, Rgb, Pick<Option<f32>>); 2] = [
    ("std h", BLUE, |s| {
        (s.out.count > s.out.nonfinite).then_some(s.out.std)
    }),
    ("std dL/dh", VERMILLION, |s| {
        (s.grad.count > s.grad.nonfinite).then_some(s.grad.std)
    }),
];

/// The share shown in the lower panel: axis label, caption and value.
fn share(activation: Activation) -> Option<(&'static str, &'static str, Pick<Option<f32>>)> {
    match activation {
        Activation::Tanh => Some(("saturated", "saturated: |tanh| > 0.97", |s| s.saturated)),
        Activation::Sigmoid => Some(("saturated", "saturated: sigmoid outside 0.03..0.97", |s| {
            s.saturated
        })),
        Activation::Relu | Activation::LeakyRelu => {
            Some(("dead", "dead: input ≤ 0 for the whole batch", |s| s.dead))
        }
        _ => None,
    }
}

fn keys(activation: Activation) -> Vec<Key<'static>> {
    let mut keys: Vec<Key> = SERIES
        .iter()
        .map(|(label, colour, _)| Key::new(label, *colour, Mark::Line))
        .collect();
    if let Some((label, _, _)) = share(activation) {
        keys.push(Key::new(label, GREEN, Mark::Block));
    }
    keys
}

struct Geometry {
    std_plot: Rect,
    share_plot: Rect,
    layers: Axis,
    std_axis: Axis,
    share_axis: Axis,
    layer_ticks: Vec<Tick>,
    std_ticks: Vec<Tick>,
    share_ticks: Vec<Tick>,
    extra: f64,
}

/// The whole decades covering every finite, positive std.
fn std_range(stats: &Stats) -> Option<(f64, f64)> {
    let logs = stats
        .layers
        .iter()
        .flat_map(|s| SERIES.iter().filter_map(move |(_, _, pick)| pick(s)));
    let (lo, hi) = logs
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(|v| (v as f64).log10())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    // Whole decades, with room for the dots at the extremes.
    let (lo, hi) = ((lo - 0.1).floor(), (hi + 0.1).ceil());
    Some((lo, hi))
}

fn geometry(surface: &Surface, config: &Config, stats: &Stats) -> Geometry {
    let depth = stats.layers.len().max(1);
    let extra = surface.legend_extra(TITLE, &keys(config.activation));
    let (lo, hi) = std_range(stats).unwrap_or((-3.0, 1.0));
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let std_ticks = decade_ticks(lo, hi, surface.tick_room(inner * 0.62, 0, true));
    let share_ticks = vec![
        Tick {
            at: 0.0,
            label: "0%".into(),
        },
        Tick {
            at: 1.0,
            label: "100%".into(),
        },
    ];
    let chrome = surface.chrome(extra, widest(&std_ticks).max(4), Right::Margin);
    let (std_plot, share_plot) = chrome.plot.split(0.64, 0.8 * surface.font);
    Geometry {
        std_plot,
        share_plot,
        layers: Axis::horizontal(0.5, depth as f64 + 0.5, &chrome.plot),
        std_axis: Axis::vertical(lo, hi, &std_plot),
        share_axis: Axis::vertical(0.0, 1.0, &share_plot),
        layer_ticks: integer_ticks(1, depth as i64, surface.tick_room(chrome.plot.w, 2, false)),
        std_ticks,
        share_ticks,
        extra,
    }
}

/// Draws the per-layer std and saturated/dead share into `canvas`.
pub fn draw_summary(
    canvas: &HtmlCanvasElement,
    config: &Config,
    stats: &Stats,
) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let g = geometry(&p.surface, config, stats);
    p.title(TITLE)?;
    p.legend(&keys(config.activation), g.extra)?;
    p.grid(&g.std_plot, None, Some((&g.std_axis, &g.std_ticks)))?;
    p.grid(
        &g.share_plot,
        None,
        Some((
            &g.share_axis,
            &[Tick {
                at: 0.5,
                label: String::new(),
            }],
        )),
    )?;
    draw_std(&p, &g, stats)?;
    let share_label = match share(config.activation) {
        Some((label, caption, pick)) => {
            draw_share(&p, &g, stats, caption, pick)?;
            label
        }
        None => {
            let text = format!(
                "{}: no saturated or dead share (defined for tanh, sigmoid, relu, leaky_relu)",
                config.activation.name()
            );
            p.note(&g.share_plot, &text, MUTED)?;
            "share"
        }
    };
    p.x_axis(&g.share_plot, &g.layers, &g.layer_ticks, "hidden layer")?;
    p.y_axis(
        &g.std_plot,
        &g.std_axis,
        &g.std_ticks,
        "std (log)",
        Side::Left,
        INK,
    )?;
    p.y_axis(
        &g.share_plot,
        &g.share_axis,
        &g.share_ticks,
        share_label,
        Side::Left,
        INK,
    )?;
    p.border(&g.std_plot)?;
    p.border(&g.share_plot)?;
    if stats.nonfinite > 0 {
        p.alarm(
            &g.std_plot,
            &format!(
                "{} non-finite (std over the finite values)",
                stats.nonfinite
            ),
        )?;
    }
    Ok(())
}

fn draw_std(p: &Painter, g: &Geometry, stats: &Stats) -> Res {
    let depth = stats.layers.len();
    let mut zero = Vec::new();
    for (label, colour, pick) in SERIES {
        let points: Vec<(f64, f64)> = stats
            .layers
            .iter()
            .filter_map(|s| Some((s.layer as f64, pick(s)? as f64)))
            .filter(|(_, v)| v.is_finite() && *v > 0.0)
            .map(|(l, v)| (g.layers.px(l), g.std_axis.px(v.log10())))
            .collect();
        p.clipped(&g.std_plot, |p| {
            p.line(&points, colour, 1.0, 2.0)?;
            let radius = if depth <= 32 { 3.0 } else { 1.8 };
            p.dots(points.iter().copied(), radius, colour, Some(BACKGROUND))
        })?;
        let zeros = stats.layers.iter().filter(|s| pick(s) == Some(0.0)).count();
        if zeros > 0 {
            zero.push(format!("{label} = 0 in {zeros} of {depth} layers"));
        }
    }
    if !zero.is_empty() {
        let f = &p.surface;
        let at = (
            g.std_plot.right() - 0.5 * f.font,
            g.std_plot.bottom() - 0.8 * f.small(),
        );
        p.text(
            &zero.join("; "),
            at,
            f.small(),
            MUTED,
            (HPos::Right, VPos::Center),
        )?;
    }
    Ok(())
}

fn draw_share(
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
        let top = g.share_axis.px(v.clamp(0.0, 1.0) as f64);
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

/// Hover: the layer's two stds and its share.
pub(super) fn describe(
    surface: &Surface,
    x: f64,
    y: f64,
    config: &Config,
    stats: &Stats,
) -> String {
    let g = geometry(surface, config, stats);
    if !(g.std_plot.contains(x, y) || g.share_plot.contains(x, y)) || stats.layers.is_empty() {
        return String::new();
    }
    let layer = ordinal(g.layers.value(x), stats.layers.len());
    let Some(s) = stats.layers.get(layer - 1) else {
        return String::new();
    };
    let mut text = format!("layer {layer}");
    for (label, _, pick) in SERIES {
        let std = pick(s).map_or("(no finite values)".into(), |v| format_sig(v as f64, 3));
        text += &format!(" · {label} {std}");
    }
    if let Some((label, _, pick)) = share(config.activation) {
        if let Some(v) = pick(s) {
            text += &format!(" · {label} {}", percent(v as f64));
        }
    }
    text
}
