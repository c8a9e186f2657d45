//! What is normalized: the batch x width matrix x that one layer's
//! normalization receives in the probe pass (rows = samples, columns = units;
//! cropped to 32 x 64), coloured blue (negative) to red (positive); or, by the
//! `tensor` option, its normalized value x̂ or its output γx̂ + β. The first
//! line names the tensor x for the layer's wiring (a, φ(a), h or h + φ(a)). The cells that share
//! one mean and variance are outlined for the config's norm: BatchNorm a
//! column (one unit over the batch), LayerNorm and RMSNorm a row (one sample
//! over its units), GroupNorm a row segment of width/groups units. The line
//! above the matrix prints that set's actual mean and divisor sqrt(var + eps)
//! (RMSNorm: sqrt(mean(x²) + eps), no mean is subtracted; BatchNorm in eval
//! mode: the running statistics).
//!
//! How to read it: the outline is the axis the norm averages over; hover any
//! cell for its set's statistics and its normalized value.

use plotters::style::text_anchor::{HPos, VPos};
use web_sys::HtmlCanvasElement;

use super::axes::Side;
use super::colour::{self, INK, MUTED};
use super::layout::{text_units, Axis, Rect, Right, Surface};
use super::norm_sets as sets;
use super::paint::{Painter, Res};
use super::ticks::{format_sig, integer_ticks, linear_ticks, Tick};
use crate::core::config::NormKind;
use crate::core::views::{LayerMatrix, MatrixTensor};
use crate::web::i18n::{tr, trf};

const MAX_ROWS: usize = 32;
const MAX_COLS: usize = 64;

struct Geometry {
    plot: Rect,
    bar: Rect,
    rows: usize,
    cols: usize,
    /// Cell width and height in device pixels.
    cell: (f64, f64),
    units: Axis,
    samples: Axis,
    extent: f64,
}

/// The largest |value| of the cells shown (0 when none is finite).
fn extent_of(m: &LayerMatrix, values: &[f32]) -> f64 {
    let (rows, cols) = (m.rows.min(MAX_ROWS), m.cols.min(MAX_COLS));
    (0..rows)
        .flat_map(|r| values.iter().skip(r * m.cols).take(cols))
        .filter(|v| v.is_finite())
        .fold(0.0f64, |e, v| e.max(v.abs() as f64))
}

/// The colour scale's own extent of tensor `tensor` (a comparison shares the
/// larger of A's and B's): None when the matrix is empty.
pub(super) fn own_extent(matrix: Option<&LayerMatrix>, tensor: MatrixTensor) -> Option<f64> {
    let m = matrix.filter(|m| m.rows > 0 && m.cols > 0 && m.values.len() >= m.rows * m.cols)?;
    Some(extent_of(m, shown(m, tensor).0))
}

/// `shared`: the colour extent of a comparison instead of the matrix's own.
fn geometry(surface: &Surface, m: &LayerMatrix, values: &[f32], shared: Option<f64>) -> Geometry {
    let (rows, cols) = (m.rows.min(MAX_ROWS), m.cols.min(MAX_COLS));
    let extent = shared.unwrap_or_else(|| extent_of(m, values));
    let chrome = surface.chrome(2.9 * surface.small(), 3, Right::ColourBar(5));
    let area = chrome.plot;
    // Square cells where they fit; a short batch gets taller cells.
    let width = (area.w / cols.max(1) as f64).min(surface.px(48.0));
    let height = (area.h / rows.max(1) as f64).min(width.max(surface.px(22.0)));
    let plot = Rect {
        w: width * cols as f64,
        h: height * rows as f64,
        ..area
    };
    let samples = Axis {
        lo: 0.5,
        hi: rows as f64 + 0.5,
        from: plot.y,
        to: plot.bottom(),
    };
    Geometry {
        plot,
        bar: Rect {
            x: plot.right() + 0.9 * surface.font,
            ..chrome.bar
        },
        rows,
        cols,
        cell: (width, height),
        units: Axis::horizontal(0.5, cols as f64 + 0.5, &plot),
        samples,
        extent: if extent > 0.0 { extent } else { 1.0 },
    }
}

/// The first of `texts` that fits in `width` pixels at font `size`.
fn fitting<'a>(surface: &Surface, texts: &'a [String], width: f64, size: f64) -> &'a str {
    let fits = |t: &&String| surface.text_width(text_units(t), size) <= width;
    texts
        .iter()
        .find(fits)
        .or(texts.last())
        .map_or("", |t| t.as_str())
}

/// The values of `tensor` to paint, and the tensor they really are: x when
/// x̂ and y do not exist (`norm=none`).
fn shown(m: &LayerMatrix, tensor: MatrixTensor) -> (&[f32], MatrixTensor) {
    match m.tensor(tensor) {
        Some(values) if m.kind != NormKind::None => (values, tensor),
        _ => (&m.values, MatrixTensor::Input),
    }
}

/// Draws layer `layer`'s normalization input x (or x̂, or γx̂ + β, by
/// `tensor`), set `set` outlined, into `canvas`.
pub fn draw_normalized(
    canvas: &HtmlCanvasElement,
    matrix: Option<&LayerMatrix>,
    layer: usize,
    (set, tensor): (usize, MatrixTensor),
    shared_extent: Option<f64>,
) -> Result<(), String> {
    let p = Painter::new(canvas)?;
    let f = p.surface;
    p.title(&trf("charts.normalized_title", &[("layer", &layer)]))?;
    let valid = |m: &&LayerMatrix| m.rows > 0 && m.cols > 0 && m.values.len() >= m.rows * m.cols;
    let Some(m) = matrix.filter(valid) else {
        let area = Rect {
            x: 0.0,
            y: f.top(),
            w: f.width,
            h: f.height - f.top(),
        };
        let text = trf("charts.no_layer", &[("layer", &layer)]);
        return p.note(&area, &text, MUTED);
    };
    let (values, tensor) = shown(m, tensor);
    let g = geometry(&f, m, values, shared_extent);
    let room = f.width - 1.4 * f.font;
    let line = |i: f64| (0.7 * f.font, f.top() + (0.2 + 1.4 * i) * f.small());
    let left = (HPos::Left, VPos::Center);
    p.text(
        fitting(&f, &sets::description(m), room, f.small()),
        line(0.0),
        f.small(),
        MUTED,
        left,
    )?;
    paint_cells(&p, &g, m, values)?;
    let set = if set < m.set_mean.len() { set } else { 0 };
    let visible = |s: usize| sets::cells(m, s).filter(|c| c.0 < g.rows && c.2 < g.cols);
    let set = if visible(set).is_some() { set } else { 0 };
    let summary = match visible(set) {
        Some(cells) => {
            outline(&p, &g, cells)?;
            let stats = sets::statistics(m, set);
            let name = sets::name(m, set);
            let outlined = trf("charts.outlined", &[("set", &name), ("stats", &stats)]);
            [outlined, stats]
        }
        None => [
            trf(
                "charts.passes_unchanged",
                &[("rows", &m.rows), ("cols", &m.cols)],
            ),
            String::new(),
        ],
    };
    p.bold(
        fitting(&f, &summary, room, f.small()),
        line(1.0),
        f.small(),
        INK,
        left,
    )?;
    let shown = |n: usize, of: usize, what: &str| match n < of {
        true => trf(
            "charts.shown_of",
            &[("what", &what), ("n", &n), ("of", &of)],
        ),
        false => what.to_string(),
    };
    let unit_ticks = integer_ticks(1, g.cols as i64, f.tick_room(g.plot.w, 2, false));
    let sample_ticks = integer_ticks(1, g.rows as i64, f.tick_room(g.plot.h, 0, true));
    p.x_axis(
        &g.plot,
        &g.units,
        &unit_ticks,
        &shown(g.cols, m.cols, tr("charts.unit")),
    )?;
    p.y_axis(
        &g.plot,
        &g.samples,
        &sample_ticks,
        &shown(g.rows, m.rows, tr("charts.sample")),
        Side::Left,
        INK,
    )?;
    let bar_axis = Axis::vertical(-g.extent, g.extent, &g.bar);
    let ticks: Vec<Tick> = linear_ticks(-g.extent, g.extent, f.tick_room(g.bar.h, 0, true).min(5));
    p.colour_bar(
        &g.bar,
        |t| colour::signed(2.0 * t - 1.0, 1.0),
        &bar_axis,
        &ticks,
        &sets::tensor_label(m, tensor),
    )?;
    let nonfinite = values.iter().filter(|v| !v.is_finite()).count();
    if nonfinite > 0 {
        p.alarm(
            &g.plot,
            &trf("charts.nonfinite_nan", &[("count", &nonfinite)]),
        )?;
    }
    Ok(())
}

/// The cells as pixels, with a one-pixel gap between cells of 5 CSS px or more.
fn paint_cells(p: &Painter, g: &Geometry, m: &LayerMatrix, values: &[f32]) -> Res {
    let gap = |size: f64| if size >= p.surface.px(5.0) { 1.0 } else { 0.0 };
    // The cell of each pixel column (row), None in a gap.
    let cells = |origin: f64, pixels: f64, size: f64, count: usize| -> Vec<Option<usize>> {
        (0..pixels.round() as usize + 1)
            .map(|i| {
                let at = (origin.round() + i as f64 - origin) / size;
                let cell = at.floor().max(0.0) as usize;
                ((at - cell as f64) * size >= gap(size)).then_some(cell.min(count - 1))
            })
            .collect()
    };
    let columns = cells(g.plot.x, g.plot.w, g.cell.0, g.cols);
    let rows = cells(g.plot.y, g.plot.h, g.cell.1, g.rows);
    p.blit(&g.plot, |c, r| {
        let cell = columns
            .get(c)
            .copied()
            .flatten()
            .zip(rows.get(r).copied().flatten());
        match cell.and_then(|(col, row)| values.get(row * m.cols + col)) {
            Some(v) => colour::signed(*v as f64, g.extent),
            None => colour::BACKGROUND,
        }
    })?;
    if m.kind == NormKind::Group && m.groups > 1 {
        let size = (m.cols / m.groups).max(1);
        for k in (size..g.cols).step_by(size) {
            let x = g.plot.x + k as f64 * g.cell.0;
            p.line(&[(x, g.plot.y), (x, g.plot.bottom())], INK, 0.7, 1.0)?;
        }
    }
    Ok(())
}

/// The outline of one set's visible cells: black with a yellow core.
fn outline(p: &Painter, g: &Geometry, (row, rows, col, cols): (usize, usize, usize, usize)) -> Res {
    let (rows, cols) = (rows.min(g.rows - row), cols.min(g.cols - col));
    let rect = Rect {
        x: g.plot.x + col as f64 * g.cell.0,
        y: g.plot.y + row as f64 * g.cell.1,
        w: cols as f64 * g.cell.0,
        h: rows as f64 * g.cell.1,
    };
    p.outline(&rect, [0, 0, 0], 2.5)?;
    p.outline(&rect, [255, 214, 0], 1.0)
}

/// Hover: the cell's x, x̂ and y, and its set's statistics.
pub(super) fn describe(
    surface: &Surface,
    x: f64,
    y: f64,
    matrix: Option<&LayerMatrix>,
    tensor: MatrixTensor,
) -> String {
    let valid = |m: &&LayerMatrix| m.rows > 0 && m.cols > 0 && m.values.len() >= m.rows * m.cols;
    let Some(m) = matrix.filter(valid) else {
        return String::new();
    };
    let g = geometry(surface, m, shown(m, tensor).0, None);
    if !g.plot.contains(x, y) {
        return String::new();
    }
    let col = (((x - g.plot.x) / g.cell.0).floor() as usize).min(g.cols - 1);
    let row = (((y - g.plot.y) / g.cell.1).floor() as usize).min(g.rows - 1);
    let at = row * m.cols + col;
    let value = |values: &[f32]| format_sig(values.get(at).copied().unwrap_or(f32::NAN) as f64, 3);
    let (sample, unit) = (row + 1, col + 1);
    let mut text = trf(
        "charts.cell_readout",
        &[
            ("sample", &sample),
            ("unit", &unit),
            ("x", &value(&m.values)),
        ],
    );
    if m.kind != NormKind::None {
        let set = sets::containing(m, row, col);
        let y_name = if m.kind == NormKind::Rms {
            "γx̂"
        } else {
            "γx̂ + β"
        };
        let cell_set = trf(
            "charts.cell_set",
            &[
                ("xhat", &value(&m.x_hat)),
                ("y_name", &y_name),
                ("y", &value(&m.output)),
                ("set", &sets::name(m, set)),
                ("stats", &sets::statistics(m, set)),
            ],
        );
        text += &format!(" · {cell_set}");
    }
    text
}
