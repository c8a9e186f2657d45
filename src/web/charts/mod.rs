//! The charts: each a `draw_*` function of plain statistics (never the
//! `Scope`) that draws into a `<canvas>` with plotters-canvas, and paints dense
//! data (heatmaps, decision regions, matrices, the 1024 data points) as RGBA
//! pixels with one `put_image_data`. Each has a title, labelled axes, a legend
//! or colour bar where colour carries meaning, and hover text ([`describe`]).
//!
//! | kind          | file              | shows                                           |
//! |---------------|-------------------|-------------------------------------------------|
//! | `activations` | `activations.rs`  | every layer's output distribution (heatmap or ridgeline) |
//! | `gradients`   | `gradients.rs`    | the same for dL/dh, linear or symlog            |
//! | `summary`     | `summary.rs`      | std of h and dL/dh, spread and cosine across samples; saturated or dead share |
//! | `training`    | `training.rs`     | loss, accuracy and update:data ratios over steps |
//! | `decision`    | `decision.rs`     | the 2-D data over P(class 1)                    |
//! | `normalized`  | `normalized.rs`   | one layer's batch x width input to its norm, sets outlined |
//! | `overtime`    | `over_time.rs`    | one layer's a, h or dL/dh percentile bands over the steps |
//!
//! Shared pieces, each used by several charts:
//! - `layout.rs`, `ticks.rs`: pure geometry, ticks and number formats, so
//!   [`draw`] and [`describe`] agree to the pixel;
//! - `paint.rs` (primitives over plotters-canvas and the 2-D context),
//!   `axes.rs` (title, legend, axes, colour bars, notes; see `paint.rs` for why
//!   axes are not plotters' mesh), `pixels.rs` (RGBA images), `colour.rs` (maps);
//! - `distribution.rs`, `density.rs`: what activations and gradients share;
//!   `norm_sets.rs`: the statistic sets of each normalization; `options.rs`;
//!   `value_axis.rs`: the distributions' value axis, their own or shared.
//! - every text comes from `www/i18n/<lang>/charts.json` through
//!   `crate::web::i18n` (`tr`, `trf`), in the language of `options.lang`.
//! - `compare/`: a comparison of two networks (issue 9): each side's own value
//!   range, so A and B can be drawn on their union, and the per-layer summary
//!   and training of both as one overlay.
//!
//! Speed (software canvas, no GPU): lines wider than one device pixel are
//! stroked several times slower, so dense series are hairlines; many dots are
//! stamped into the pixel image rather than filled as paths.
//!
//! [`describe`] gets only the canvas's pixel size; the device scale (pixels
//! per CSS pixel, which sets the font size and hence the layout) is the one the
//! last [`draw`] of that kind and size used.

mod activations;
mod axes;
mod colour;
pub mod compare;
mod decision;
mod density;
mod distribution;
mod gradients;
mod layout;
mod norm_sets;
mod normalized;
mod options;
mod over_time;
mod paint;
mod pixels;
mod summary;
mod ticks;
mod training;
mod value_axis;

use std::cell::RefCell;

use web_sys::HtmlCanvasElement;

use crate::core::config::Config;
use crate::core::stats::Stats;
use crate::core::views::{DecisionGrid, LayerMatrix};
use crate::web::i18n::in_language;
use layout::Surface;

pub use activations::draw_activations;
pub use decision::draw_decision;
pub use gradients::draw_gradients;
pub use normalized::draw_normalized;
pub use options::{ChartOptions, Scale, View};
pub use over_time::draw_over_time;
pub use summary::draw_summary;
pub use training::draw_training;

/// The charts the page can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Activations,
    Gradients,
    Summary,
    Training,
    Decision,
    Normalized,
    OverTime,
}

const KINDS: [ChartKind; 7] = [
    ChartKind::Activations,
    ChartKind::Gradients,
    ChartKind::Summary,
    ChartKind::Training,
    ChartKind::Decision,
    ChartKind::Normalized,
    ChartKind::OverTime,
];

impl ChartKind {
    /// Every chart name, in page order.
    pub const NAMES: &'static [&'static str] = &[
        "activations",
        "gradients",
        "summary",
        "training",
        "decision",
        "normalized",
        "overtime",
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn from_name(name: &str) -> Option<ChartKind> {
        KINDS.iter().copied().find(|k| k.name() == name)
    }
}

/// What one chart shows: plain data, never the `Scope`.
pub enum ChartData<'a> {
    /// For activations, gradients, summary, training and overtime.
    Stats {
        config: &'a Config,
        stats: &'a Stats,
    },
    /// `points` holds `labels.len()` rows of 2 coordinates; `grid` is None for
    /// the `gaussian` dataset.
    Decision {
        config: &'a Config,
        grid: Option<&'a DecisionGrid>,
        points: &'a [f32],
        labels: &'a [u8],
    },
    /// None when the layer does not exist.
    Normalized {
        config: &'a Config,
        matrix: Option<LayerMatrix>,
    },
}

thread_local! {
    /// (kind, width, height, device scale) of recent draws, for `describe`.
    static SCALES: RefCell<Vec<(ChartKind, u32, u32, f64)>> = const { RefCell::new(Vec::new()) };
}

fn remember_scale(kind: ChartKind, canvas: &HtmlCanvasElement) {
    let entry = (
        kind,
        canvas.width(),
        canvas.height(),
        paint::device_scale(canvas),
    );
    SCALES.with(|scales| {
        let mut scales = scales.borrow_mut();
        scales.retain(|(k, w, h, _)| (*k, *w, *h) != (entry.0, entry.1, entry.2));
        scales.push(entry);
        if scales.len() > 32 {
            scales.remove(0);
        }
    });
}

fn recall_surface(kind: ChartKind, width: u32, height: u32) -> Surface {
    let scale = SCALES.with(|scales| {
        scales
            .borrow()
            .iter()
            .rev()
            .find(|(k, w, h, _)| (*k, *w, *h) == (kind, width, height))
            .map_or(1.0, |entry| entry.3)
    });
    Surface::new(width, height, scale)
}

fn mismatch(kind: ChartKind) -> String {
    format!("chart '{}' was given data for another chart", kind.name())
}

/// Draws chart `kind` into `canvas` at the canvas's pixel size, its texts in
/// `options.lang`.
pub fn draw(
    kind: ChartKind,
    canvas: &HtmlCanvasElement,
    data: &ChartData,
    options: &ChartOptions,
) -> Result<(), String> {
    in_language(options.lang, || draw_in(kind, canvas, data, options))
}

fn draw_in(
    kind: ChartKind,
    canvas: &HtmlCanvasElement,
    data: &ChartData,
    options: &ChartOptions,
) -> Result<(), String> {
    remember_scale(kind, canvas);
    match (kind, data) {
        (ChartKind::Activations, ChartData::Stats { stats, .. }) => {
            draw_activations(canvas, stats, options.view, options.shared_axis())
        }
        (ChartKind::Gradients, ChartData::Stats { stats, .. }) => draw_gradients(
            canvas,
            stats,
            options.view,
            options.scale,
            options.shared_axis(),
        ),
        (ChartKind::Summary, ChartData::Stats { config, stats }) => {
            draw_summary(canvas, config, stats)
        }
        (ChartKind::Training, ChartData::Stats { stats, .. }) => draw_training(canvas, stats),
        (ChartKind::OverTime, ChartData::Stats { stats, .. }) => draw_over_time(
            canvas,
            stats,
            (options.time_layer, options.time_tensor),
            options.range,
        ),
        (
            ChartKind::Decision,
            ChartData::Decision {
                config,
                grid,
                points,
                labels,
            },
        ) => draw_decision(
            canvas,
            *grid,
            points,
            labels,
            config.input_dim(),
            config.norm == crate::core::config::NormKind::Batch,
        ),
        (ChartKind::Normalized, ChartData::Normalized { config, matrix }) => {
            let layer = matrix.as_ref().map_or(0, |m| m.layer);
            let layer = if layer > 0 {
                layer
            } else {
                options.layer.clamp(1, config.depth.max(1))
            };
            let shared = options.range.map(|(lo, hi)| lo.abs().max(hi.abs()));
            let shown = (options.set, options.tensor);
            draw_normalized(canvas, matrix.as_ref(), layer, shown, shared)
        }
        _ => Err(mismatch(kind)),
    }
}

/// What lies under pixel (x, y) of chart `kind` drawn at `width x height`, as
/// one line of text in `options.lang` ("" when nothing).
pub fn describe(
    kind: ChartKind,
    width: u32,
    height: u32,
    x: f64,
    y: f64,
    data: &ChartData,
    options: &ChartOptions,
) -> String {
    let at = (x, y);
    in_language(options.lang, || {
        describe_in(kind, (width, height), at, data, options)
    })
}

fn describe_in(
    kind: ChartKind,
    (width, height): (u32, u32),
    (x, y): (f64, f64),
    data: &ChartData,
    options: &ChartOptions,
) -> String {
    let surface = recall_surface(kind, width, height);
    if !(x.is_finite() && y.is_finite()) {
        return String::new();
    }
    match (kind, data) {
        (ChartKind::Activations, ChartData::Stats { stats, .. }) => {
            activations::describe(&surface, (x, y), stats, options.view, options.shared_axis())
        }
        (ChartKind::Gradients, ChartData::Stats { stats, .. }) => {
            let toggles = (options.view, options.scale);
            gradients::describe(&surface, (x, y), stats, toggles, options.shared_axis())
        }
        (ChartKind::Summary, ChartData::Stats { config, stats }) => {
            summary::describe(&surface, x, y, config, stats)
        }
        (ChartKind::Training, ChartData::Stats { stats, .. }) => {
            training::describe(&surface, x, y, stats)
        }
        (ChartKind::OverTime, ChartData::Stats { stats, .. }) => over_time::describe(
            &surface,
            x,
            y,
            stats,
            (options.time_layer, options.time_tensor),
            options.range,
        ),
        (
            ChartKind::Decision,
            ChartData::Decision {
                grid,
                points,
                labels,
                ..
            },
        ) => decision::describe(&surface, x, y, *grid, points, labels),
        (ChartKind::Normalized, ChartData::Normalized { matrix, .. }) => {
            normalized::describe(&surface, x, y, matrix.as_ref(), options.tensor)
        }
        _ => String::new(),
    }
}
