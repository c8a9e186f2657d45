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
//! In a comparison the value axis is shared (`shared`): the range and symlog
//! threshold of A and B together. Each side's own bins are then placed on that
//! axis by their real edges (rows outside its own range have no values), so
//! equal pixels mean equal values on both sides.

use super::axes::Side;
use super::colour::{self, INK};
use super::density;
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::{Painter, Res};
use super::ticks::{
    format_short, format_sig, integer_ticks, linear_ticks, ordinal, percent, symlog_ticks, widest,
    Tick,
};
use super::View;
use crate::core::stats::{Histogram, LayerStats, Summary, BINS};

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

/// A value axis shared by A and B: real range and symlog threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharedAxis {
    pub lo: f64,
    pub hi: f64,
    /// None: the chart's own.
    pub linthresh: Option<f64>,
}

impl Distribution<'_> {
    /// Whether the histograms have a usable range: finite, with a bin width
    /// that does not overflow f32 (else every value lands in one bin).
    pub(super) fn binned(&self) -> bool {
        let histogram = self.layers.first().map(self.histogram);
        histogram.is_some_and(|h| (h.hi - h.lo).is_finite() && h.hi > h.lo)
    }

    /// The histograms' own range, in their own units.
    fn own_range(&self) -> (f64, f64) {
        match self.layers.first().map(self.histogram) {
            Some(h) if self.binned() => (h.lo as f64, h.hi as f64),
            _ => (-1.0, 1.0),
        }
    }

    /// The histograms' own range in real values, and the symlog threshold on
    /// a symlog axis; None when they have no usable range.
    pub(super) fn real_range(&self) -> Option<Vec<f64>> {
        if !self.binned() {
            return None;
        }
        let range = vec![self.edge_real(0), self.edge_real(BINS)];
        match self.symlog {
            true => Some([range, vec![self.own_linthresh()]].concat()),
            false => Some(range),
        }
    }

    /// The range of the value axis, in axis units: the histograms' own, or
    /// the shared one.
    fn range(&self) -> (f64, f64) {
        match self.shared {
            Some(axis) if self.binned() => (self.to_axis(axis.lo), self.to_axis(axis.hi)),
            _ => self.own_range(),
        }
    }

    /// The histograms' own symlog threshold (0 when linear).
    fn own_linthresh(&self) -> f64 {
        self.layers
            .first()
            .map_or(0.0, |s| (self.histogram)(s).linthresh as f64)
    }

    /// The value axis's symlog threshold.
    fn linthresh(&self) -> f64 {
        self.shared
            .and_then(|axis| axis.linthresh)
            .unwrap_or_else(|| self.own_linthresh())
    }

    /// A real value in axis units.
    pub(super) fn to_axis(&self, v: f64) -> f64 {
        if self.symlog {
            Histogram::symlog(v as f32, self.linthresh() as f32) as f64
        } else {
            v
        }
    }

    /// Axis units back to a real value.
    fn to_real(&self, t: f64) -> f64 {
        if self.symlog {
            Histogram::symlog_inverse(t as f32, self.linthresh() as f32) as f64
        } else {
            t
        }
    }

    /// The real value of the histograms' own bin edge `b` (0..=BINS).
    fn edge_real(&self, b: usize) -> f64 {
        let (lo, hi) = self.own_range();
        let own = lo + (hi - lo) * b as f64 / BINS as f64;
        match self.symlog {
            true => Histogram::symlog_inverse(own as f32, self.own_linthresh() as f32) as f64,
            false => own,
        }
    }

    /// Bin edge `b` (0..=BINS) on the value axis, in axis units.
    pub(super) fn edge(&self, b: usize) -> f64 {
        let (lo, hi) = self.range();
        match self.shared {
            Some(_) => self.to_axis(self.edge_real(b)),
            None => lo + (hi - lo) * b as f64 / BINS as f64,
        }
    }

    /// The own bin at axis value `t`; None beyond the histograms' own range
    /// (only on a shared axis: else the nearest bin).
    pub(super) fn bin_at(&self, t: f64) -> Option<usize> {
        let (lo, hi) = self.own_range();
        let own = match (self.shared, self.symlog) {
            (None, _) => t,
            (Some(_), false) => t,
            (Some(_), true) => {
                let real = self.to_real(t) as f32;
                Histogram::symlog(real, self.own_linthresh() as f32) as f64
            }
        };
        let at = (own - lo) / (hi - lo) * BINS as f64;
        if self.shared.is_some() && !(0.0..=BINS as f64).contains(&at) {
            return None;
        }
        Some((at.floor().max(0.0) as usize).min(BINS - 1))
    }

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
fn keys(d: &Distribution, view: View) -> &'static [Key<'static>] {
    const HEATMAP: [Key; 2] = [
        Key::new("mean", INK, Mark::Halo),
        Key::new("± std", INK, Mark::HaloDashed),
    ];
    const RIDGES: [Key; 2] = [
        Key::new("mean", INK, Mark::Dot),
        Key::new("± std", INK, Mark::Line),
    ];
    let keys = match view {
        View::Heatmap => &HEATMAP,
        View::Histograms => &RIDGES,
    };
    if d.symlog {
        &keys[1..]
    } else {
        &keys[..]
    }
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
    let extra = surface.legend_extra(d.title, keys(d, view));
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
    p.legend(keys(d, view), g.extra)?;
    let value_label = if d.symlog {
        format!(
            "{}, symlog: linear in ±{}",
            d.axis,
            format_sig(d.linthresh(), 2)
        )
    } else {
        d.axis.to_string()
    };
    match view {
        View::Heatmap => {
            density::paint_heatmap(p, &g, d)?;
            p.x_axis(&g.plot, &g.layers, &g.layer_ticks, "hidden layer")?;
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
            p.colour_bar(&g.bar, colour::density, &bar_axis, &ticks, "density ÷ peak")?;
        }
        View::Histograms => {
            p.grid(&g.plot, Some((&g.values, &g.value_ticks)), None)?;
            p.clipped(&g.plot, |p| density::paint_ridges(p, &g, d))?;
            p.x_axis(&g.plot, &g.values, &g.value_ticks, &value_label)?;
            p.y_axis(
                &g.plot,
                &g.layers,
                &g.layer_ticks,
                "hidden layer",
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
        true => format!("{} {} · none of its values", d.symbol, format_sig(low, 3)),
        false => format!(
            "{} {}…{} · {} of values",
            d.symbol,
            format_sig(low, 3),
            format_sig(high, 3),
            percent(share)
        ),
    };
    let mut text = format!(
        "layer {layer} · {values} · mean {}, std {}",
        format_sig(summary.mean as f64, 3),
        format_sig(summary.std as f64, 3),
    );
    if summary.nonfinite > 0 {
        text += &format!(" · {} non-finite", summary.nonfinite);
    }
    text
}
