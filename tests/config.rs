//! The config contract: defaults, ranges, error messages, the query round trip.
#![cfg(not(target_arch = "wasm32"))]

use normscope::core::config::{Kind, KEYS};
use normscope::Config;
use proptest::prelude::*;

#[test]
fn defaults_are_valid_and_match_the_issue_table() {
    let config = Config::default();
    config.validate().expect("defaults validate");
    for key in KEYS {
        let mut c = Config::default();
        c.set(key.name, key.default).expect("every default parses");
        assert_eq!(c.get(key.name), config.get(key.name), "key {}", key.name);
    }
    let query = config.to_query();
    assert_eq!(
        query,
        "depth=8&width=64&activation=tanh&init=xavier_uniform&scale=1&norm=none&groups=8\
         &position=before&residual=none&affine=true&eps=0.00001&formula=torch&momentum=0.1&mode=train\
         &batch=64&dataset=spiral&noise=0.1&optimizer=sgd&lr=0.05&warmup=0&seed=1"
    );
}

#[test]
fn query_round_trips() {
    let text = "depth=10&width=128&activation=gelu&init=orthogonal&scale=2.5&norm=group&groups=16\
                &position=after&residual=post&affine=false&eps=0.001&formula=unbiased&momentum=0.5&mode=eval\
                &batch=3&dataset=moons&noise=0&optimizer=adam&lr=0.001&warmup=250&seed=4294967295";
    let config: Config = text.parse().unwrap();
    assert_eq!(config.to_query(), text);
    let again: Config = config.to_query().parse().unwrap();
    assert_eq!(again, config);
    // Missing keys take defaults; a leading '?' and percent escapes are accepted.
    let partial: Config = "?depth=3&norm=%6Cayer".parse().unwrap();
    assert_eq!(partial.depth, 3);
    assert_eq!(partial.norm.name(), "layer");
    assert_eq!(partial.width, 64);
}

/// Values just outside each key's range, or of the wrong type.
fn bad_values(kind: Kind) -> Vec<String> {
    match kind {
        Kind::Int { min, max } => {
            let mut v = vec![
                "1.5".to_string(),
                "x".to_string(),
                "-1".to_string(),
                String::new(),
            ];
            if min > 0 {
                v.push((min - 1).to_string());
            }
            v.push((max as u64 + 1).to_string());
            v
        }
        Kind::Float { min, max, min_open } => {
            let mut v = vec![
                "NaN".into(),
                "inf".into(),
                "abc".into(),
                (max * 1.5).to_string(),
            ];
            v.push(if min_open {
                min.to_string()
            } else {
                (min - 0.5).to_string()
            });
            v
        }
        Kind::Choice(_) => vec!["nope".into(), "LAYER".into(), String::new()],
        Kind::Bool => vec!["yes".into(), "2".into()],
    }
}

#[test]
fn every_key_refuses_bad_values_naming_the_key_and_the_range() {
    for key in KEYS {
        for value in bad_values(key.kind) {
            let query = format!("{}={}", key.name, value);
            let error = query.parse::<Config>().expect_err(&query).to_string();
            assert!(
                error.contains(&format!("'{}'", key.name)),
                "{query}: {error}"
            );
            assert!(error.contains(&key.kind.allowed()), "{query}: {error}");
        }
    }
}

/// eps = 0 is allowed (PyTorch allows it); a negative eps is refused.
#[test]
fn eps_may_be_zero_but_not_negative() {
    let zero: Config = "eps=0".parse().expect("eps=0 is allowed");
    assert_eq!(zero.eps, 0.0);
    for eps in ["-1e-5", "-0.5", "1.5"] {
        let error = format!("eps={eps}")
            .parse::<Config>()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("'eps'") && error.contains("[0, 1]"),
            "{error}"
        );
    }
}

#[test]
fn structural_errors_are_clear() {
    let unknown = "depht=3".parse::<Config>().unwrap_err().to_string();
    assert!(
        unknown.contains("unknown key 'depht'") && unknown.contains("depth"),
        "{unknown}"
    );
    let twice = "depth=3&depth=4".parse::<Config>().unwrap_err().to_string();
    assert!(twice.contains("more than once"), "{twice}");
    let no_eq = "depth".parse::<Config>().unwrap_err().to_string();
    assert!(no_eq.contains("no '='"), "{no_eq}");
    let groups = "norm=group&width=64&groups=5"
        .parse::<Config>()
        .unwrap_err()
        .to_string();
    assert!(
        groups.contains("'groups'") && groups.contains("divisor of width 64"),
        "{groups}"
    );
    // groups only has to divide the width when GroupNorm is selected.
    assert!("norm=layer&groups=5".parse::<Config>().is_ok());
}

#[test]
fn failed_apply_changes_nothing() {
    let mut config: Config = "depth=5".parse().unwrap();
    let before = config.clone();
    assert!(config.apply_query("width=32&norm=bogus").is_err());
    assert_eq!(config, before);
}

#[test]
fn lenient_parse_keeps_defaults_for_bad_keys_and_reports_each() {
    let (config, errors) = Config::from_query_lenient("depth=99&norm=layer&bogus=1&width=32");
    assert_eq!(config.depth, 8);
    assert_eq!(config.norm.name(), "layer");
    assert_eq!(config.width, 32);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].to_string().contains("'depth'"));
    assert!(errors[1].to_string().contains("'bogus'"));
    let (config, errors) = Config::from_query_lenient("norm=group&width=30&groups=8");
    assert_eq!(errors.len(), 1);
    assert_eq!(config.width % config.groups, 0);
}

#[test]
fn schema_lists_every_key() {
    let schema: serde_json::Value =
        serde_json::from_str(&normscope::core::config::schema_json()).unwrap();
    let rows = schema.as_array().unwrap();
    assert_eq!(rows.len(), KEYS.len());
    assert_eq!(rows[0]["name"], "depth");
    assert_eq!(rows[0]["kind"], "int");
    assert_eq!(rows[0]["max"], 64);
    let norm = rows.iter().find(|r| r["name"] == "norm").unwrap();
    assert_eq!(
        norm["choices"],
        serde_json::json!(["none", "batch", "layer", "rms", "group"])
    );
}

proptest! {
    #[test]
    fn no_string_makes_parsing_panic(s in "\\PC*") {
        let _ = s.parse::<Config>();
        let _ = Config::from_query_lenient(&s);
    }

    #[test]
    fn key_value_soup_never_panics(pairs in proptest::collection::vec(("[a-z_]{0,10}", "[-0-9a-z.%+eE]{0,8}"), 0..6)) {
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Ok(config) = query.join("&").parse::<Config>() {
            prop_assert_eq!(config.to_query().parse::<Config>().unwrap(), config);
        }
    }
}

#[test]
fn validate_checks_every_field_of_a_hand_built_config() {
    for (field, config) in [
        (
            "depth",
            Config {
                depth: 0,
                ..Config::default()
            },
        ),
        (
            "width",
            Config {
                width: 0,
                ..Config::default()
            },
        ),
        (
            "groups",
            Config {
                groups: 0,
                norm: normscope::core::config::NormKind::Group,
                ..Config::default()
            },
        ),
        (
            "eps",
            Config {
                eps: -1.0,
                ..Config::default()
            },
        ),
        (
            "lr",
            Config {
                lr: f32::NAN,
                ..Config::default()
            },
        ),
    ] {
        let Err(error) = normscope::Scope::new(config) else {
            panic!("a config with a bad {field} was accepted");
        };
        let error = error.to_string();
        assert!(error.contains(&format!("'{field}'")), "{field}: {error}");
    }
}
