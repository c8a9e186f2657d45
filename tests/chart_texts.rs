//! The charts' texts (issue 12): every message key the Rust charts
//! (src/web/charts/**) and the chart panels (www/charts.js, chartset.js,
//! compare-charts.js) use exists in www/i18n/en/charts.json and
//! zh/charts.json, every key of those files is used, and each message has the
//! same placeholders and quotes the same numbers in both languages. A missing
//! key would show as the key itself on the canvas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use normscope::core::messages::placeholders;
use texts::digit_runs;

mod texts;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const PAGE_FILES: [&str; 3] = ["www/charts.js", "www/chartset.js", "www/compare-charts.js"];

fn catalogue(lang: &str) -> BTreeMap<String, String> {
    texts::catalogue("charts", lang)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every quoted `charts.name` in `source` ("..." or '...').
fn keys_in(source: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for quote in ['"', '\''] {
        let opening = format!("{quote}charts.");
        for (at, _) in source.match_indices(&opening) {
            let rest = &source[at + 1..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            if end > "charts.".len() && rest[end..].starts_with(quote) {
                keys.push(rest[..end].to_string());
            }
        }
    }
    keys
}

/// The keys used, with the file that uses each first.
fn used_keys() -> BTreeMap<String, String> {
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src/web"), &mut files);
    files.extend(PAGE_FILES.iter().map(|f| Path::new(ROOT).join(f)));
    let mut used = BTreeMap::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for key in keys_in(&source) {
            used.entry(key)
                .or_insert_with(|| file.display().to_string());
        }
    }
    used
}

#[test]
fn the_scan_finds_keys_in_both_quotes() {
    let source = r#"tr("charts.loss"); t('charts.panel_title'); "charts." "charts.x y""#;
    assert_eq!(keys_in(source), ["charts.loss", "charts.panel_title"]);
}

#[test]
fn every_key_the_charts_use_is_in_both_languages() {
    let (en, zh) = (catalogue("en"), catalogue("zh"));
    let used = used_keys();
    assert!(
        used.len() > 100,
        "only {} keys found: the scan is broken",
        used.len()
    );
    for (key, file) in &used {
        assert!(
            en.contains_key(key),
            "{file} uses {key}, which en/charts.json lacks"
        );
        assert!(
            zh.contains_key(key),
            "{file} uses {key}, which zh/charts.json lacks"
        );
    }
    let unused: Vec<&String> = en.keys().filter(|key| !used.contains_key(*key)).collect();
    assert!(
        unused.is_empty(),
        "en/charts.json has keys nothing uses: {unused:?}"
    );
}

#[test]
fn both_languages_have_the_same_keys_placeholders_and_numbers() {
    let (en, zh) = (catalogue("en"), catalogue("zh"));
    let [en_keys, zh_keys] = [&en, &zh].map(|c| c.keys().collect::<BTreeSet<_>>());
    assert_eq!(
        en_keys, zh_keys,
        "en and zh charts.json differ in their keys"
    );
    for (key, english) in &en {
        let chinese = &zh[key];
        assert_eq!(
            placeholders(english),
            placeholders(chinese),
            "{key}: placeholders differ"
        );
        assert_eq!(
            digit_runs(english),
            digit_runs(chinese),
            "{key}: numbers differ"
        );
        assert!(!chinese.is_empty() && !english.is_empty(), "{key} is empty");
    }
}
