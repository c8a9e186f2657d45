//! The two pictures of per-layer histograms. Heatmap: one column per layer,
//! painted as pixels (bin colours computed once, pixel rows of one bin copied),
//! with the mean and mean ± std as haloed lines. Ridgeline: one filled
//! histogram per layer, layer 1 on top, its height the square root of the
//! count over the layer's peak (as the heatmap's colour, so a spike such as
//! ReLU's zeros does not flatten the rest), rising up to 1.8 rows over the
//! next, with a dot at the mean and a ± std whisker.

use super::colour::{self, Rgb, ALARM, BACKGROUND, INK};
use super::distribution::{Distribution, Geometry};
use super::layout::Rect;
use super::paint::{Painter, Res};
use super::ticks::ordinal;
use super::View;
use crate::core::stats::BINS;
use crate::web::i18n::trf;

/// Colours per layer in [`bin_colours`]: every bin, then "beyond the bins".
const STRIDE: usize = BINS + 1;

/// Relative density colour of every (layer, bin), row-major by layer, and of
/// no values (bin BINS: a shared axis beyond the layer's own range); grey for
/// a layer without any finite value.
fn bin_colours(d: &Distribution) -> Vec<Rgb> {
    let mut colours = Vec::with_capacity(d.layers.len() * STRIDE);
    for layer in d.layers {
        let peak = d.peak(layer) as f64;
        let summary = (d.summary)(layer);
        if summary.count == summary.nonfinite || !d.binned() {
            colours.extend([colour::NO_DATA; STRIDE]);
            continue;
        }
        colours.push(colour::density(0.0));
        let beyond = colours.len() - 1;
        for bin in 0..BINS {
            let share = if peak > 0.0 {
                d.count(layer, bin) as f64 / peak
            } else {
                0.0
            };
            colours.push(colour::density(share.sqrt()));
        }
        colours[beyond..].rotate_left(1);
    }
    colours
}

pub(super) fn paint_heatmap(p: &Painter, g: &Geometry, d: &Distribution) -> Res {
    const GAP: usize = usize::MAX;
    let colours = bin_colours(d);
    let column_width = g.plot.w / g.depth as f64;
    let (x0, y0) = (g.plot.x.round(), g.plot.y.round());
    let columns: Vec<usize> = (0..g.plot.w.round() as usize + 1)
        .map(|i| {
            let px = x0 + i as f64 + 0.5;
            let layer = ordinal(g.layers.value(px), g.depth) as f64;
            let edge = g.layers.px(layer - 0.5);
            if column_width >= p.surface.px(10.0) && (px - edge).abs() < 1.0 && layer > 1.0 {
                GAP
            } else {
                layer as usize - 1
            }
        })
        .collect();
    let rows: Vec<usize> = (0..g.plot.h.round() as usize + 1)
        .map(|j| {
            d.bin_at(g.values.value(y0 + j as f64 + 0.5))
                .unwrap_or(BINS)
        })
        .collect();
    p.image(&g.plot, |image| {
        image.fill_rows(&rows, |bin, c| match columns.get(c) {
            Some(&l) if l != GAP => colours.get(l * STRIDE + bin).copied().unwrap_or(BACKGROUND),
            _ => BACKGROUND,
        })
    })?;
    // Mean and mean +- std: one point per layer centre (a short bar when depth = 1).
    let series = |offset: f64| -> Vec<(f64, f64)> {
        let mut points = Vec::with_capacity(g.depth + 1);
        for s in d.layers.iter() {
            let summary = (d.summary)(s);
            if summary.count == summary.nonfinite {
                continue;
            }
            let v = d.to_axis(summary.mean as f64 + offset * summary.std as f64);
            let xs: &[f64] = if g.depth == 1 { &[-0.3, 0.3] } else { &[0.0] };
            points.extend(
                xs.iter()
                    .map(|dx| (g.layers.px(s.layer as f64 + dx), g.values.px(v))),
            );
        }
        points
    };
    if !d.binned() {
        return Ok(());
    }
    p.clipped(&g.plot, |p| {
        p.halo(&series(1.0), true)?;
        p.halo(&series(-1.0), true)?;
        if d.symlog {
            return Ok(());
        }
        p.halo(&series(0.0), false)
    })
}

pub(super) fn paint_ridges(p: &Painter, g: &Geometry, d: &Distribution) -> Res {
    let row = (g.layers.px(1.0) - g.layers.px(0.0)).abs();
    let bin_x = |b: usize| g.values.px(d.edge(b));
    for s in d.layers {
        let base = g.layers.px(s.layer as f64);
        p.line(
            &[(g.plot.x, base), (g.plot.right(), base)],
            [200, 200, 200],
            1.0,
            1.0,
        )?;
        let peak = d.peak(s) as f64;
        if peak == 0.0 {
            continue;
        }
        let mut outline = Vec::with_capacity(2 * BINS + 2);
        outline.push((bin_x(0), base));
        for b in 0..BINS {
            let top = base - g.overlap * row * (d.count(s, b) as f64 / peak).sqrt();
            outline.extend([(bin_x(b), top), (bin_x(b + 1), top)]);
        }
        outline.push((bin_x(BINS), base));
        p.polygon(&outline, colour::depth(s.layer, g.depth), 0.92)?;
        p.line(&outline, BACKGROUND, 0.9, 1.0)?;
    }
    // Mean (not on symlog, where it is a meaningless speck near 0) and +- std.
    let roomy = row >= p.surface.px(7.0);
    for s in d.layers {
        let summary = (d.summary)(s);
        if summary.count == summary.nonfinite || !d.binned() {
            continue;
        }
        let base = g.layers.px(s.layer as f64) - p.surface.px(1.5);
        let (mean, std) = (summary.mean as f64, summary.std as f64);
        let x = |v: f64| g.values.px(d.to_axis(v));
        let whisker = [(x(mean - std), base), (x(mean + std), base)];
        p.line(&whisker, INK, 0.8, if roomy { 1.5 } else { 0.0 })?;
        if !d.symlog {
            let radius = if roomy { 2.6 } else { 1.5 };
            p.dots(
                std::iter::once((x(mean), base)),
                radius,
                INK,
                Some(BACKGROUND),
            )?;
        }
    }
    Ok(())
}

/// The red count of non-finite values and a red mark at each layer holding some.
pub(super) fn paint_nonfinite(p: &Painter, g: &Geometry, d: &Distribution, view: View) -> Res {
    let total: usize = d.layers.iter().map(|s| (d.summary)(s).nonfinite).sum();
    if total == 0 && d.binned() {
        return Ok(());
    }
    let size = p.surface.px(4.0);
    for s in d.layers.iter().filter(|s| (d.summary)(s).nonfinite > 0) {
        let at = g.layers.px(s.layer as f64);
        let (x, y) = match view {
            View::Heatmap => (at, g.plot.y - size),
            View::Histograms => (g.plot.right() + size, g.layers.px(s.layer as f64)),
        };
        p.fill(
            &Rect {
                x: x - size / 2.0,
                y: y - size / 2.0,
                w: size,
                h: size,
            },
            ALARM,
            1.0,
        )?;
    }
    let empty = d
        .layers
        .iter()
        .all(|s| (d.summary)(s).count == (d.summary)(s).nonfinite);
    let key = if empty {
        "charts.all_nonfinite"
    } else if !d.binned() {
        "charts.nonfinite_unbinned"
    } else {
        "charts.n_nonfinite"
    };
    let text = trf(key, &[("count", &total)]);
    p.alarm(&g.plot, &text)
}
