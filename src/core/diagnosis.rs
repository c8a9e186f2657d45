//! A diagnosis in words: what the statistics of one state show, as findings
//! with numbers and layer indices ("Layers 3–8: 78% of tanh units saturated").
//!
//! Practitioners read the same charts with rules of thumb; each rule here is a
//! named threshold below, in one place, and `tests/diagnosis.rs` checks every
//! finding on configs where it must fire and where it must not (LayerNorm and
//! Kaiming ReLU networks raise no alarm). A finding carries its kind and numbers
//! and a link to the preset that explains it. Its sentence is the message
//! `diagnosis.<code>` of `www/i18n/<lang>/diagnosis.json` with the finding's
//! [`params`](Finding::params), numbers already formatted, so that English and
//! Chinese quote the same figures; [`Finding::text`] fills in the English one.
//!
//! The signal is read from the *spread across samples* (`collapse.rs`), not
//! the pooled std: a deep tanh net at init keeps its pooled std flat while the
//! input-dependent part vanishes.

use std::fmt::Display;
use std::sync::OnceLock;

use crate::core::config::{Activation, Config, NormKind};
use crate::core::messages::{self, Catalogue};
use crate::core::stats::{LayerStats, Stats};

/// The input-dependent spread of the last layer over the first layer's below
/// this is a vanishing signal; above its inverse, an exploding one.
pub const SIGNAL_RATIO: f32 = 1e-2;
/// Gradient std at layer 1 over the last hidden layer's below this is a
/// vanishing gradient; above its inverse, an exploding one.
pub const GRADIENT_RATIO: f32 = 1e-2;
/// Share of saturated tanh/sigmoid outputs that counts a layer as saturated.
pub const SATURATED_SHARE: f32 = 0.5;
/// Share of ReLU units off for the whole batch that counts as a dying layer.
pub const DEAD_SHARE: f32 = 0.4;
/// Mean cosine between samples above which a layer has collapsed the batch to
/// one direction.
pub const COLLAPSE_COSINE: f32 = 0.99;
/// update:data ratios below this barely learn, above [`UPDATE_RATIO_HIGH`]
/// overwrite; the guide line of the training chart is at 1e-3.
pub const UPDATE_RATIO_LOW: f32 = 1e-5;
pub const UPDATE_RATIO_HIGH: f32 = 1e-1;
/// The update:data guide (Karpathy's rule of thumb).
pub const UPDATE_RATIO_GUIDE: f32 = 1e-3;

/// A preset (or mistake) that explains a finding: its id in the presets
/// catalogue (`presets.<id>.title`), English title and query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub preset: &'static str,
    pub title: &'static str,
    pub query: &'static str,
}

const VANISHING: Link = Link {
    preset: "vanishing",
    title: "Vanishing signal",
    query: "depth=20&activation=tanh&init=torch_default",
};
const SATURATION: Link = Link {
    preset: "saturation",
    title: "Saturation",
    query: "activation=tanh&init=normal&scale=1",
};
const RELU_INIT: Link = Link {
    preset: "relu_init",
    title: "ReLU at depth 30: Xavier vs Kaiming",
    query: "depth=30&activation=relu&init=kaiming_normal",
};
const BATCH_SIZE: Link = Link {
    preset: "batch_size",
    title: "BatchNorm: batch 2 vs 128, train vs eval",
    query: "norm=batch&batch=2",
};
const BLOW_UP: Link = Link {
    preset: "blow_up",
    title: "A blow-up",
    query: "depth=20&activation=relu&init=normal&scale=50&lr=10",
};
const KARPATHY: Link = Link {
    preset: "karpathy",
    title: "Karpathy’s makemore part 3: gain, saturation and update:data",
    query: "depth=5&width=100&init=kaiming_normal",
};
const RESCUE: Link = Link {
    preset: "layernorm_rescue",
    title: "LayerNorm rescues a deep tanh net",
    query: "depth=20&activation=tanh&init=torch_default&norm=layer",
};

/// What a finding is about, with its numbers. Layers are 1-based.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// Training produced a non-finite value.
    Diverged { step: u64, layer: Option<usize> },
    /// Non-finite values in the statistics (before any divergence).
    NonFinite { count: usize },
    /// BatchNorm with one sample per batch: every x̂ is 0, the output is β.
    BatchOfOne,
    /// BatchNorm with two samples: x̂ = ±1 almost everywhere.
    BatchOfTwo,
    /// GroupNorm with one unit per group: every output is β.
    GroupsOfOne { groups: usize },
    /// The spread across samples shrinks (factor < 1) or grows (> 1) from
    /// layer 1 to `last`.
    Signal { factor: f32, last: usize },
    /// Layers `first..=last` saturated, `share` the largest share among them.
    Saturated {
        first: usize,
        last: usize,
        share: f32,
        activation: Activation,
    },
    /// The layer with the most dead ReLU units.
    Dead { layer: usize, share: f32 },
    /// The samples' representations point one way from `layer` on.
    Collapsed { layer: usize, cosine: f32 },
    /// Gradient std at layer 1 over the last hidden layer's.
    Gradient { factor: f32, last: usize },
    /// The layer whose update:data ratio is farthest outside the healthy band.
    Update { layer: usize, ratio: f32 },
    /// Nothing above fired.
    Healthy,
}

/// A factor for texts: between 0.1 and 1000 the number itself ("3.5",
/// "309"); beyond, one significant digit times a power of ten written with
/// superscripts ("4·10⁴", "10⁻⁵").
pub fn magnitude(v: f32) -> String {
    if !v.is_finite() || v <= 0.0 {
        return format!("{v}");
    }
    if (0.1..1000.0).contains(&v) {
        return match v >= 10.0 {
            true => format!("{}", v.round()),
            false => format!("{}", (v * 10.0).round() / 10.0),
        };
    }
    let mut exponent = v.log10().floor() as i32;
    let mut mantissa = (v / 10f32.powi(exponent)).round() as i32;
    if mantissa >= 10 {
        exponent += 1;
        mantissa = 1;
    }
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut text = match mantissa {
        1 => String::from("10"),
        m => format!("{m}·10"),
    };
    if exponent < 0 {
        text.push('⁻');
    }
    for c in exponent.unsigned_abs().to_string().chars() {
        text.push(DIGITS[c.to_digit(10).unwrap_or(0) as usize]);
    }
    text
}

fn percent(share: f32) -> String {
    format!("{}%", (share * 100.0).round())
}

/// The English diagnosis messages, parsed once.
fn english() -> &'static Catalogue {
    static ENGLISH: OnceLock<Catalogue> = OnceLock::new();
    ENGLISH.get_or_init(|| messages::parse(include_str!("../../www/i18n/en/diagnosis.json")))
}

impl Finding {
    /// The finding as one English sentence: its message filled with its params.
    pub fn text(&self) -> String {
        let key = format!("diagnosis.{}", self.code());
        let params = self.params();
        let params: Vec<(&str, &dyn Display)> = params
            .iter()
            .map(|(name, value)| (*name, value as &dyn Display))
            .collect();
        english()
            .get(&key)
            .map_or(key, |template| messages::fill(template, &params))
    }

    /// The message code of the sentence (`diagnosis.<code>` in the
    /// catalogues): the [`kind`](Finding::kind), or a variant of it where the
    /// sentence differs (`diverged_loss`, `saturated_layer`, `no_gradient`).
    pub fn code(&self) -> &'static str {
        match self {
            Finding::Diverged { layer: None, .. } => "diverged_loss",
            Finding::Saturated { first, last, .. } if first == last => "saturated_layer",
            Finding::Gradient { factor, .. } if *factor == 0.0 => "no_gradient",
            _ => self.kind(),
        }
    }

    /// The sentence's parameters by placeholder name, numbers formatted as
    /// both languages quote them (`magnitude`, percentages).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let count = |n: &dyn Display| n.to_string();
        match self {
            Finding::Diverged { step, layer } => {
                let mut params = vec![("step", count(step))];
                params.extend(layer.map(|l| ("layer", count(&l))));
                params
            }
            Finding::NonFinite { count: n } => vec![("count", count(n))],
            Finding::BatchOfOne | Finding::BatchOfTwo | Finding::Healthy => Vec::new(),
            Finding::GroupsOfOne { groups } => vec![("groups", count(groups))],
            Finding::Signal { factor, last } => {
                let shown = magnitude(if *factor < 1.0 { 1.0 / factor } else { *factor });
                vec![("factor", shown), ("last", count(last))]
            }
            Finding::Saturated {
                first,
                last,
                share,
                activation,
            } => {
                let mut params = vec![("first", count(first))];
                params.extend((first != last).then(|| ("last", count(last))));
                params.push(("share", percent(*share)));
                params.push(("activation", activation.name().to_string()));
                params
            }
            Finding::Dead { layer, share } => {
                vec![("share", percent(*share)), ("layer", count(layer))]
            }
            Finding::Collapsed { layer, cosine } => {
                vec![("layer", count(layer)), ("cosine", format!("{cosine:.3}"))]
            }
            Finding::Gradient { factor, last } if *factor == 0.0 => vec![("last", count(last))],
            Finding::Gradient { factor, last } => {
                vec![("factor", magnitude(*factor)), ("last", count(last))]
            }
            Finding::Update { layer, ratio } => {
                vec![("layer", count(layer)), ("ratio", magnitude(*ratio))]
            }
        }
    }

    /// The preset that explains this finding, if any.
    pub fn link(&self) -> Option<Link> {
        match self {
            Finding::Diverged { .. } | Finding::NonFinite { .. } => Some(BLOW_UP),
            Finding::BatchOfOne | Finding::BatchOfTwo => Some(BATCH_SIZE),
            Finding::Signal { .. } | Finding::Collapsed { .. } => Some(VANISHING),
            Finding::Gradient { factor, .. } if *factor < 1.0 => Some(RESCUE),
            Finding::Saturated { .. } | Finding::Gradient { .. } => Some(SATURATION),
            Finding::Dead { .. } => Some(RELU_INIT),
            Finding::Update { .. } => Some(KARPATHY),
            Finding::GroupsOfOne { .. } | Finding::Healthy => None,
        }
    }

    /// A short machine name of the kind, for tests and the page.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Diverged { .. } => "diverged",
            Finding::NonFinite { .. } => "nonfinite",
            Finding::BatchOfOne => "batch_of_one",
            Finding::BatchOfTwo => "batch_of_two",
            Finding::GroupsOfOne { .. } => "groups_of_one",
            Finding::Signal { factor, .. } if *factor < 1.0 => "vanishing_signal",
            Finding::Signal { .. } => "exploding_signal",
            Finding::Saturated { .. } => "saturated",
            Finding::Dead { .. } => "dead",
            Finding::Collapsed { .. } => "collapsed",
            Finding::Gradient { factor, .. } if *factor < 1.0 => "vanishing_gradient",
            Finding::Gradient { .. } => "exploding_gradient",
            Finding::Update { ratio, .. } if *ratio < UPDATE_RATIO_LOW => "slow_update",
            Finding::Update { .. } => "fast_update",
            Finding::Healthy => "healthy",
        }
    }
}

/// The findings for `stats` measured on a network of `config`, most severe
/// first; `[Healthy]` when no rule fires.
pub fn diagnose(config: &Config, stats: &Stats) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(d) = &stats.diverged {
        findings.push(Finding::Diverged {
            step: d.step,
            layer: d.layer,
        });
    } else if stats.nonfinite > 0 {
        findings.push(Finding::NonFinite {
            count: stats.nonfinite,
        });
    }
    match (config.norm, config.batch) {
        (NormKind::Batch, 1) => findings.push(Finding::BatchOfOne),
        (NormKind::Batch, 2) => findings.push(Finding::BatchOfTwo),
        _ => {}
    }
    if config.norm == NormKind::Group && config.groups == config.width {
        findings.push(Finding::GroupsOfOne {
            groups: config.groups,
        });
    }
    let layers = &stats.layers;
    if layers.is_empty() || !findings.is_empty() && stats.nonfinite > 0 {
        return finish(findings);
    }
    let last = layers.len();
    let (first_layer, last_layer) = (&layers[0], &layers[last - 1]);
    if last > 1 {
        if let (Some(a), Some(b)) = (first_layer.sample_spread, last_layer.sample_spread) {
            let factor = b / a;
            if a > 0.0 && !(SIGNAL_RATIO..=1.0 / SIGNAL_RATIO).contains(&factor) {
                findings.push(Finding::Signal { factor, last });
            }
        }
        let factor = first_layer.grad.std / last_layer.grad.std;
        if last_layer.grad.std > 0.0
            && factor.is_finite()
            && !(GRADIENT_RATIO..=1.0 / GRADIENT_RATIO).contains(&factor)
        {
            findings.push(Finding::Gradient { factor, last });
        }
    }
    if let Some(finding) = saturated(config.activation, layers) {
        findings.push(finding);
    }
    let dead = layers
        .iter()
        .filter_map(|l| l.dead.map(|share| (l.layer, share)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((layer, share)) = dead.filter(|(_, share)| *share >= DEAD_SHARE) {
        findings.push(Finding::Dead { layer, share });
    }
    let collapsed = layers
        .iter()
        .position(|l| l.sample_cosine.is_some_and(|c| c > COLLAPSE_COSINE));
    // Collapse counts only if it lasts to the output.
    if let Some(i) = collapsed.filter(|_| {
        last_layer
            .sample_cosine
            .is_some_and(|c| c > COLLAPSE_COSINE)
    }) {
        findings.push(Finding::Collapsed {
            layer: layers[i].layer,
            cosine: last_layer.sample_cosine.unwrap_or(1.0),
        });
    }
    if let Some(finding) = update(layers) {
        findings.push(finding);
    }
    finish(findings)
}

fn finish(mut findings: Vec<Finding>) -> Vec<Finding> {
    if findings.is_empty() {
        findings.push(Finding::Healthy);
    }
    findings
}

/// The longest run of saturated layers, with its largest share.
fn saturated(activation: Activation, layers: &[LayerStats]) -> Option<Finding> {
    let mut best: Option<(usize, usize, f32)> = None;
    let mut run: Option<(usize, usize, f32)> = None;
    for l in layers {
        match l.saturated.filter(|s| *s >= SATURATED_SHARE) {
            Some(share) => {
                let (first, _, top) = run.unwrap_or((l.layer, l.layer, 0.0));
                run = Some((first, l.layer, top.max(share)));
            }
            None => run = None,
        }
        if let Some(r) = run {
            if best.map_or(true, |b| r.1 - r.0 > b.1 - b.0) {
                best = Some(r);
            }
        }
    }
    best.map(|(first, last, share)| Finding::Saturated {
        first,
        last,
        share,
        activation,
    })
}

/// The layer whose update:data ratio lies farthest outside
/// [`UPDATE_RATIO_LOW`]..[`UPDATE_RATIO_HIGH`] (in decades), if any does.
fn update(layers: &[LayerStats]) -> Option<Finding> {
    let distance = |r: f32| {
        if r < UPDATE_RATIO_LOW {
            (UPDATE_RATIO_LOW / r).log10()
        } else if r > UPDATE_RATIO_HIGH {
            (r / UPDATE_RATIO_HIGH).log10()
        } else {
            0.0
        }
    };
    layers
        .iter()
        .filter_map(|l| {
            l.update_data_ratio
                .filter(|r| *r > 0.0)
                .map(|r| (l.layer, r))
        })
        .filter(|(_, r)| distance(*r) > 0.0)
        .max_by(|a, b| distance(a.1).total_cmp(&distance(b.1)))
        .map(|(layer, ratio)| Finding::Update { layer, ratio })
}

/// The findings as JSON: `[{"kind", "code", "params", "text", "link": {"preset",
/// "title", "query"} | null}]`, for the page (both the JS `Scope` and the JS
/// `Frame` hand this out), which words `diagnosis.<code>` with `params` in its
/// language; `text` is the English sentence.
pub fn diagnosis_json(config: &Config, stats: &Stats) -> String {
    let findings: Vec<serde_json::Value> = diagnose(config, stats)
        .iter()
        .map(|f| {
            serde_json::json!({
                "kind": f.kind(),
                "code": f.code(),
                "params": serde_json::Map::from_iter(f.params().into_iter().map(|(k, v)| (k.to_string(), v.into()))),
                "text": f.text(),
                "link": f.link().map(|l| serde_json::json!({"preset": l.preset, "title": l.title, "query": l.query})),
            })
        })
        .collect();
    serde_json::Value::Array(findings).to_string()
}
