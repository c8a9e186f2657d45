//! The core's error type: every message names what was wrong and what is allowed.
//!
//! Each error also has a `code()` and `params()`, so that a page can write it in
//! the reader's language (`errors.<code>` in `www/i18n/<lang>/errors.json`, its
//! `{placeholders}` named after the params) without parsing the English text.
//! [`Error::CODES`] lists every code; the catalogue test checks each has a message.

use std::fmt;

/// What a key allows, when a value is refused: each case has its own code.
#[derive(Debug, Clone, PartialEq)]
pub enum Allowed {
    /// An integer in `min..=max`.
    Int { min: u32, max: u32 },
    /// A number in `[min, max]`, or `(min, max]` when `min_open` (bounds as written).
    Number {
        min: String,
        max: String,
        min_open: bool,
    },
    /// One of a list of names.
    OneOf(Vec<String>),
    /// `true` or `false`.
    Bool,
    /// Groups: a divisor of the width (GroupNorm).
    Divisor { width: usize },
    /// The formulas a norm admits.
    FormulaFor { norm: String, formulas: Vec<String> },
    /// A network small enough for a PyTorch script (`mb` > `limit` MB).
    TorchSize {
        mb: u64,
        depth: usize,
        width: usize,
        limit: u64,
    },
    /// At least 2 samples, where PyTorch refuses a batch of 1: BatchNorm in
    /// train mode, or GroupNorm with one unit per group (`group`).
    TorchBatch { group: bool },
}

impl Allowed {
    fn code(&self) -> &'static str {
        match self {
            Allowed::Int { .. } => "invalid_int",
            Allowed::Number {
                min_open: false, ..
            } => "invalid_number",
            Allowed::Number { min_open: true, .. } => "invalid_number_open",
            Allowed::OneOf(_) => "invalid_choice",
            Allowed::Bool => "invalid_bool",
            Allowed::Divisor { .. } => "groups_not_divisor",
            Allowed::FormulaFor { .. } => "formula_not_for_norm",
            Allowed::TorchSize { .. } => "torch_too_large",
            Allowed::TorchBatch { group: false } => "torch_batch_train",
            Allowed::TorchBatch { group: true } => "torch_batch_group",
        }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Allowed::Int { min, max } => vec![("min", min.to_string()), ("max", max.to_string())],
            Allowed::Number { min, max, .. } => vec![("min", min.clone()), ("max", max.clone())],
            Allowed::OneOf(names) => vec![("choices", names.join(", "))],
            Allowed::Bool => vec![],
            Allowed::Divisor { width } => vec![("width", width.to_string())],
            Allowed::FormulaFor { norm, formulas } => {
                vec![("norm", norm.clone()), ("formulas", formulas.join(", "))]
            }
            Allowed::TorchSize {
                mb,
                depth,
                width,
                limit,
            } => vec![
                ("mb", mb.to_string()),
                ("depth", depth.to_string()),
                ("width", width.to_string()),
                ("limit", limit.to_string()),
            ],
            Allowed::TorchBatch { .. } => vec![],
        }
    }
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowed::Int { min, max } => write!(f, "an integer in {min}..={max}"),
            Allowed::Number { min, max, min_open } => {
                let open = if *min_open { '(' } else { '[' };
                write!(f, "a number in {open}{min}, {max}]")
            }
            Allowed::OneOf(names) => write!(f, "one of {}", names.join(", ")),
            Allowed::Bool => f.write_str("true or false"),
            Allowed::Divisor { width } => write!(
                f,
                "a divisor of width {width} with norm=group (torch: num_channels must be divisible by num_groups)"
            ),
            Allowed::FormulaFor { norm, formulas } => {
                write!(f, "with norm={norm}: {}", formulas.join(", "))
            }
            Allowed::TorchSize {
                mb,
                depth,
                width,
                limit,
            } => write!(
                f,
                "a smaller network for a PyTorch script: this one would take about {mb} MB \
                 (depth {depth} x width {width}; the limit is {limit} MB)"
            ),
            Allowed::TorchBatch { group } => write!(
                f,
                "at least 2 for a PyTorch script with {}: PyTorch refuses a batch of 1 there \
                 (\"Expected more than 1 value per channel when training\")",
                if *group {
                    "norm=group with groups = width"
                } else {
                    "norm=batch in mode=train"
                }
            ),
        }
    }
}

/// An error from the numeric core. The facade turns it into a JS `Error` whose
/// message is `to_string()` of this value, with `code` and `params` beside it.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A known key with a value outside its range or list.
    InvalidValue {
        key: String,
        value: String,
        allowed: Allowed,
    },
    /// A key that is not in the config table.
    UnknownKey { key: String, known: String },
    /// A pair with no `=`.
    MissingEquals { pair: String },
    /// A key given more than once.
    RepeatedKey { key: String },
    /// Bytes or a call that no user input produces (a corrupt frame, a
    /// comparison without B): English only, under code `malformed`.
    Malformed(String),
    /// A `vs.` key that B cannot change (see `compare.rs`), and why.
    CannotDiffer { key: String, reason: String },
    /// A config whose memory estimate (`memory.rs`) passes the budget: what
    /// it needs, the budget, and the keys that lower it ("depth, width, batch").
    OverBudget {
        needs_mib: u64,
        budget_mib: u64,
        keys: String,
    },
}

impl Error {
    /// Every code [`Error::code`] returns.
    pub const CODES: &'static [&'static str] = &[
        "invalid_int",
        "invalid_number",
        "invalid_number_open",
        "invalid_choice",
        "invalid_bool",
        "groups_not_divisor",
        "formula_not_for_norm",
        "torch_too_large",
        "torch_batch_train",
        "torch_batch_group",
        "unknown_key",
        "missing_equals",
        "repeated_key",
        "malformed",
        "cannot_differ",
        "over_budget",
    ];

    /// The error's code, snake_case: the catalogue key is `errors.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidValue { allowed, .. } => allowed.code(),
            Error::UnknownKey { .. } => "unknown_key",
            Error::MissingEquals { .. } => "missing_equals",
            Error::RepeatedKey { .. } => "repeated_key",
            Error::Malformed(_) => "malformed",
            Error::CannotDiffer { .. } => "cannot_differ",
            Error::OverBudget { .. } => "over_budget",
        }
    }

    /// The values the message quotes, by placeholder name.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            Error::InvalidValue {
                key,
                value,
                allowed,
            } => {
                let mut params = vec![("key", key.clone()), ("value", value.clone())];
                params.extend(allowed.params());
                params
            }
            Error::UnknownKey { key, known } => {
                vec![("key", key.clone()), ("known", known.clone())]
            }
            Error::MissingEquals { pair } => vec![("pair", pair.clone())],
            Error::RepeatedKey { key } => vec![("key", key.clone())],
            Error::Malformed(message) => vec![("message", message.clone())],
            Error::CannotDiffer { key, .. } => vec![("key", key.clone())],
            Error::OverBudget {
                needs_mib,
                budget_mib,
                keys,
            } => vec![
                ("needs_mib", needs_mib.to_string()),
                ("budget_mib", budget_mib.to_string()),
                ("keys", keys.clone()),
            ],
        }
    }

    /// The key the error names, if any (the page marks that key's control).
    pub fn key(&self) -> Option<&str> {
        match self {
            Error::InvalidValue { key, .. }
            | Error::UnknownKey { key, .. }
            | Error::RepeatedKey { key }
            | Error::CannotDiffer { key, .. } => Some(key),
            Error::MissingEquals { .. } | Error::Malformed(_) | Error::OverBudget { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidValue {
                key,
                value,
                allowed,
            } => write!(f, "invalid value {value:?} for '{key}': allowed {allowed}"),
            Error::UnknownKey { key, known } => {
                write!(f, "unknown key '{key}': known keys are {known}")
            }
            Error::MissingEquals { pair } => {
                write!(f, "'{pair}' has no '=': write key=value, e.g. depth=8")
            }
            Error::RepeatedKey { key } => write!(f, "key '{key}' is given more than once"),
            Error::Malformed(message) => f.write_str(message),
            Error::CannotDiffer { key, reason } => {
                write!(f, "'{key}' cannot be set: {reason}")
            }
            Error::OverBudget {
                needs_mib,
                budget_mib,
                keys,
            } => write!(
                f,
                "this network needs about {needs_mib} MiB of memory, more than the \
                 {budget_mib} MiB allowed; lower one of {keys}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with the core's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
