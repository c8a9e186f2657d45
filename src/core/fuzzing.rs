//! What each fuzz target runs, as plain functions, so that the cargo-fuzz
//! targets in `fuzz/` (nightly, libFuzzer) and `tests/fuzz_corpus.rs` (stable,
//! replaying every committed corpus file) call the same code.
//!
//! Each function takes arbitrary bytes and panics only when an invariant
//! breaks: a refusal must be an `Err` with a message, never a panic, and what
//! the core accepts must round-trip. Inputs are bounded (the scope target maps
//! its bytes onto a small network and a few steps) so that one runs in
//! milliseconds.

use crate::core::config::{Config, Kind, KEYS};
use crate::core::frame::{Frame, FrameRequest};
use crate::core::scope::Scope;

/// What one fuzz target runs on one input.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/<name>.rs` and
/// `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("config_query", config_query),
    ("scope_steps", scope_steps),
    ("frame_bytes", frame_bytes),
];

/// The config parser and query normalization: strict parsing either refuses
/// with a message or gives a valid config whose canonical query parses back to
/// it; lenient parsing (the page's URL path) always gives a valid config.
pub fn config_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match text.parse::<Config>() {
        Ok(config) => {
            assert!(config.validate().is_ok(), "parsed but invalid: {text:?}");
            assert_round_trip(&config);
        }
        Err(error) => assert!(!error.to_string().is_empty(), "empty error for {text:?}"),
    }
    let (config, errors) = Config::from_query_lenient(&text);
    assert!(
        config.validate().is_ok(),
        "lenient config invalid: {text:?}"
    );
    assert!(errors.iter().all(|e| !e.to_string().is_empty()));
    assert_round_trip(&config);
}

fn assert_round_trip(config: &Config) {
    let query = config.to_query();
    let again: Config = match query.parse() {
        Ok(again) => again,
        Err(error) => panic!("canonical query {query:?} refused: {error}"),
    };
    assert_eq!(&again, config, "{query:?} does not parse back to itself");
}

/// Reads fuzz bytes as choices; zeros once the bytes run out.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        *first
    }

    fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n.max(1)
    }

    fn float(&mut self) -> f32 {
        f32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

/// The largest network the scope target builds: each input runs in milliseconds.
const MAX_DEPTH: u32 = 4;
const MAX_WIDTH: u32 = 16;
const MAX_BATCH: u32 = 32;
const MAX_STEPS: usize = 5;

/// Floats the scope target tries besides raw bit patterns (edges of the ranges).
const FLOATS: &[f32] = &[1e-6, 1e-3, 0.05, 0.1, 0.5, 1.0, 3.0, 10.0, 100.0];

/// The value text of one key, drawn from `choices` within the target's bounds.
fn value_text(name: &str, kind: Kind, choices: &mut Choices) -> String {
    match kind {
        Kind::Int { min, max } => {
            let max = match name {
                "depth" => MAX_DEPTH,
                "width" | "groups" => MAX_WIDTH,
                "batch" => MAX_BATCH,
                _ => max,
            };
            let span = (max - min) as usize + 1;
            (min as usize + choices.below(span)).to_string()
        }
        Kind::Float { .. } => match choices.below(3) {
            0 => FLOATS[choices.below(FLOATS.len())].to_string(),
            _ => choices.float().to_string(),
        },
        Kind::Choice(names) => names[choices.below(names.len())].to_string(),
        Kind::Bool => (choices.byte() % 2 == 1).to_string(),
    }
}

/// Maps bytes onto a small valid config: every key drawn in table order; a
/// value the table refuses keeps the default, a group count that does not
/// divide the width becomes 1.
pub fn small_config(data: &[u8]) -> (Config, usize) {
    let mut choices = Choices(data);
    let mut config = Config::default();
    for key in KEYS {
        let text = value_text(key.name, key.kind, &mut choices);
        let _ = config.set(key.name, &text);
    }
    // Cross-key rules (groups must divide the width, a formula must apply to
    // the norm): fall back to values every config accepts.
    if config.validate().is_err() {
        config.groups = 1;
    }
    if config.validate().is_err() {
        let _ = config.set("formula", "torch");
    }
    let steps = choices.below(MAX_STEPS + 1);
    (config, steps)
}

/// Builds a Scope from a small config, steps it, and takes every export: the
/// statistics, the snapshot, a frame (which must decode again) and the
/// PyTorch script (which may only refuse with a message).
pub fn scope_steps(data: &[u8]) {
    let (config, steps) = small_config(data);
    let query = config.to_query();
    let mut scope = match Scope::new(config) {
        Ok(scope) => scope,
        Err(error) => panic!("valid config {query:?} refused: {error}"),
    };
    let taken = scope.step(steps);
    assert!(taken <= steps);
    let depth = scope.config().depth;
    assert_eq!(scope.stats().layers.len(), depth);
    assert!(scope.snapshot().to_json().starts_with('{'));
    let request = FrameRequest {
        layer: Some(depth),
        decision: Some(8),
    };
    let bytes = Frame::of(&mut scope, request).to_bytes();
    if let Err(error) = Frame::from_bytes(&bytes) {
        panic!("a frame of {query:?} does not decode: {error}");
    }
    if let Err(error) = crate::core::torch_script::torch_script(&mut scope) {
        assert!(!error.to_string().is_empty());
    }
}

/// The binary frame decoder: arbitrary bytes are refused with a message or
/// give a frame whose bytes decode again.
pub fn frame_bytes(data: &[u8]) {
    match Frame::from_bytes(data) {
        Ok(frame) => {
            if let Err(error) = Frame::from_bytes(&frame.to_bytes()) {
                panic!("a decoded frame does not decode again: {error}");
            }
            let _ = frame.stats.to_csv();
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}
