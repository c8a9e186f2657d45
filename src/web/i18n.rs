//! The charts' texts in the page's languages (issue 12): every title, axis
//! label, legend, note and hover text a chart draws is a message of
//! `www/i18n/<lang>/charts.json`, the same files the page reads, compiled in
//! here and parsed once. A key missing in Chinese falls back to English, then
//! to the key itself (tests/chart_texts.rs keeps both from happening).
//!
//! The language is a chart option (`lang=en|zh`, `options.rs`). `charts::draw`
//! and `describe` run in it ([`in_language`]), and the charts word their texts
//! with [`tr`] and [`trf`] in the language of the draw in progress, so that
//! the drawing functions keep their signatures.

use std::cell::Cell;
use std::fmt::Display;
use std::sync::OnceLock;

use crate::core::messages::{self, Catalogue};

/// The languages the charts speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The option values, in the order of [`Lang`].
    pub const NAMES: [&'static str; 2] = ["en", "zh"];

    pub fn from_name(name: &str) -> Option<Lang> {
        match name {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }
}

const SOURCES: [&str; 2] = [
    include_str!("../../www/i18n/en/charts.json"),
    include_str!("../../www/i18n/zh/charts.json"),
];

fn catalogue(lang: Lang) -> &'static Catalogue {
    static CATALOGUES: OnceLock<[Catalogue; 2]> = OnceLock::new();
    &CATALOGUES.get_or_init(|| SOURCES.map(messages::parse))[lang as usize]
}

/// The message `key` in `lang` (English when `lang` lacks it, else the key).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    catalogue(lang)
        .get(key)
        .or_else(|| catalogue(Lang::En).get(key))
        .map_or(key, String::as_str)
}

/// The message `key` in `lang` with its `{name}` placeholders filled.
pub fn format(lang: Lang, key: &'static str, params: &[(&str, &dyn Display)]) -> String {
    messages::fill(text(lang, key), params)
}

thread_local! {
    /// The language of the chart being drawn or described.
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Runs `f` (a draw or a describe) with its texts in `lang`.
pub fn in_language<R>(lang: Lang, f: impl FnOnce() -> R) -> R {
    let before = CURRENT.with(|current| current.replace(lang));
    let result = f();
    CURRENT.with(|current| current.set(before));
    result
}

/// The language of the chart being drawn or described (English outside one).
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// The message `key` in the current chart's language.
pub fn tr(key: &'static str) -> &'static str {
    text(current(), key)
}

/// The message `key` in the current chart's language, placeholders filled.
pub fn trf(key: &'static str, params: &[(&str, &dyn Display)]) -> String {
    format(current(), key, params)
}

/// The canvas font family of the current chart: in Chinese, the system's CJK
/// fonts after the Latin sans-serif (so digits and Latin letters look the same
/// in both languages); no font is downloaded.
pub fn font_family() -> &'static str {
    match current() {
        Lang::En => "sans-serif",
        Lang::Zh => {
            r#"sans-serif, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC""#
        }
    }
}
