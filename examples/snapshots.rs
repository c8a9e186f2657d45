//! Writes the network snapshots that `tests/fixtures/make_fixtures.py` rebuilds
//! in PyTorch (the first half of the whole-network reference fixtures).
//!
//! Reads `tests/fixtures/net/configs.txt`: one config query string per line,
//! optionally followed by ` steps=K` (train K steps first); `#` starts a comment.
//! For each line it builds `Scope::new(config)`, takes K steps and writes
//! `scope.snapshot().to_json()` to `tests/fixtures/net/snapshots/<name>.json`,
//! where `<name>` is the line with `&` -> `_`, `=` -> `-` and ` ` -> `_`.
//! Snapshots of configs no longer listed are removed.
//!
//! `config.formula` is left out when it is `torch` (its default), so that the
//! snapshots made before the key existed stay byte for byte as committed.
//!
//! Two changes keep the committed fixtures small (under 700 KB with the
//! expected files): `stats.layers` (per-layer summaries and histograms, more
//! than half the bytes, not needed to rebuild the network; the tests compare
//! the network's buffers instead) is left out, and numbers are spelled in their
//! shortest float32 form (`to_json` prints each f32 widened to f64, e.g.
//! `0.10000000149011612` for `0.1f32`); the parsed values are the same f32s.
//!
//! Run with `cargo run --release --example snapshots`, then
//! `/path/to/python tests/fixtures/make_fixtures.py`.

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use normscope::{Config, Scope};
use serde_json::Value;

fn main() -> ExitCode {
    match run() {
        Ok(written) => {
            eprintln!("snapshots: wrote {written} snapshots");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("snapshots: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// One line of `configs.txt`: the query and the number of training steps.
fn parse_line(line: &str) -> Result<Option<(String, usize)>, String> {
    let line = line.split('#').next().unwrap_or_default().trim();
    if line.is_empty() {
        return Ok(None);
    }
    let mut words = line.split_whitespace();
    let query = words.next().unwrap_or_default().to_string();
    let steps = match words.next() {
        None => 0,
        Some(word) => word
            .strip_prefix("steps=")
            .and_then(|k| k.parse().ok())
            .ok_or_else(|| format!("'{line}': after the query expected 'steps=K', got '{word}'"))?,
    };
    if let Some(extra) = words.next() {
        return Err(format!("'{line}': unexpected '{extra}' after steps"));
    }
    Ok(Some((query, steps)))
}

/// The file stem of a config line.
fn name_of(query: &str, steps: usize) -> String {
    let stem = query.replace('&', "_").replace('=', "-");
    if steps > 0 {
        format!("{stem}_steps-{steps}")
    } else {
        stem
    }
}

fn run() -> Result<usize, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/net");
    let list = root.join("configs.txt");
    let text = fs::read_to_string(&list).map_err(|e| format!("{}: {e}", list.display()))?;
    let out_dir = root.join("snapshots");
    fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut names = Vec::new();
    for line in text.lines() {
        let Some((query, steps)) = parse_line(line)? else {
            continue;
        };
        let config: Config = query.parse().map_err(|e| format!("'{query}': {e}"))?;
        let mut scope = Scope::new(config).map_err(|e| format!("'{query}': {e}"))?;
        let taken = scope.step(steps);
        if taken != steps || scope.diverged().is_some() {
            return Err(format!("'{query}' diverged after {taken} of {steps} steps"));
        }
        let name = name_of(&query, steps);
        let path = out_dir.join(format!("{name}.json"));
        let mut snapshot = scope.snapshot();
        if let Value::Object(stats) = &mut snapshot.stats {
            stats.remove("layers");
        }
        if snapshot.config.get("formula") == Some(&Value::from("torch")) {
            snapshot.config.shift_remove("formula");
        }
        let text = compact_numbers(&snapshot.to_json()) + "\n";
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        names.push(format!("{name}.json"));
    }
    let entries = fs::read_dir(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.ends_with(".json") && !names.contains(&file) {
            fs::remove_file(entry.path()).map_err(|e| format!("{file}: {e}"))?;
        }
    }
    Ok(names.len())
}

/// Rewrites every number in the JSON `text` that is exactly an f32 in its
/// shortest f32 form, which parses back (as f64, then f32) to the same f32.
/// Keys, strings and their order are kept as they are.
fn compact_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if in_string {
            out.push(c);
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
        } else if c == '-' || c.is_ascii_digit() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !(d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-')) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            out.push_str(&shortest(&text[start..end]));
        } else {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// The shortest f32 spelling of a JSON number, if it is exactly an f32.
fn shortest(number: &str) -> String {
    match number.parse::<f64>() {
        Ok(v) if (v as f32) as f64 == v && number.contains(['.', 'e', 'E']) => {
            let v = v as f32;
            let text = if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e9) {
                format!("{v:e}")
            } else {
                format!("{v}")
            };
            // Keep a float a float: `1.0f32` displays as "1".
            if text.contains(['.', 'e']) {
                text
            } else {
                text + ".0"
            }
        }
        _ => number.to_string(),
    }
}
