//! The chart toggles the page passes as a query string, e.g.
//! `view=histograms&scale=symlog&layer=3&set=2&tensor=xhat&timelayer=2&timetensor=grad&lang=zh`.
//! Unknown keys and values are errors that name the key and what it allows.
//! `lang` (en, zh) is the language of the chart's texts (`src/web/i18n.rs`).
//!
//! A comparison (issue 9) draws A and B on one scale: `range=lo,hi` (real
//! values) fixes the value axis of the distributions and the colour extent of
//! the normalized matrix, `linthresh=c` the symlog threshold, instead of each
//! side's own (`compare::value_range` gives each side's, the page their union).

use super::distribution::SharedAxis;
use crate::core::config::query_pairs;
use crate::core::timeline::Timeline;
pub use crate::core::views::MatrixTensor;
use crate::web::i18n::Lang;

/// Distribution charts: a layer x value heatmap or stacked histograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Heatmap,
    Histograms,
}

/// The value axis of the gradient chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    #[default]
    Linear,
    Symlog,
}

/// What the page can toggle, parsed from `view=histograms&scale=symlog&layer=3`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartOptions {
    pub view: View,
    pub scale: Scale,
    /// The layer the `normalized` chart shows (1-based).
    pub layer: usize,
    /// The statistic set the `normalized` chart outlines (0-based: a column for
    /// BatchNorm, a row for LayerNorm/RMSNorm, row-major row x group for GroupNorm).
    pub set: usize,
    /// The tensor the `normalized` chart shows: x (its input), x̂ or γx̂ + β.
    pub tensor: MatrixTensor,
    /// A shared value range (real values, lo < hi) instead of the chart's own.
    pub range: Option<(f64, f64)>,
    /// A shared symlog threshold (> 0) instead of the chart's own.
    pub linthresh: Option<f64>,
    /// The layer (1-based) and tensor (index of the core's `timeline::TENSORS`:
    /// pre, out, grad) the `overtime` chart shows.
    pub time_layer: usize,
    pub time_tensor: usize,
    /// The language of the texts.
    pub lang: Lang,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            view: View::Heatmap,
            scale: Scale::Linear,
            layer: 1,
            set: 0,
            tensor: MatrixTensor::Input,
            range: None,
            linthresh: None,
            time_layer: 1,
            time_tensor: 0,
            lang: Lang::En,
        }
    }
}

/// The option keys and what each allows, for error messages.
const OPTIONS: &[(&str, &str)] = &[
    ("view", "heatmap, histograms"),
    ("scale", "linear, symlog"),
    ("layer", "an integer >= 1"),
    ("set", "an integer >= 0"),
    ("tensor", "x, xhat, y"),
    ("range", "two finite numbers lo,hi with lo < hi"),
    ("linthresh", "a finite number > 0"),
    ("timelayer", "an integer >= 1"),
    ("timetensor", "pre, out, grad"),
    ("lang", "en, zh"),
];

impl ChartOptions {
    /// Parses `key=value&...`; unknown keys and values are errors naming the key
    /// and what it allows. Missing keys keep their defaults.
    pub fn parse(query: &str) -> Result<ChartOptions, String> {
        let mut options = ChartOptions::default();
        for pair in query_pairs(query) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let allowed = OPTIONS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, a)| *a)
                .ok_or_else(|| {
                    let keys: Vec<&str> = OPTIONS.iter().map(|(k, _)| *k).collect();
                    format!("unknown chart option '{key}': allowed {}", keys.join(", "))
                })?;
            let invalid =
                || format!("invalid value '{value}' for chart option '{key}': allowed {allowed}");
            match (key, value) {
                ("view", "heatmap") => options.view = View::Heatmap,
                ("view", "histograms") => options.view = View::Histograms,
                ("scale", "linear") => options.scale = Scale::Linear,
                ("scale", "symlog") => options.scale = Scale::Symlog,
                ("layer", v) => {
                    options.layer = v.parse().ok().filter(|l| *l >= 1).ok_or_else(invalid)?
                }
                ("set", v) => options.set = v.parse().map_err(|_| invalid())?,
                ("tensor", "x") => options.tensor = MatrixTensor::Input,
                ("tensor", "xhat") => options.tensor = MatrixTensor::Normalized,
                ("tensor", "y") => options.tensor = MatrixTensor::Output,
                ("range", v) => options.range = Some(parse_range(v).ok_or_else(invalid)?),
                ("linthresh", v) => {
                    let c = v.parse::<f64>().ok().filter(|c| c.is_finite() && *c > 0.0);
                    options.linthresh = Some(c.ok_or_else(invalid)?)
                }
                ("timelayer", v) => {
                    options.time_layer = v.parse().ok().filter(|l| *l >= 1).ok_or_else(invalid)?
                }
                ("timetensor", v) => {
                    options.time_tensor = Timeline::tensor_index(v).ok_or_else(invalid)?
                }
                ("lang", v) => options.lang = Lang::from_name(v).ok_or_else(invalid)?,
                _ => return Err(invalid()),
            }
        }
        Ok(options)
    }
}

impl ChartOptions {
    /// The shared value axis of a comparison, if `range` is given.
    pub fn shared_axis(&self) -> Option<SharedAxis> {
        self.range.map(|(lo, hi)| SharedAxis {
            lo,
            hi,
            linthresh: self.linthresh,
        })
    }
}

/// `lo,hi`: two finite numbers with lo < hi.
fn parse_range(value: &str) -> Option<(f64, f64)> {
    let (lo, hi) = value.split_once(',')?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().ok()?, hi.trim().parse().ok()?);
    (lo.is_finite() && hi.is_finite() && lo < hi).then_some((lo, hi))
}
