//! Message catalogues (issue 12): the flat `{"domain.name": "text"}` JSON files
//! of `www/i18n/<lang>/`, and `{name}` placeholders filled in. The page reads
//! the same files through `www/i18n.js`; the core and the charts compile the
//! ones they need in (`diagnosis.rs`, `src/web/i18n.rs`), so that a sentence
//! lives in one place.

use std::collections::HashMap;
use std::fmt::Display;

/// One language's messages of one domain, by key.
pub type Catalogue = HashMap<String, String>;

/// Parses a catalogue file; text that is not a flat object of strings gives an
/// empty catalogue (the tests read every file, so that cannot ship).
pub fn parse(json: &str) -> Catalogue {
    serde_json::from_str(json).unwrap_or_default()
}

/// `template` with each `{name}` replaced by the parameter of that name; a
/// placeholder without a parameter stays as it is (as `format()` in www/i18n.js).
pub fn fill(template: &str, params: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').filter(|&c| {
            let name = &after[..c];
            !name.is_empty()
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        });
        match close.and_then(|c| {
            params
                .iter()
                .find(|(n, _)| *n == &after[..c])
                .map(|p| (c, p))
        }) {
            Some((c, (_, value))) => {
                out.push_str(&value.to_string());
                rest = &after[c + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names of `template`, sorted and without repeats.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut names: Vec<String> = template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .filter(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(String::from)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_named_placeholders_and_keeps_unknown_ones() {
        let text = fill(
            "layer {layer} · {share} of {layer}",
            &[("layer", &3), ("share", &"12%")],
        );
        assert_eq!(text, "layer 3 · 12% of 3");
        assert_eq!(fill("{missing} {x}", &[("x", &1.5)]), "{missing} 1.5");
        assert_eq!(fill("set {a} {", &[("a", &"{b}")]), "set {b} {");
        assert_eq!(fill("第 {step} 步", &[("step", &76)]), "第 76 步");
    }

    #[test]
    fn lists_placeholders() {
        assert_eq!(placeholders("{b} and {a}, {b} {not one} {}"), ["a", "b"]);
    }

    #[test]
    fn a_broken_file_is_an_empty_catalogue() {
        assert!(parse("[1, 2]").is_empty());
        assert_eq!(parse(r#"{"charts.x": "y"}"#)["charts.x"], "y");
    }
}
