//! What the activation and gradient charts share: one histogram per hidden
//! layer over a range shared by all layers, drawn either as a heatmap (layer on
//! x, value on y, colour = density relative to that layer's fullest bin, on a
//! square-root scale so thin tails stay visible) with the mean and mean ± std
//! overlaid, or as a ridgeline of stacked histograms (layer 1 on top).
//!
//! On a symlog axis the histogram and the overlay live in transformed units
//! `t = sign(v) log10(1 + |v|/c)`; ticks and hover text are in real values.
//! Non-finite values are not in any bin; their count is printed in red on the
//! plot and the layers holding them are marked.
//!
//! In a comparison the value axis is shared (`shared`, `value_axis.rs`): the
//! range and symlog threshold of A and B together, so that equal pixels mean
//! equal values on both sides.

use super::axes::Side;
use super::colour::{self, INK};
use super::density;
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::{Painter, Res};
use super::ticks::{
    format_short, format_sig, integer_ticks, linear_ticks, ordinal, percent, symlog_ticks, widest,
    Tick,
};
pub use super::value_axis::SharedAxis;
use super::View;
use crate::core::stats::{Histogram, LayerStats, Summary};
use crate::web::i18n::{tr, trf};

/// One quantity's per-layer distributions.
pub struct Distribution<'a> {
    pub title: &'a str,
    /// Axis and hover name of the quantity, e.g. "h" or "dL/dh".
    pub symbol: &'a str,
    /// The value axis label, e.g. "layer output h".
    pub axis: &'a str,
    pub layers: &'a [LayerStats],
    pub summary: fn(&LayerStats) -> &Summary,
    /// The histogram shown (the summary's own, or the symlog one).
    pub histogram: fn(&LayerStats) -> &Histogram,
    pub symlog: bool,
    /// The value axis shared with another chart (a comparison), or None.
    pub shared: Option<SharedAxis>,
}

impl Distribution<'_> {
    pub(super) fn count(&self, layer: &LayerStats, bin: usize) -> u32 {
        if !self.binned() {
            return 0;
        }
        (self.histogram)(layer)
            .counts
            .get(bin)
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn peak(&self, layer: &LayerStats) -> u32 {
        if !self.binned() {
            return 0;
        }
        (self.histogram)(layer)
            .counts
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
    }
}

/// The legend: mean and +- std (no mean on symlog, where it is a meaningless
/// speck near 0).
fn keys(d: &Distribution, view: View) -> Vec<Key<'static>> {
    let (mean, std) = (tr("charts.mean"), tr("charts.plus_minus_std"));
    let keys = match view {
        View::Heatmap => [
            Key::new(mean, INK, Mark::Halo),
            Key::new(std, INK, Mark::HaloDashed),
        ],
        View::Histograms => [
            Key::new(mean, INK, Mark::Dot),
            Key::new(std, INK, Mark::Line),
        ],
    };
    keys[usize::from(d.symlog)..].to_vec()
}

/// Where everything goes, for drawing and for hover.
pub(super) struct Geometry {
    pub(super) plot: Rect,
    pub(super) bar: Rect,
    pub(super) layers: Axis,
    pub(super) values: Axis,
    pub(super) layer_ticks: Vec<Tick>,
    pub(super) value_ticks: Vec<Tick>,
    pub(super) depth: usize,
    /// Ridge height in rows (histograms view).
    pub(super) overlap: f64,
    /// Height of the legend line under the title (0 when on the title line).
    pub(super) extra: f64,
}

fn geometry(surface: &Surface, d: &Distribution, view: View) -> Geometry {
    let depth = d.layers.len().max(1);
    let (lo, hi) = d.range();
    let value_ticks = |count: usize| {
        if d.symlog {
            symlog_ticks(d.linthresh(), hi, count, |v| d.to_axis(v))
        } else {
            linear_ticks(lo, hi, count)
        }
    };
    let extra = surface.legend_extra(d.title, &keys(d, view));
    let inner_height = surface.height - surface.top() - extra - surface.bottom();
    match view {
        View::Heatmap => {
            let value_ticks = value_ticks(surface.tick_room(inner_height, 0, true));
            let chrome = surface.chrome(extra, widest(&value_ticks), Right::ColourBar(4));
            let plot = chrome.plot;
            let layer_ticks = integer_ticks(1, depth as i64, surface.tick_room(plot.w, 2, false));
            Geometry {
                plot,
                bar: chrome.bar,
                layers: Axis::horizontal(0.5, depth as f64 + 0.5, &plot),
                values: Axis::vertical(lo, hi, &plot),
                layer_ticks,
                value_ticks,
                depth,
                overlap: 1.0,
                extra,
            }
        }
        View::Histograms => {
            let layer_ticks =
                integer_ticks(1, depth as i64, surface.tick_room(inner_height, 0, true));
            let plot = surface
                .chrome(extra, widest(&layer_ticks), Right::Margin)
                .plot;
            let value_ticks = value_ticks(surface.tick_room(plot.w, 6, false));
            let overlap = if depth <= 3 { 0.9 } else { 1.8 };
            // Layer l's baseline at l, layer 1 on top with room for its ridge.
            let layers = Axis {
                lo: 1.0 - overlap - 0.1,
                hi: depth as f64 + 0.3,
                from: plot.y,
                to: plot.bottom(),
            };
            Geometry {
                plot,
                bar: Rect::default(),
                layers,
                values: Axis::horizontal(lo, hi, &plot),
                layer_ticks,
                value_ticks,
                depth,
                overlap,
                extra,
            }
        }
    }
}

/// Draws the chart; the caller owns the painter.
pub fn draw(p: &Painter, d: &Distribution, view: View) -> Res {
    let g = geometry(&p.surface, d, view);
    p.title(d.title)?;
    p.legend(&keys(d, view), g.extra)?;
    let value_label = if d.symlog {
        let linthresh = format_sig(d.linthresh(), 2);
        trf(
            "charts.symlog_axis",
            &[("axis", &d.axis), ("linthresh", &linthresh)],
        )
    } else {
        d.axis.to_string()
    };
    match view {
        View::Heatmap => {
            density::paint_heatmap(p, &g, d)?;
            p.x_axis(
                &g.plot,
                &g.layers,
                &g.layer_ticks,
                tr("charts.hidden_layer"),
            )?;
            p.y_axis(
                &g.plot,
                &g.values,
                &g.value_ticks,
                &value_label,
                Side::Left,
                INK,
            )?;
            let shares = [0.0, 0.1, 0.25, 0.5, 1.0];
            let ticks: Vec<Tick> = shares
                .iter()
                .filter(|s| g.bar.h > p.surface.px(150.0) || **s != 0.25)
                .map(|s: &f64| Tick {
                    at: s.sqrt(),
                    label: format_short(*s),
                })
                .collect();
            let bar_axis = Axis::vertical(0.0, 1.0, &g.bar);
            let label = tr("charts.density_peak");
            p.colour_bar(&g.bar, colour::density, &bar_axis, &ticks, label)?;
        }
        View::Histograms => {
            p.grid(&g.plot, Some((&g.values, &g.value_ticks)), None)?;
            p.clipped(&g.plot, |p| density::paint_ridges(p, &g, d))?;
            p.x_axis(&g.plot, &g.values, &g.value_ticks, &value_label)?;
            p.y_axis(
                &g.plot,
                &g.layers,
                &g.layer_ticks,
                tr("charts.hidden_layer"),
                Side::Left,
                INK,
            )?;
        }
    }
    p.border(&g.plot)?;
    density::paint_nonfinite(p, &g, d, view)
}

/// Hover text: layer, the bin's value range and its share of the layer's values.
pub fn describe(surface: &Surface, x: f64, y: f64, d: &Distribution, view: View) -> String {
    let g = geometry(surface, d, view);
    if !g.plot.contains(x, y) || d.layers.is_empty() {
        return String::new();
    }
    let (layer_px, value_px) = match view {
        View::Heatmap => (x, y),
        View::Histograms => (y, x),
    };
    let position = g.layers.value(layer_px);
    // A ridge rises above its baseline at l: the row above l belongs to layer l.
    let position = match view {
        View::Heatmap => position.round(),
        View::Histograms => (position - 1e-9).ceil(),
    };
    let layer = ordinal(position, g.depth);
    let Some(s) = d.layers.get(layer - 1) else {
        return String::new();
    };
    let summary = (d.summary)(s);
    let value = g.values.value(value_px);
    let finite = summary.count - summary.nonfinite;
    let (low, high, share) = match d.bin_at(value) {
        Some(bin) if d.shared.is_some() => {
            (d.edge_real(bin), d.edge_real(bin + 1), d.count(s, bin))
        }
        Some(bin) => (
            d.to_real(d.edge(bin)),
            d.to_real(d.edge(bin + 1)),
            d.count(s, bin),
        ),
        // Beyond this side's own range on a shared axis: no values there.
        None => (d.to_real(value), d.to_real(value), 0),
    };
    let share = if finite > 0 {
        share as f64 / finite as f64
    } else {
        0.0
    };
    let values = match low == high {
        true => trf(
            "charts.dist_none",
            &[("symbol", &d.symbol), ("value", &format_sig(low, 3))],
        ),
        false => trf(
            "charts.dist_bin",
            &[
                ("symbol", &d.symbol),
                ("low", &format_sig(low, 3)),
                ("high", &format_sig(high, 3)),
                ("share", &percent(share)),
            ],
        ),
    };
    let (mean, std) = (summary.mean as f64, summary.std as f64);
    let mut text = trf(
        "charts.dist_readout",
        &[
            ("layer", &layer),
            ("values", &values),
            ("mean", &format_sig(mean, 3)),
            ("std", &format_sig(std, 3)),
        ],
    );
    if summary.nonfinite > 0 {
        let count = summary.nonfinite;
        text += &format!(" · {}", trf("charts.n_nonfinite", &[("count", &count)]));
    }
    text
}
