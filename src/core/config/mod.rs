//! `Config`: the one table of keys that the URL, the JS API, the page's controls,
//! the snapshot and the docs all read.
//!
//! [`KEYS`] (in `keys.rs`) lists every key with its kind, range and default.
//! Parsing ([`Config::from_str`]), printing ([`Config::to_query`]), validation and
//! the JSON schema handed to the page ([`schema_json`]) all walk this table; there
//! is no second list of keys anywhere. The closed sets of names (activations,
//! inits, norms, ...) are in `choices.rs`.

mod choices;
mod keys;

pub use choices::*;
pub use keys::{schema_json, Key, Kind, KEYS};

use std::fmt::Write as _;
use std::str::FromStr;

use super::error::{Allowed, Error, Result};
use super::linear::linear_flops;

/// A complete, validated configuration. Build one with `"depth=10".parse()` or
/// [`Config::default`]; every field is within the range of its [`KEYS`] row.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub depth: usize,
    pub width: usize,
    pub activation: Activation,
    pub init: InitScheme,
    pub scale: f32,
    pub norm: NormKind,
    pub groups: usize,
    pub position: Position,
    pub residual: Residual,
    pub affine: bool,
    pub eps: f32,
    pub formula: Formula,
    pub momentum: f32,
    pub mode: Mode,
    pub batch: usize,
    pub dataset: Dataset,
    pub noise: f32,
    pub optimizer: Optimizer,
    pub lr: f32,
    /// Linear learning-rate warmup steps (0: none); see `optim::warmup_factor`.
    pub warmup: u32,
    pub seed: u32,
}

/// A value checked against its key's [`Kind`].
enum Value<'a> {
    Int(u32),
    Float(f32),
    Name(&'a str),
    Bool(bool),
}

impl Default for Config {
    fn default() -> Self {
        let mut config = Config {
            depth: 0,
            width: 0,
            activation: Activation::Tanh,
            init: InitScheme::XavierUniform,
            scale: 0.0,
            norm: NormKind::None,
            groups: 0,
            position: Position::Before,
            residual: Residual::None,
            affine: true,
            eps: 0.0,
            formula: Formula::Torch,
            momentum: 0.0,
            mode: Mode::Train,
            batch: 0,
            dataset: Dataset::Spiral,
            noise: 0.0,
            optimizer: Optimizer::Sgd,
            lr: 0.0,
            warmup: 0,
            seed: 0,
        };
        for key in KEYS {
            // The table's defaults are checked by the `defaults_are_valid` test.
            let _ = config.set(key.name, key.default);
        }
        config
    }
}

impl Config {
    /// Looks up a key's row in [`KEYS`].
    pub fn key(name: &str) -> Option<&'static Key> {
        KEYS.iter().find(|key| key.name == name)
    }

    /// Sets one key from its text form, validating it against the table. On error
    /// the config is unchanged.
    pub fn set(&mut self, name: &str, text: &str) -> Result<()> {
        let key = Config::key(name).ok_or_else(|| Error::UnknownKey {
            key: name.to_string(),
            known: KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", "),
        })?;
        let invalid = || Error::InvalidValue {
            key: name.to_string(),
            value: text.to_string(),
            allowed: key.kind.allowed_values(),
        };
        let value = match key.kind {
            Kind::Int { min, max } => {
                let v: u32 = text.trim().parse().map_err(|_| invalid())?;
                if v < min || v > max {
                    return Err(invalid());
                }
                Value::Int(v)
            }
            Kind::Float { min, max, min_open } => {
                let v: f32 = text.trim().parse().map_err(|_| invalid())?;
                let above_min = if min_open { v > min } else { v >= min };
                if !v.is_finite() || !above_min || v > max {
                    return Err(invalid());
                }
                Value::Float(v)
            }
            Kind::Choice(names) => {
                let name = names.iter().find(|n| **n == text).ok_or_else(invalid)?;
                Value::Name(name)
            }
            Kind::Bool => match text {
                "true" | "1" => Value::Bool(true),
                "false" | "0" => Value::Bool(false),
                _ => return Err(invalid()),
            },
        };
        self.assign(name, value);
        Ok(())
    }

    /// Stores a value that [`Config::set`] has checked against the key's kind.
    fn assign(&mut self, name: &str, value: Value) {
        match (name, value) {
            ("depth", Value::Int(v)) => self.depth = v as usize,
            ("width", Value::Int(v)) => self.width = v as usize,
            ("groups", Value::Int(v)) => self.groups = v as usize,
            ("batch", Value::Int(v)) => self.batch = v as usize,
            ("seed", Value::Int(v)) => self.seed = v,
            ("warmup", Value::Int(v)) => self.warmup = v,
            ("scale", Value::Float(v)) => self.scale = v,
            ("eps", Value::Float(v)) => self.eps = v,
            ("momentum", Value::Float(v)) => self.momentum = v,
            ("noise", Value::Float(v)) => self.noise = v,
            ("lr", Value::Float(v)) => self.lr = v,
            ("affine", Value::Bool(v)) => self.affine = v,
            ("activation", Value::Name(v)) => {
                self.activation = Activation::from_name(v).unwrap_or(self.activation)
            }
            ("init", Value::Name(v)) => self.init = InitScheme::from_name(v).unwrap_or(self.init),
            ("norm", Value::Name(v)) => self.norm = NormKind::from_name(v).unwrap_or(self.norm),
            ("position", Value::Name(v)) => {
                self.position = Position::from_name(v).unwrap_or(self.position)
            }
            ("residual", Value::Name(v)) => {
                self.residual = Residual::from_name(v).unwrap_or(self.residual)
            }
            ("formula", Value::Name(v)) => {
                self.formula = Formula::from_name(v).unwrap_or(self.formula)
            }
            ("mode", Value::Name(v)) => self.mode = Mode::from_name(v).unwrap_or(self.mode),
            ("dataset", Value::Name(v)) => {
                self.dataset = Dataset::from_name(v).unwrap_or(self.dataset)
            }
            ("optimizer", Value::Name(v)) => {
                self.optimizer = Optimizer::from_name(v).unwrap_or(self.optimizer)
            }
            _ => unreachable!("KEYS row '{name}' has no field"),
        }
    }

    /// The canonical text form of one key's value.
    pub fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "depth" => self.depth.to_string(),
            "width" => self.width.to_string(),
            "activation" => self.activation.name().to_string(),
            "init" => self.init.name().to_string(),
            "scale" => self.scale.to_string(),
            "norm" => self.norm.name().to_string(),
            "groups" => self.groups.to_string(),
            "position" => self.position.name().to_string(),
            "residual" => self.residual.name().to_string(),
            "affine" => self.affine.to_string(),
            "eps" => self.eps.to_string(),
            "formula" => self.formula.name().to_string(),
            "momentum" => self.momentum.to_string(),
            "mode" => self.mode.name().to_string(),
            "batch" => self.batch.to_string(),
            "dataset" => self.dataset.name().to_string(),
            "noise" => self.noise.to_string(),
            "optimizer" => self.optimizer.name().to_string(),
            "lr" => self.lr.to_string(),
            "warmup" => self.warmup.to_string(),
            "seed" => self.seed.to_string(),
            _ => return None,
        })
    }

    /// Checks every field against its [`KEYS`] row (the fields are public, so a
    /// native caller can build any value) and the rules that involve more than
    /// one key.
    pub fn validate(&self) -> Result<()> {
        let mut scratch = Config::default();
        for key in KEYS {
            scratch.set(key.name, &self.get(key.name).unwrap_or_default())?;
        }
        if self.norm == NormKind::Group && self.width % self.groups != 0 {
            return Err(Error::InvalidValue {
                key: "groups".into(),
                value: self.groups.to_string(),
                allowed: Allowed::Divisor { width: self.width },
            });
        }
        let allowed = Formula::allowed_for(self.norm);
        if !allowed.contains(&self.formula) {
            return Err(Error::InvalidValue {
                key: "formula".into(),
                value: self.formula.name().into(),
                allowed: Allowed::FormulaFor {
                    norm: self.norm.name().into(),
                    formulas: allowed.iter().map(|f| f.name().to_string()).collect(),
                },
            });
        }
        Ok(())
    }

    /// Applies `key=value` pairs from a query string on top of `self`, all or
    /// nothing: on error `self` is unchanged. A leading `?` is ignored.
    pub fn apply_query(&mut self, query: &str) -> Result<()> {
        let mut next = self.clone();
        let mut seen: Vec<&str> = Vec::new();
        for pair in query_pairs(query) {
            let (name, raw) = pair.split_once('=').ok_or_else(|| Error::MissingEquals {
                pair: pair.to_string(),
            })?;
            if seen.contains(&name) {
                return Err(Error::RepeatedKey {
                    key: name.to_string(),
                });
            }
            seen.push(name);
            next.set(name, &percent_decode(raw))?;
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Parses a query string key by key, keeping the default for every key whose
    /// value is refused, and returns the errors (one per refused key) alongside.
    /// This is what a page does with a URL: show every problem, keep going.
    pub fn from_query_lenient(query: &str) -> (Config, Vec<Error>) {
        let mut config = Config::default();
        let mut errors = Vec::new();
        for pair in query_pairs(query) {
            let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
            if let Err(error) = config.set(name, &percent_decode(raw)) {
                errors.push(error);
            }
        }
        // The cross-key rules: a formula that does not apply falls back to
        // torch, a groups count that does not divide the width to the default
        // (or 1). Each refusal is reported once.
        for _ in 0..2 {
            let Err(error) = config.validate() else { break };
            if !Formula::allowed_for(config.norm).contains(&config.formula) {
                config.formula = Formula::Torch;
            } else {
                config.groups = Config::default().groups;
                if config.width % config.groups != 0 {
                    config.groups = 1;
                }
            }
            errors.push(error);
        }
        (config, errors)
    }

    /// The canonical query string: every key, in table order. `to_query().parse()`
    /// gives back an equal config.
    pub fn to_query(&self) -> String {
        let mut out = String::new();
        for key in KEYS {
            if !out.is_empty() {
                out.push('&');
            }
            let value = self.get(key.name).unwrap_or_default();
            let _ = write!(out, "{}={}", key.name, value);
        }
        out
    }

    /// `(key, value)` pairs in table order, for the snapshot and the JS face.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        KEYS.iter()
            .map(|key| (key.name, self.get(key.name).unwrap_or_default()))
            .collect()
    }

    /// Input dimension of the first Linear: 2 for the planar datasets, `width`
    /// for `gaussian`.
    pub fn input_dim(&self) -> usize {
        if self.dataset == Dataset::Gaussian {
            self.width
        } else {
            2
        }
    }

    /// Matmul floating-point operations of one training step (forward and
    /// backward of every Linear; the head's 2 outputs included), known before
    /// any weight is drawn, so the page can choose where to train.
    pub fn flops_per_step(&self) -> f64 {
        self.flops(self.batch)
    }

    /// The same for a forward and backward pass on `rows` rows: the one place
    /// the network's cost is counted.
    pub fn flops(&self, rows: usize) -> f64 {
        let first = linear_flops(rows, self.input_dim(), self.width, false);
        let hidden =
            self.depth.saturating_sub(1) as f64 * linear_flops(rows, self.width, self.width, true);
        first + hidden + linear_flops(rows, self.width, 2, true)
    }
}

impl FromStr for Config {
    type Err = Error;

    /// Parses a query string; missing keys take their defaults.
    fn from_str(query: &str) -> Result<Config> {
        let mut config = Config::default();
        config.apply_query(query)?;
        Ok(config)
    }
}

/// The `key=value` pieces of a query string: a leading `?` dropped, split on
/// `&`, empty pieces skipped. Shared by every query parser (config, chart options).
pub fn query_pairs(query: &str) -> impl Iterator<Item = &str> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
}

/// Decodes `%XX` escapes and `+` (as a space) in a query value; malformed
/// escapes are kept as they are, so the value is then refused by its key.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}
