//! Readers and comparisons shared by the tests against PyTorch fixtures
//! (`torch_reference.rs`, `nonfinite.rs`). The fixtures spell NaN and the
//! infinities, which JSON cannot hold, as the strings "nan", "inf" and "-inf".
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use normscope::core::norm::{Formula, Norm, NormCache, NormGrads, NormKind, Pass};
use serde_json::Value;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: bad JSON: {e}", path.display()))
}

/// One fixture number: a JSON number, or "nan", "inf", "-inf".
pub fn number(value: &Value) -> f32 {
    match value {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN) as f32,
        Value::String(text) if text == "nan" => f32::NAN,
        Value::String(text) if text == "inf" => f32::INFINITY,
        Value::String(text) if text == "-inf" => f32::NEG_INFINITY,
        other => panic!("expected a number, \"nan\", \"inf\" or \"-inf\", got {other}"),
    }
}

/// A (possibly nested) array of numbers, flattened row-major; None for null.
pub fn floats(value: &Value) -> Option<Vec<f32>> {
    fn flatten(value: &Value, out: &mut Vec<f32>) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
            other => out.push(number(other)),
        }
    }
    if value.is_null() {
        return None;
    }
    let mut out = Vec::new();
    flatten(value, &mut out);
    Some(out)
}

/// The largest |value| over the finite values (0 when there are none).
pub fn max_abs(values: &[f32]) -> f32 {
    let finite = values.iter().filter(|v| v.is_finite());
    finite.fold(0.0f32, |m, v| m.max(v.abs()))
}

/// The largest finite |value| over the arrays `keys` of `part` (nulls skipped).
pub fn scale_of(part: &Value, keys: &[&str]) -> f32 {
    let arrays = keys.iter().filter_map(|k| floats(&part[*k]));
    arrays.fold(0.0, |m, v| m.max(max_abs(&v)))
}

/// What a value is, for the exact part of a comparison.
fn class(v: f32) -> &'static str {
    match v {
        v if v.is_nan() => "NaN",
        f32::INFINITY => "+inf",
        f32::NEG_INFINITY => "-inf",
        _ => "finite",
    }
}

/// Checks every entry: where torch has NaN or an infinity normscope must have
/// exactly that (NaN == NaN, the sign of inf); where torch is finite,
/// normscope must be finite with `|got - want| <= tol(want)`. Returns the
/// largest absolute error over the finite entries and the largest share of the
/// tolerance used.
pub fn compare(
    what: &str,
    got: &[f32],
    want: &[f32],
    rule: &str,
    tol: impl Fn(f32) -> f32,
) -> (f32, f32) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: normscope and torch lengths differ"
    );
    let (mut worst, mut share) = (0.0f32, 0.0f32);
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            class(g),
            class(w),
            "{what}[{i}]: normscope {g}, torch {w} (NaN and inf must sit where torch has them)"
        );
        if !w.is_finite() {
            continue;
        }
        let (error, allowed) = ((g - w).abs(), tol(w));
        assert!(
            error <= allowed,
            "{what}[{i}]: normscope {g}, torch {w}, |error| {error:e} exceeds {rule} = {allowed:e}"
        );
        worst = worst.max(error);
        share = share.max(if allowed > 0.0 { error / allowed } else { 0.0 });
    }
    (worst, share)
}

/// Per quantity: the largest error, where it was, and the largest share of the
/// tolerance used; printed at the end of each test.
#[derive(Default)]
pub struct Worst(Vec<(String, f32, String, f32)>);

impl Worst {
    pub fn note(&mut self, quantity: &str, (error, share): (f32, f32), place: &str) {
        let index = self.0.iter().position(|entry| entry.0 == quantity);
        let index = index.unwrap_or_else(|| {
            self.0.push((quantity.into(), -1.0, String::new(), 0.0));
            self.0.len() - 1
        });
        let entry = &mut self.0[index];
        if error > entry.1 {
            (entry.1, entry.2) = (error, place.to_string());
        }
        entry.3 = entry.3.max(share);
    }

    pub fn print(&self, title: &str) {
        println!("{title}: max |normscope - torch| (share of the tolerance used), where:");
        for (name, error, place, share) in &self.0 {
            println!(
                "  {name:<20} {error:.2e} ({:>4.1}%)  {place}",
                share * 100.0
            );
        }
    }
}

/// Runs one single-norm fixture case (`make_fixtures.py`'s `norm_case`):
/// builds the layer, forward on `x`, backward of `dy`, and checks y, dx,
/// dgamma, dbeta and the running statistics against `expected` with
/// `|error| <= tol * max(1, |torch|)` on finite entries.
pub fn check_norm_case(case: &Value, tol: f32, rule: &str, worst: &mut Worst) {
    let name = case["name"].as_str().unwrap_or("?");
    let field = |key: &str| {
        case[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{name}: no {key}"))
    };
    let kind_name = case["kind"].as_str().unwrap_or("?");
    let kind = NormKind::from_name(kind_name).unwrap_or_else(|| panic!("{name}: no kind"));
    let affine = case["affine"] == true;
    let (features, groups) = (field("features") as usize, field("groups") as usize);
    let (eps, momentum) = (field("eps") as f32, field("momentum") as f32);
    let mut cache = NormCache::default();
    let mut norm = Norm::new(kind, features, groups, eps, momentum, affine);
    if let Some(formula) = case["formula"].as_str() {
        norm.formula = Formula::from_name(formula).unwrap_or_else(|| panic!("{name}: {formula}"));
    }
    for (key, target) in [
        ("gamma", &mut norm.gamma),
        ("beta", &mut norm.beta),
        ("running_mean", &mut norm.running_mean),
        ("running_var", &mut norm.running_var),
    ] {
        if let Some(values) = floats(&case[key]) {
            *target = values;
        }
    }
    let pass = if case["mode"] == "eval" {
        Pass::Eval
    } else {
        Pass::Train
    };
    let x = floats(&case["x"]).expect("x");
    let dy = floats(&case["dy"]).expect("dy");
    let (mut y, mut dx) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    norm.forward(&mut cache, &x, field("rows") as usize, &mut y, pass);
    let mut grads = NormGrads::default();
    norm.backward(&cache, &mut grads, &dy, &mut dx);

    let expected = &case["expected"];
    for (quantity, got) in [
        ("y", &y),
        ("dx", &dx),
        ("dgamma", &grads.dgamma),
        ("dbeta", &grads.dbeta),
        ("running_mean", &norm.running_mean),
        ("running_var", &norm.running_var),
    ] {
        let Some(want) = floats(&expected[quantity]) else {
            continue;
        };
        let tol = |w: f32| tol * w.abs().max(1.0);
        let error = compare(&format!("{name}: {quantity}"), got, &want, rule, tol);
        worst.note(&format!("{kind_name} {quantity}"), error, name);
    }
    for (key, present) in [("dgamma", norm.has_gamma()), ("dbeta", norm.has_beta())] {
        assert_eq!(
            !expected[key].is_null(),
            present,
            "{name}: {key} exists in one only"
        );
    }
}
