//! The diagnosis sentences (issue 12): every finding's code has a message in
//! www/i18n/en/diagnosis.json and zh/diagnosis.json with exactly the
//! placeholders its params fill, both quote the same numbers, and the English
//! message filled in is `Finding::text()`, word for word.

use std::collections::{BTreeMap, BTreeSet};

use normscope::core::config::Activation;
use normscope::core::diagnosis::{diagnosis_json, Finding};
use normscope::core::messages::{fill, placeholders};
use normscope::{Config, Scope};
use texts::digit_runs;

mod texts;

/// The keys of the panel around the findings, not sentences of a finding.
const PANEL_KEYS: [&str; 3] = [
    "diagnosis.title",
    "diagnosis.see_preset",
    "diagnosis.description",
];

fn catalogue(lang: &str) -> BTreeMap<String, String> {
    texts::catalogue("diagnosis", lang)
}

/// One finding of every code.
fn every_code() -> Vec<Finding> {
    let saturated = |first, last| Finding::Saturated {
        first,
        last,
        share: 0.78,
        activation: Activation::Tanh,
    };
    vec![
        Finding::Diverged {
            step: 12,
            layer: Some(3),
        },
        Finding::Diverged {
            step: 12,
            layer: None,
        },
        Finding::NonFinite { count: 40 },
        Finding::BatchOfOne,
        Finding::BatchOfTwo,
        Finding::GroupsOfOne { groups: 64 },
        Finding::Signal {
            factor: 2e-4,
            last: 20,
        },
        Finding::Signal {
            factor: 350.0,
            last: 20,
        },
        saturated(3, 8),
        saturated(2, 2),
        Finding::Dead {
            layer: 7,
            share: 0.55,
        },
        Finding::Collapsed {
            layer: 9,
            cosine: 0.99951,
        },
        Finding::Gradient {
            factor: 0.0,
            last: 10,
        },
        Finding::Gradient {
            factor: 3e-5,
            last: 10,
        },
        Finding::Gradient {
            factor: 820.0,
            last: 8,
        },
        Finding::Update {
            layer: 4,
            ratio: 2e-7,
        },
        Finding::Update {
            layer: 4,
            ratio: 0.5,
        },
        Finding::Healthy,
    ]
}

#[test]
fn every_code_has_a_message_in_both_languages_with_its_params() {
    let (en, zh) = (catalogue("en"), catalogue("zh"));
    let codes: BTreeSet<String> = every_code()
        .iter()
        .map(|f| format!("diagnosis.{}", f.code()))
        .collect();
    let sentences: BTreeSet<String> = en
        .keys()
        .filter(|k| !PANEL_KEYS.contains(&k.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        codes, sentences,
        "the codes and en/diagnosis.json's sentences differ"
    );
    assert_eq!(
        en.keys().collect::<Vec<_>>(),
        zh.keys().collect::<Vec<_>>(),
        "en and zh keys differ"
    );
    for finding in every_code() {
        let key = format!("diagnosis.{}", finding.code());
        let names: Vec<String> = finding
            .params()
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(
            placeholders(&en[&key]),
            names,
            "{key}: en placeholders are not the params"
        );
        assert_eq!(
            placeholders(&zh[&key]),
            names,
            "{key}: zh placeholders are not the params"
        );
        let owned = finding.params();
        let params: Vec<(&str, &dyn std::fmt::Display)> = owned
            .iter()
            .map(|(n, v)| (*n, v as &dyn std::fmt::Display))
            .collect();
        let (english, chinese) = (fill(&en[&key], &params), fill(&zh[&key], &params));
        assert_eq!(
            english,
            finding.text(),
            "{key}: text() is not the en message"
        );
        assert_eq!(
            digit_runs(&english),
            digit_runs(&chinese),
            "{key}: the languages quote other numbers"
        );
        assert!(!chinese.contains('{'), "{key}: {chinese}");
    }
    for key in PANEL_KEYS {
        assert_eq!(placeholders(&en[key]), placeholders(&zh[key]), "{key}");
    }
}

#[test]
fn text_is_the_english_sentence_with_its_numbers() {
    let texts: Vec<String> = every_code().iter().map(Finding::text).collect();
    assert_eq!(texts[0], "Training diverged at step 12 in layer 3: a value overflowed to infinity or NaN. Reset starts again.");
    assert_eq!(
        texts[6],
        "The spread across samples shrinks 5·10³× from layer 1 to layer 20 (vanishing signal)."
    );
    assert_eq!(
        texts[8],
        "Layers 3–8: up to 78% of tanh units saturated, where the gradient barely passes."
    );
    assert_eq!(
        texts[9],
        "Layer 2: up to 78% of tanh units saturated, where the gradient barely passes."
    );
    assert_eq!(texts[11], "From layer 9 on, the samples' representations point the same way (mean cosine 1.000): the layer output barely depends on the input.");
    assert_eq!(
        texts[12],
        "No gradient reaches layer 1: it is exactly 0 there, while layer 10 gets one."
    );
}

#[test]
fn the_page_gets_code_params_and_link_preset() {
    let config: Config = "depth=20&activation=tanh&init=torch_default&seed=1"
        .parse()
        .unwrap();
    let mut scope = Scope::new(config.clone()).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&diagnosis_json(&config, scope.stats())).unwrap();
    let first = &json[0];
    assert_eq!(first["code"], "vanishing_signal", "{json}");
    assert_eq!(first["params"]["last"], "20");
    assert!(first["params"]["factor"]
        .as_str()
        .is_some_and(|f| first["text"].as_str().unwrap().contains(f)));
    assert_eq!(first["link"]["preset"], "vanishing");
}
