//! A frame: everything the charts show of one training state, as plain data.
//!
//! When a big network trains in a Web Worker, the worker's [`Scope`] makes a
//! frame after each batch of steps and posts it to the page as one byte buffer
//! (postcard, a compact serde encoding: f32 as 4 bytes, no field names); the
//! page decodes it and draws from it. The page's charts never need the
//! `Scope` (docs/architecture.md), only this.
//!
//! A frame holds the statistics and history always, and the layer matrix and
//! the decision regions only when asked for, since they cost a pass each.

use serde::{Deserialize, Serialize};

use crate::core::config::Config;
use crate::core::error::{Error, Result};
use crate::core::history::History;
use crate::core::scope::Scope;
use crate::core::stats::{Histogram, Stats, BINS};
use crate::core::views::{DecisionGrid, LayerMatrix};

/// What a frame should hold beyond the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FrameRequest {
    /// The 1-based layer whose normalized matrix to include (clamped to the depth).
    pub layer: Option<usize>,
    /// The finest decision-grid resolution to include, if any.
    pub decision: Option<usize>,
}

/// The dataset and the network's decision regions over it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// None for the `gaussian` dataset, which has no 2-D picture.
    pub grid: Option<DecisionGrid>,
    /// `labels.len()` rows of `dim` coordinates.
    pub points: Vec<f32>,
    pub labels: Vec<u8>,
}

/// One training state as the charts see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// The canonical query string of the config.
    pub query: String,
    pub flops_per_step: f64,
    /// With its history (which `Stats` leaves out of JSON, but a frame carries).
    pub stats: Stats,
    pub matrix: Option<LayerMatrix>,
    pub decision: Option<Decision>,
}

impl Frame {
    /// The frame of `scope`'s current state (runs the probe pass if needed).
    pub fn of(scope: &mut Scope, request: FrameRequest) -> Frame {
        let depth = scope.config().depth;
        let matrix = request
            .layer
            .and_then(|layer| scope.layer_matrix(layer.clamp(1, depth)));
        let decision = request.decision.map(|resolution| Decision {
            grid: scope.decision_grid(resolution),
            points: scope.data().x.clone(),
            labels: scope.data().y.clone(),
        });
        Frame {
            query: scope.config().to_query(),
            flops_per_step: scope.flops_per_step(),
            stats: scope.stats().clone(),
            matrix,
            decision,
        }
    }

    /// The same state without its history (records and timeline emptied): what
    /// the page keeps of an earlier step to look back at (`www/lookback.js`).
    pub fn without_history(&self) -> Frame {
        let mut lean = self.clone();
        lean.stats.history = History::new(self.stats.layers.len());
        lean
    }

    /// The config the frame was made with.
    pub fn config(&self) -> Result<Config> {
        self.query.parse()
    }

    /// The frame as bytes (the history travels beside the statistics, because
    /// `Stats` skips it in every serde format).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing to a Vec cannot fail for these types (no maps, no
        // unsized sequences); an empty buffer would be refused on decode.
        postcard::to_allocvec(&(self, &self.stats.history)).unwrap_or_default()
    }

    /// Decodes [`Frame::to_bytes`]; an error, never a panic, on other bytes,
    /// including well-formed ones whose lengths disagree (which the charts
    /// would otherwise index out of range).
    pub fn from_bytes(bytes: &[u8]) -> Result<Frame> {
        let bad = |what: String| Error::Malformed(format!("not a normscope frame: {what}"));
        let (mut frame, history): (Frame, History) =
            postcard::from_bytes(bytes).map_err(|e| bad(e.to_string()))?;
        frame.stats.history = history;
        let config = frame.config().map_err(|e| bad(e.to_string()))?;
        frame.check(&config).map_err(|what| bad(what.to_string()))?;
        Ok(frame)
    }

    /// Whether every length agrees with the config and with each other.
    fn check(&self, config: &Config) -> std::result::Result<(), &'static str> {
        let stats = &self.stats;
        let layers = stats.layers.len() == config.depth;
        // The charts' histograms have their bins; those of pre and grad_pre
        // have them or none (`Detail`).
        let histograms = stats.layers.iter().all(|l| {
            let bins = |h: &Histogram| h.counts.len() == BINS;
            let shown = [&l.out.histogram, &l.grad.histogram, &l.grad_symlog];
            shown.into_iter().all(bins)
                && [&l.pre.histogram, &l.grad_pre.histogram]
                    .into_iter()
                    .all(|h| bins(h) || h.counts.is_empty())
        });
        let history = &stats.history;
        let records = history.steps.len();
        let history_ok = history.loss.len() == records
            && history.accuracy.len() == records
            && history.update_ratio.len() == config.depth
            && history.update_ratio.iter().all(|r| r.len() == records)
            && history.test.loss.len() == history.test.steps.len()
            && history.test.accuracy.len() == history.test.steps.len()
            && history.timeline.is_consistent(config.depth);
        let matrix = self.matrix.as_ref().map_or(true, |m| {
            m.rows.checked_mul(m.cols) == Some(m.values.len())
                && (1..=config.depth).contains(&m.layer)
        });
        let decision = self.decision.as_ref().map_or(true, |d| {
            d.points.len() == d.labels.len() * config.input_dim()
                && d.grid.as_ref().map_or(true, |g| {
                    // Checked: a crafted resolution must not wrap to the length.
                    g.resolution.checked_mul(g.resolution) == Some(g.probability.len())
                })
        });
        match (layers && histograms, history_ok, matrix, decision) {
            (false, ..) => Err("its statistics do not match its config"),
            (_, false, ..) => Err("its history has uneven lengths"),
            (_, _, false, _) => Err("its layer matrix has the wrong size"),
            (_, _, _, false) => Err("its decision regions have the wrong size"),
            _ => Ok(()),
        }
    }
}
