//! Data and decision boundary: the network's P(class 1) over the 2-D input
//! plane (the core evaluates it on a coarse grid in eval mode; here it is
//! upsampled bilinearly to one value per pixel, with the P = 0.5 boundary drawn
//! as a dark line) and the dataset's 1024 points on top, blue for class 0 and
//! orange for class 1. Axes are in input units with equal scales, over the
//! grid's extent: the data's own, or in a comparison whose B sees other
//! points the union of both datasets' (`Scope::set_decision_extent`).
//!
//! How to read it: points should sit on their own colour. A boundary that
//! stays a straight line for a curved dataset means the network is not (yet)
//! using its depth. The `gaussian` dataset has `width` input dimensions and so
//! no picture here.

use web_sys::HtmlCanvasElement;

use super::axes::Side;
use super::colour::{self, CLASS, MUTED};
use super::layout::{Axis, Key, Mark, Rect, Right, Surface};
use super::paint::Painter;
use super::ticks::{format_short, format_sig, linear_ticks, widest, Tick};
use crate::core::views::DecisionGrid;
use crate::web::i18n::{tr, trf};

const TITLE: &str = "charts.decision_title";

fn keys() -> [Key<'static>; 2] {
    [
        Key::new(tr("charts.class_0"), CLASS[0], Mark::Dot),
        Key::new(tr("charts.class_1"), CLASS[1], Mark::Dot),
    ]
}
const BOUNDARY: [u8; 3] = [60, 60, 60];

struct Geometry {
    plot: Rect,
    bar: Rect,
    x: Axis,
    y: Axis,
    x_ticks: Vec<Tick>,
    y_ticks: Vec<Tick>,
    extra: f64,
}

fn geometry(surface: &Surface, grid: &DecisionGrid) -> Geometry {
    let extra = surface.legend_extra(tr(TITLE), &keys());
    let (x0, x1) = (grid.x_range.0 as f64, grid.x_range.1 as f64);
    let (y0, y1) = (grid.y_range.0 as f64, grid.y_range.1 as f64);
    let inner = surface.height - surface.top() - extra - surface.bottom();
    let y_ticks = linear_ticks(y0, y1, surface.tick_room(inner, 0, true));
    let chrome = surface.chrome(extra, widest(&y_ticks), Right::ColourBar(3));
    // Equal units on both axes: shrink the longer side of the plot.
    let aspect = ((x1 - x0) / (y1 - y0)).clamp(0.5, 2.0);
    let area = chrome.plot;
    let (w, h) = if area.w / area.h > aspect {
        (area.h * aspect, area.h)
    } else {
        (area.w, area.w / aspect)
    };
    let plot = Rect {
        x: area.x + (area.w - w) / 2.0,
        y: area.y,
        w,
        h,
    };
    let bar = Rect {
        x: plot.right() + 0.9 * surface.font,
        h,
        ..chrome.bar
    };
    Geometry {
        plot,
        bar,
        x: Axis::horizontal(x0, x1, &plot),
        y: Axis::vertical(y0, y1, &plot),
        x_ticks: linear_ticks(x0, x1, surface.tick_room(plot.w, 4, false)),
        y_ticks,
        extra,
    }
}

/// Where grid coordinate `g` (in cells, centres at whole numbers) falls: the
/// two neighbouring cells of `n` and the weight of the second.
fn between(g: f64, n: usize) -> (usize, usize, f64) {
    let g = g.clamp(0.0, n.saturating_sub(1) as f64);
    let first = g.floor() as usize;
    (
        first,
        (first + 1).min(n.saturating_sub(1)),
        g - first as f64,
    )
}

/// Grid coordinates of input (x, y): column and row, row 0 at `y_max`.
fn grid_position(grid: &DecisionGrid, x: f64, y: f64) -> (f64, f64) {
    let n = grid.resolution as f64;
    let cell = |r: (f32, f32)| (r.1 - r.0) as f64 / n;
    (
        (x - grid.x_range.0 as f64) / cell(grid.x_range) - 0.5,
        (grid.y_range.1 as f64 - y) / cell(grid.y_range) - 0.5,
    )
}

/// Bilinear P(class 1) between the cells of column and row weights.
fn lerp(
    grid: &DecisionGrid,
    (c, c1, fx): (usize, usize, f64),
    (r, r1, fy): (usize, usize, f64),
) -> f64 {
    let n = grid.resolution;
    let at =
        |r: usize, c: usize| grid.probability.get(r * n + c).copied().unwrap_or(f32::NAN) as f64;
    let top = at(r, c) + (at(r, c1) - at(r, c)) * fx;
    let bottom = at(r1, c) + (at(r1, c1) - at(r1, c)) * fx;
    top + (bottom - top) * fy
}

/// P(class 1) at input (x, y), bilinear between grid cell centres.
fn probability(grid: &DecisionGrid, x: f64, y: f64) -> f64 {
    let (gx, gy) = grid_position(grid, x, y);
    lerp(
        grid,
        between(gx, grid.resolution),
        between(gy, grid.resolution),
    )
}

/// Draws the decision regions and the data into `canvas`; `points` holds one
/// (x, y) pair per label. With no grid (gaussian inputs of `input_dim`
/// dimensions) it draws a note instead. The regions are evaluated in eval mode;
/// with `batch_norm` the colour bar says that this means running statistics.
pub fn draw_decision(
    canvas: &HtmlCanvasElement,
    grid: Option<&DecisionGrid>,
    points: &[f32],
    labels: &[u8],
    input_dim: usize,
    batch_norm: bool,
) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    p.title(tr(TITLE))?;
    let Some(grid) = grid else {
        let f = &p.surface;
        let area = Rect {
            x: 0.0,
            y: f.top(),
            w: f.width,
            h: f.height - f.top(),
        };
        let text = trf("charts.gaussian_note", &[("dims", &input_dim)]);
        return p.note(&area, &text, MUTED);
    };
    let g = geometry(&p.surface, grid);
    p.legend(&keys(), g.extra)?;
    let (x0, y0) = (g.plot.x.round(), g.plot.y.round());
    let n = grid.resolution;
    let columns: Vec<(usize, usize, f64)> = (0..g.plot.w.round() as usize + 1)
        .map(|c| {
            between(
                grid_position(grid, g.x.value(x0 + c as f64 + 0.5), 0.0).0,
                n,
            )
        })
        .collect();
    let mut above: Vec<bool> = vec![false; columns.len()];
    let (mut row, mut current_row, mut left) = ((0, 0, 0.0), usize::MAX, false);
    let mut nonfinite = false;
    let count = labels.len().min(points.len() / 2);
    let radius = p.surface.px(2.4);
    p.image(&g.plot, |image| {
        image.fill(|c, r| {
            if r != current_row {
                current_row = r;
                row = between(
                    grid_position(grid, 0.0, g.y.value(y0 + r as f64 + 0.5)).1,
                    n,
                );
            }
            let value = lerp(grid, columns.get(c).copied().unwrap_or((0, 0, 0.0)), row);
            nonfinite |= !value.is_finite();
            let side = value > 0.5;
            let up = above.get(c).copied().unwrap_or(side);
            let edge = (c > 0 && side != left) || (r > 0 && side != up);
            left = side;
            if let Some(cell) = above.get_mut(c) {
                *cell = side;
            }
            if edge && value.is_finite() {
                BOUNDARY
            } else {
                colour::class_probability(value)
            }
        });
        for (i, label) in labels.iter().enumerate().take(count) {
            let (x, y) = (
                g.x.px(points[2 * i] as f64),
                g.y.px(points[2 * i + 1] as f64),
            );
            image.disc(x, y, radius + p.surface.px(0.9), [255, 255, 255]);
            image.disc(x, y, radius, CLASS[usize::from(*label > 0)]);
        }
    })?;
    p.x_axis(&g.plot, &g.x, &g.x_ticks, tr("charts.input_x1"))?;
    p.y_axis(
        &g.plot,
        &g.y,
        &g.y_ticks,
        tr("charts.input_x2"),
        Side::Left,
        colour::INK,
    )?;
    let ticks = [0.0, 0.5, 1.0].map(|t| Tick {
        at: t,
        label: format_short(t),
    });
    p.colour_bar(
        &g.bar,
        colour::class_probability,
        &Axis::vertical(0.0, 1.0, &g.bar),
        &ticks,
        if batch_norm {
            tr("charts.p_class_1_running")
        } else {
            tr("charts.p_class_1_eval")
        },
    )?;
    p.border(&g.plot)?;
    if nonfinite {
        p.alarm(&g.plot, tr("charts.p_not_finite"))?;
    }
    Ok(())
}

/// Hover: the input position, P(class 1) there and the nearest data point.
pub(super) fn describe(
    surface: &Surface,
    x: f64,
    y: f64,
    grid: Option<&DecisionGrid>,
    points: &[f32],
    labels: &[u8],
) -> String {
    let Some(grid) = grid else {
        return String::new();
    };
    let g = geometry(surface, grid);
    if !g.plot.contains(x, y) {
        return String::new();
    }
    let (u, v) = (g.x.value(x), g.y.value(y));
    let p = probability(grid, u, v);
    let mut text = trf(
        "charts.decision_readout",
        &[
            ("x1", &format_sig(u, 2)),
            ("x2", &format_sig(v, 2)),
            ("p", &format_sig(p, 2)),
            ("class", &u8::from(p > 0.5)),
        ],
    );
    let radius = surface.px(5.0);
    let count = labels.len().min(points.len() / 2);
    let near = (0..count)
        .map(|i| {
            (
                i,
                (g.x.px(points[2 * i] as f64) - x).hypot(g.y.px(points[2 * i + 1] as f64) - y),
            )
        })
        .filter(|(_, d)| *d <= radius)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((i, _)) = near {
        let point = trf("charts.decision_point", &[("class", &labels[i])]);
        text += &format!(" · {point}");
    }
    text
}
