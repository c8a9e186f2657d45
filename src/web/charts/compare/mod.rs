//! Charts of a comparison (issue 9): network A beside network B on shared
//! scales, and the two charts that read better as one overlay.
//!
//! - [`value_range`]: one side's own value range of a chart (real values, and
//!   the symlog threshold), so that the page can pass the union of A's and B's
//!   to both draws as `range=lo,hi&linthresh=c` (`options.rs`): equal pixels
//!   then mean equal values.
//! - [`draw_overlay`] / [`describe_overlay`]: the per-layer summary
//!   (`summary.rs`) and the training curves (`training.rs`) of A and B in one
//!   chart. A is blue and solid with filled dots, B vermillion and dashed with
//!   hollow dots (Okabe–Ito's colour-blind-safe pair, and apart without colour
//!   too); the legend says "A" and "B". Hover reads out both.

mod summary;
mod training;

use web_sys::HtmlCanvasElement;

use super::colour::{Rgb, BACKGROUND, BLUE, VERMILLION};
use super::layout::{Key, Mark, Rect, Surface};
use super::paint::{Painter, Res};
use super::ticks::format_sig;
use super::{activations, gradients, normalized, over_time, ChartData, ChartKind, ChartOptions};
use crate::core::stats::Stats;
use crate::web::i18n::{in_language, Lang};

/// The sides' colours and legend keys: A solid, B dashed.
pub(super) const SIDES: [(&str, Rgb, Mark); 2] =
    [("A", BLUE, Mark::Line), ("B", VERMILLION, Mark::Dashed)];

/// The legend keys of the two sides.
pub(super) fn side_keys() -> [Key<'static>; 2] {
    SIDES.map(|(label, colour, mark)| Key::new(label, colour, mark))
}

/// Side `side`'s line through `points`, clipped to `plot`: A solid with filled
/// dots, B dashed with hollow dots (`dots`: whether to mark the points).
pub(super) fn side_line(
    p: &Painter,
    plot: &Rect,
    points: &[(f64, f64)],
    side: usize,
    dots: bool,
) -> Res {
    let (_, colour, mark) = SIDES[side];
    let radius = if points.len() <= 32 { 3.0 } else { 1.8 };
    p.clipped(plot, |p| {
        match mark {
            Mark::Dashed => p.dashed(points, colour, 1.0, 1.5, 4.0)?,
            _ => p.line(points, colour, 1.0, 2.0)?,
        }
        if dots || points.len() == 1 {
            p.dots(points.iter().copied(), radius, colour, Some(BACKGROUND))?;
            if side == 1 {
                p.dots(points.iter().copied(), radius - 1.3, BACKGROUND, None)?;
            }
        }
        Ok(())
    })
}

/// "A 0.42 · B 0.98": one value of each side (`None`: "—").
pub(super) fn both(values: [Option<f64>; 2], format: impl Fn(f64) -> String) -> String {
    let [a, b] = values.map(|v| v.map_or("—".to_string(), &format));
    format!("A {a} · B {b}")
}

/// Three significant digits, for [`both`].
pub(super) fn sig3(v: f64) -> String {
    format_sig(v, 3)
}

/// Whole decades covering every finite, positive value in `values` (None: none).
pub(super) fn decades(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(f64::log10)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    lo.is_finite()
        .then(|| ((lo - 0.1).floor(), (hi + 0.1).ceil()))
}

/// One side's own value range of chart `kind`: `[lo, hi]` in real values, and
/// for a symlog axis its threshold as a third number; empty for a chart with
/// no value scale of its own (summary and training are overlaid, the decision
/// regions' colour is a probability, 0..1 on both sides).
pub fn value_range(kind: ChartKind, data: &ChartData, options: &ChartOptions) -> Vec<f64> {
    let range = match (kind, data) {
        (ChartKind::Activations, ChartData::Stats { stats, .. }) => activations::own_range(stats),
        (ChartKind::Gradients, ChartData::Stats { stats, .. }) => {
            gradients::own_range(stats, options.scale)
        }
        (ChartKind::OverTime, ChartData::Stats { stats, .. }) => {
            over_time::own_range(stats, options.time_layer, options.time_tensor)
                .map(|(lo, hi)| vec![lo, hi])
        }
        (ChartKind::Normalized, ChartData::Normalized { matrix, .. }) => {
            normalized::own_extent(matrix.as_ref(), options.tensor).map(|e| vec![-e, e])
        }
        _ => None,
    };
    // Only a usable range: finite numbers, lo < hi.
    range
        .filter(|r| r.iter().all(|v| v.is_finite()) && r[0] < r[1])
        .unwrap_or_default()
}

/// Whether chart `kind` has a value scale of its own that a comparison shares
/// (the others' data need not even be gathered: the decision grid is costly).
pub fn has_value_range(kind: ChartKind) -> bool {
    matches!(
        kind,
        ChartKind::Activations | ChartKind::Gradients | ChartKind::Normalized | ChartKind::OverTime
    )
}

/// The two sides an overlay draws: A's and B's statistics.
pub type Sides<'a> = [&'a Stats; 2];

/// Draws the overlay of chart `kind` (summary or training) of A and B, its
/// texts in `lang`.
pub fn draw_overlay(
    kind: ChartKind,
    canvas: &HtmlCanvasElement,
    sides: Sides,
    lang: Lang,
) -> Result<(), String> {
    super::remember_scale(kind, canvas);
    in_language(lang, || match kind {
        ChartKind::Summary => summary::draw(canvas, sides),
        ChartKind::Training => training::draw(canvas, sides),
        _ => Err(not_overlaid(kind)),
    })
}

/// Hover text of the overlay of chart `kind` at pixel (x, y), reading both
/// sides, in `lang`.
pub fn describe_overlay(
    kind: ChartKind,
    (width, height): (u32, u32),
    (x, y): (f64, f64),
    sides: Sides,
    lang: Lang,
) -> String {
    let surface: Surface = super::recall_surface(kind, width, height);
    if !(x.is_finite() && y.is_finite()) {
        return String::new();
    }
    in_language(lang, || match kind {
        ChartKind::Summary => summary::describe(&surface, x, y, sides),
        ChartKind::Training => training::describe(&surface, x, y, sides),
        _ => String::new(),
    })
}

/// Whether chart `kind` is drawn as one overlay of A and B in a comparison.
pub fn overlaid(kind: ChartKind) -> bool {
    matches!(kind, ChartKind::Summary | ChartKind::Training)
}

fn not_overlaid(kind: ChartKind) -> String {
    format!(
        "chart '{}' has no overlay of two networks: allowed summary, training",
        kind.name()
    )
}
