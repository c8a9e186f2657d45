//! What the text tests share (chart_texts.rs, diagnosis_texts.rs): reading a
//! message catalogue of www/i18n/ and the numbers a message quotes.

use std::collections::BTreeMap;
use std::path::Path;

/// The messages of `www/i18n/<lang>/<file>.json`, by key.
pub fn catalogue(file: &str, lang: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("www/i18n/{lang}/{file}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The numbers `text` quotes (its runs of ASCII digits), sorted: word order
/// differs between languages.
pub fn digit_runs(text: &str) -> Vec<String> {
    let mut runs: Vec<String> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(String::from)
        .collect();
    runs.sort();
    runs
}
