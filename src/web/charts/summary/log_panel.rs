//! The log panel of the per-layer summary: the pooled std of h and of dL/dh,
//! and dashed beside the std of h the spread across samples.

use plotters::style::text_anchor::{HPos, VPos};

use super::{Geometry, Pick};
use crate::core::stats::Stats;
use crate::web::charts::colour::{Rgb, BACKGROUND, BLUE, MUTED, VERMILLION};
use crate::web::charts::layout::{Mark, Rect};
use crate::web::charts::paint::{Painter, Res};
use crate::web::i18n::{tr, trf};
use std::fmt::Display;

/// A line of the log panel.
pub(super) struct Series {
    /// The message key of its name.
    pub(super) label: &'static str,
    pub(super) colour: Rgb,
    pub(super) mark: Mark,
    /// None when a layer has no finite value, or no second sample to compare.
    pub(super) value: Pick<Option<f32>>,
    /// What the hover says for None (a message key).
    pub(super) missing: &'static str,
}

const NO_FINITE: &str = "charts.no_finite";
/// Stands for the reason a measure across samples is missing, which the hover
/// words from the config (one sample, or nothing finite and nonzero).
pub(super) const ACROSS: &str = "charts.across_samples";
pub(super) const SERIES: [Series; 3] = [
    Series {
        label: "charts.std_h",
        colour: BLUE,
        mark: Mark::Line,
        value: |s| (s.out.count > s.out.nonfinite).then_some(s.out.std),
        missing: NO_FINITE,
    },
    Series {
        label: "charts.spread",
        colour: BLUE,
        mark: Mark::Dashed,
        value: |s| s.sample_spread,
        missing: ACROSS,
    },
    Series {
        label: "charts.std_grad",
        colour: VERMILLION,
        mark: Mark::Line,
        value: |s| (s.grad.count > s.grad.nonfinite).then_some(s.grad.std),
        missing: NO_FINITE,
    },
];

/// The whole decades covering every finite, positive value of the log panel.
pub(super) fn std_range(stats: &Stats) -> Option<(f64, f64)> {
    let predicted = super::theory::values(stats);
    let predicted = predicted
        .iter()
        .flat_map(|(h, grad)| [Some(*h), *grad])
        .flatten();
    let logs = stats
        .layers
        .iter()
        .flat_map(|s| SERIES.iter().filter_map(move |series| (series.value)(s)))
        .chain(predicted);
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

/// A line with dots through `points`, clipped to `plot`.
pub(super) fn polyline(
    p: &Painter,
    plot: &Rect,
    points: &[(f64, f64)],
    colour: Rgb,
    mark: Mark,
) -> Res {
    let radius = if points.len() <= 32 { 3.0 } else { 1.8 };
    p.clipped(plot, |p| {
        match mark {
            Mark::Dashed => p.dashed(points, colour, 1.0, 1.5, 4.0)?,
            _ => p.line(points, colour, 1.0, 2.0)?,
        }
        p.dots(points.iter().copied(), radius, colour, Some(BACKGROUND))?;
        if mark == Mark::Dashed {
            // Hollow dots, so the series reads apart from a solid one in its colour.
            p.dots(points.iter().copied(), radius - 1.3, BACKGROUND, None)?;
        }
        Ok(())
    })
}

pub(super) fn draw_std(p: &Painter, g: &Geometry, stats: &Stats) -> Res {
    let depth = stats.layers.len();
    let mut zero = Vec::new();
    for Series {
        label,
        colour,
        mark,
        value,
        ..
    } in SERIES
    {
        let points: Vec<(f64, f64)> = stats
            .layers
            .iter()
            .filter_map(|s| Some((s.layer as f64, value(s)? as f64)))
            .filter(|(_, v)| v.is_finite() && *v > 0.0)
            .map(|(l, v)| (g.layers.px(l), g.std_axis.px(v.log10())))
            .collect();
        polyline(p, &g.std_plot, &points, colour, mark)?;
        let zeros = stats
            .layers
            .iter()
            .filter(|s| value(s) == Some(0.0))
            .count();
        if zeros > 0 {
            let label = tr(label);
            let params: [(&str, &dyn Display); 3] =
                [("label", &label), ("zeros", &zeros), ("depth", &depth)];
            zero.push(trf("charts.zero_in", &params));
        }
    }
    // One short line per series, stacked up from the bottom right, so that
    // none runs past the plot's left edge.
    let f = &p.surface;
    for (i, line) in zero.iter().rev().enumerate() {
        let at = (
            g.std_plot.right() - 0.5 * f.font,
            g.std_plot.bottom() - (0.8 + 1.3 * i as f64) * f.small(),
        );
        p.text(line, at, f.small(), MUTED, (HPos::Right, VPos::Center))?;
    }
    Ok(())
}
