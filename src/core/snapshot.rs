//! The JSON snapshot: everything needed to rebuild the network in PyTorch and
//! get the same numbers (format `normscope-snapshot/1`, documented in
//! `docs/snapshot.md`).
//!
//! Weights are nested arrays `[out][in]` as torch's `Linear.weight`; a part that
//! does not exist (gamma without affine, beta for RMSNorm, running statistics
//! outside BatchNorm, the final norm outside residual=pre) is `null`.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::core::config::{Kind, KEYS};
use crate::core::network::Linear;
use crate::core::norm::{Norm, NormKind};
use crate::core::scope::Scope;
use crate::core::stats::Stats;

/// The format tag, first key of every snapshot.
pub const FORMAT: &str = "normscope-snapshot/1";

/// A serializable snapshot; write it with [`Snapshot::to_json`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub format: &'static str,
    pub config: Map<String, Value>,
    pub step: u64,
    pub batch: Value,
    pub layers: Vec<Value>,
    pub final_norm: Option<Value>,
    pub head: Value,
    pub stats: Value,
}

fn rows(values: &[f32], cols: usize) -> Vec<&[f32]> {
    values.chunks_exact(cols.max(1)).collect()
}

fn linear(linear: &Linear) -> Value {
    json!({"weight": rows(&linear.weight, linear.fan_in), "bias": linear.bias})
}

fn norm_parts(norm: &Norm) -> Value {
    let batch = norm.kind == NormKind::Batch;
    json!({
        "gamma": norm.has_gamma().then_some(&norm.gamma),
        "beta": norm.has_beta().then_some(&norm.beta),
        "running_mean": batch.then_some(&norm.running_mean),
        "running_var": batch.then_some(&norm.running_var),
    })
}

/// The config as a JSON object with typed values (numbers, booleans, names).
pub fn config_json(config: &crate::Config) -> Map<String, Value> {
    KEYS.iter()
        .map(|key| {
            let text = config.get(key.name).unwrap_or_default();
            let value = match key.kind {
                Kind::Int { .. } => text.parse::<u64>().map(Value::from).unwrap_or(Value::Null),
                Kind::Float { .. } => text.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
                Kind::Bool => Value::Bool(text == "true"),
                Kind::Choice(_) => Value::String(text),
            };
            (key.name.to_string(), value)
        })
        .collect()
}

impl Snapshot {
    /// The snapshot of `scope` with `stats`, those of a probe pass of its
    /// parameters on its batch (`Scope::snapshot`).
    pub(crate) fn of(scope: &Scope, stats: &Stats) -> Snapshot {
        let config = config_json(scope.config());
        let dim = scope.data().dim;
        let (x, y) = scope.batch();
        let batch = json!({"x": rows(x, dim), "y": y});
        let network = scope.network();
        let layers = network
            .blocks
            .iter()
            .map(|block| {
                let mut layer = linear(&block.linear);
                if let (Value::Object(layer), Value::Object(parts)) =
                    (&mut layer, norm_parts(&block.norm))
                {
                    layer.extend(parts);
                }
                layer
            })
            .collect();
        let final_norm = network.final_norm.as_ref().map(norm_parts);
        let head = linear(&network.head);
        let stats = json!({"loss": stats.loss, "accuracy": stats.accuracy, "nonfinite": stats.nonfinite,
                           "diverged": stats.diverged, "layers": stats.layers});
        Snapshot {
            format: FORMAT,
            config,
            step: scope.steps(),
            batch,
            layers,
            final_norm,
            head,
            stats,
        }
    }

    /// The snapshot as one line of JSON (non-finite numbers become `null`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
