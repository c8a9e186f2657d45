//! Two networks in lockstep: A, the config, and B, A with the keys the user
//! changed for B. In a query string B's differences are A's keys prefixed with
//! `vs.`: `depth=20&activation=tanh&vs.norm=layer` is A without normalization
//! against B with LayerNorm. A query with no `vs.` key is a single network.
//!
//! Lockstep: A and B share the seed, so they see the same dataset, the same
//! batches in the same order (unless B changes a key that shapes the data:
//! [`DATA_KEYS`]) and the same initial weights wherever their shapes agree (a
//! norm adds no random draw, so adding LayerNorm to B leaves every Linear weight
//! equal to A's). [`Lockstep::step`] steps both one step at a time, so both
//! always show the same step count, and stops both when either diverges.

use crate::core::config::{query_pairs, Config, KEYS};
use crate::core::error::{Error, Result};
use crate::core::scope::Scope;
use crate::core::stats::Divergence;
use crate::core::views::Extent;

/// The prefix of B's keys in a query string.
pub const VS_PREFIX: &str = "vs.";

/// Keys that A and B must share, and why.
pub const SHARED_KEYS: &[(&str, &str)] = &[(
    "seed",
    "A and B train in lockstep from one seed (the same data, batches and initial weights); set seed= for both",
)];

/// Keys that shape the data: when B changes one, A and B see different batches.
pub const DATA_KEYS: &[&str] = &["batch", "dataset", "noise"];

/// The [`DATA_KEYS`] that change the points themselves (the dataset), not
/// only how they are batched.
pub const POINT_KEYS: &[&str] = &["dataset", "noise"];

/// A config and, optionally, the config B compared against it.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub a: Config,
    pub b: Option<Config>,
    /// The first `vs.` key the query gave (canonical name), which the query
    /// keeps when B equals A, so that a link keeps the key its user typed.
    pub first_key: Option<&'static str>,
}

/// The canonical name of the first of B's keys that names a config key.
fn first_key(pairs: &[(&str, &str)]) -> Option<&'static str> {
    pairs
        .iter()
        .find_map(|(key, _)| Config::key(key).map(|k| k.name))
}

/// Splits a query into A's pairs and B's (`vs.`-prefixed, prefix removed).
fn split(query: &str) -> (String, Vec<(&str, &str)>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for pair in query_pairs(query) {
        match pair.strip_prefix(VS_PREFIX) {
            Some(rest) => b.push(rest.split_once('=').unwrap_or((rest, ""))),
            None => a.push(pair),
        }
    }
    (a.join("&"), b)
}

/// Names B's key in an error: `norm` becomes `vs.norm`.
fn for_b(error: Error) -> Error {
    match error {
        Error::InvalidValue {
            key,
            value,
            allowed,
        } => Error::InvalidValue {
            key: format!("{VS_PREFIX}{key}"),
            value,
            allowed,
        },
        Error::UnknownKey { key, known } => Error::UnknownKey {
            key: format!("{VS_PREFIX}{key}"),
            known,
        },
        other => other,
    }
}

/// B: `a` with `pairs` applied, all or nothing.
fn b_of(a: &Config, pairs: &[(&str, &str)]) -> Result<Config> {
    let mut b = a.clone();
    let mut seen: Vec<&str> = Vec::new();
    for &(key, value) in pairs {
        if let Some((_, reason)) = SHARED_KEYS.iter().find(|(k, _)| *k == key) {
            return Err(Error::CannotDiffer {
                key: format!("{VS_PREFIX}{key}"),
                reason: reason.to_string(),
            });
        }
        if seen.contains(&key) {
            return Err(Error::RepeatedKey {
                key: format!("{VS_PREFIX}{key}"),
            });
        }
        seen.push(key);
        b.set(key, value).map_err(for_b)?;
    }
    b.validate().map_err(for_b)?;
    Ok(b)
}

impl Comparison {
    /// A single network, no B.
    pub fn single(a: Config) -> Comparison {
        Comparison {
            a,
            b: None,
            first_key: None,
        }
    }

    /// Parses strictly: any refused key, A's or B's, is an error.
    pub fn parse(query: &str) -> Result<Comparison> {
        let (a_query, b_pairs) = split(query);
        let a: Config = a_query.parse()?;
        let b = match b_pairs.is_empty() {
            true => None,
            false => Some(b_of(&a, &b_pairs)?),
        };
        Ok(Comparison {
            a,
            b,
            first_key: first_key(&b_pairs),
        })
    }

    /// Parses as a page does: A leniently (refused keys take their defaults), and
    /// B all or nothing: a refused `vs.` key drops B, so the figure shows A alone.
    /// Returns one error per refused key.
    pub fn parse_lenient(query: &str) -> (Comparison, Vec<Error>) {
        let (a_query, b_pairs) = split(query);
        let (a, mut errors) = Config::from_query_lenient(&a_query);
        let b = match b_pairs.is_empty() {
            true => None,
            false => b_of(&a, &b_pairs).map_err(|e| errors.push(e)).ok(),
        };
        let first_key = b.as_ref().and(first_key(&b_pairs));
        (Comparison { a, b, first_key }, errors)
    }

    /// The keys in which B differs from A, in table order (empty for a single
    /// network, and for a B equal to A).
    pub fn differences(&self) -> Vec<&'static str> {
        let Some(b) = &self.b else {
            return Vec::new();
        };
        KEYS.iter()
            .map(|key| key.name)
            .filter(|name| self.a.get(name) != b.get(name))
            .collect()
    }

    /// Whether A and B see different batches (B changes a [`DATA_KEYS`] key).
    pub fn data_differs(&self) -> bool {
        self.differences().iter().any(|k| DATA_KEYS.contains(k))
    }

    /// The rectangle both decision charts cover when B's dataset differs from
    /// A's (B changes `dataset` or `noise`): the union of both datasets'
    /// extents, so that equal pixels are equal inputs. None when the points
    /// are the same (each side's own extent is then the same one), without B,
    /// or when either dataset is not 2-D (it has no decision chart).
    pub fn decision_extent(&self) -> Option<Extent> {
        let b = self.b.as_ref()?;
        let points_differ = self.differences().iter().any(|k| POINT_KEYS.contains(k));
        if !points_differ {
            return None;
        }
        let extent = |config: &Config| Extent::of(&Scope::dataset(config));
        Some(extent(&self.a)?.union(extent(b)?))
    }

    /// A's canonical query, then `vs.key=value` for each difference. A B equal
    /// to A keeps one `vs.` pair so that it stays a comparison: the first key
    /// its query gave (`vs.norm=none` stays `vs.norm=none`).
    pub fn to_query(&self) -> String {
        let mut query = self.a.to_query();
        if let Some(b) = &self.b {
            let mut keys = self.differences();
            if keys.is_empty() {
                keys.push(self.first_key.unwrap_or(KEYS[0].name));
            }
            for key in keys {
                let value = b.get(key).unwrap_or_default();
                query.push_str(&format!("&{VS_PREFIX}{key}={value}"));
            }
        }
        query
    }

    /// B against A: the same comparison with the sides exchanged (a single
    /// network stays as it is).
    pub fn swapped(&self) -> Comparison {
        match &self.b {
            Some(b) => Comparison {
                a: b.clone(),
                b: Some(self.a.clone()),
                first_key: self.first_key,
            },
            None => self.clone(),
        }
    }
}

/// Which of the two networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// B's per-layer statistics relative to A's, for the difference readout.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerRatio {
    /// 1-based hidden layer.
    pub layer: usize,
    /// std of B's layer output over A's.
    pub out_std: f32,
    /// std of B's dL/dh over A's.
    pub grad_std: f32,
}

/// A and B trained side by side, always at the same step.
#[derive(Debug, Clone)]
pub struct Lockstep {
    pub a: Scope,
    pub b: Scope,
}

impl Lockstep {
    /// Builds both networks, their decision regions over one extent
    /// ([`Comparison::decision_extent`]); None in `b` of `comparison` is an
    /// error (use a plain [`Scope`] for a single network).
    pub fn new(comparison: &Comparison) -> Result<Lockstep> {
        let b = comparison.b.clone().ok_or_else(|| {
            Error::Malformed("a comparison needs at least one vs. key".to_string())
        })?;
        let (mut a, mut b) = (Scope::new(comparison.a.clone())?, Scope::new(b)?);
        let extent = comparison.decision_extent();
        a.set_decision_extent(extent);
        b.set_decision_extent(extent);
        Ok(Lockstep { a, b })
    }

    /// Takes up to `n` steps on both, one step each at a time; stops both as
    /// soon as either has diverged. Returns the steps taken (the same for both).
    pub fn step(&mut self, n: usize) -> usize {
        let mut taken = 0;
        while taken < n && self.diverged().is_none() {
            self.a.step(1);
            self.b.step(1);
            taken += 1;
        }
        taken
    }

    /// Training steps taken (equal for A and B).
    pub fn steps(&self) -> u64 {
        self.a.steps()
    }

    /// The first network that diverged (A when both did at the same step), and where.
    pub fn diverged(&self) -> Option<(Side, &Divergence)> {
        match (self.a.diverged(), self.b.diverged()) {
            (Some(a), Some(b)) if b.step < a.step => Some((Side::B, b)),
            (Some(a), _) => Some((Side::A, a)),
            (None, Some(b)) => Some((Side::B, b)),
            (None, None) => None,
        }
    }

    /// Per hidden layer present in both, B's activation and gradient std over
    /// A's (NaN where A's is 0 and B's too; infinite where only A's is 0).
    pub fn layer_ratios(&mut self) -> Vec<LayerRatio> {
        let a = self.a.stats().layers.clone();
        let b = &self.b.stats().layers;
        a.iter()
            .zip(b)
            .map(|(a, b)| LayerRatio {
                layer: a.layer,
                out_std: b.out.std / a.out.std,
                grad_std: b.grad.std / a.grad.std,
            })
            .collect()
    }
}
