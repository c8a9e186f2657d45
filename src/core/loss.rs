//! Mean softmax cross-entropy over a batch, as `F.cross_entropy(logits, y)`.
//!
//! `loss = -(1/N) sum_i log softmax(z_i)[y_i]`, computed with the max-shifted
//! log-sum-exp; its gradient is `dz_i = (softmax(z_i) - onehot(y_i)) / N`.
//!
//! Non-finite logits, as torch's `log_softmax` (checked in `tests/nonfinite.rs`):
//! the row maximum propagates NaN (torch's `max`, not `f32::max`); a row with a
//! NaN, with `+inf`, or with every entry `-inf` has `z - max` NaN somewhere, so
//! its loss and its whole gradient row are NaN. A `-inf` beside a finite
//! maximum is just a zero probability: loss `+inf` when it is the label's
//! logit, gradient finite. The batch mean then is NaN or inf.
//!
//! Accuracy is the share of rows whose `torch.argmax` is the label. argmax
//! counts NaN as larger than everything (the first NaN wins) and takes the
//! first of equal maxima, so `[NaN, 1]` predicts 0, `[1, NaN]` 1 and
//! `[inf, inf]` 0: a number, but one that says nothing about the model, which
//! is why [`CrossEntropy::nonfinite_logits`] is reported beside it.

/// The loss of one batch and what the page needs to say about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossEntropy {
    /// Mean cross-entropy; NaN or inf when a logit is (see the module docs).
    pub loss: f32,
    /// Share of rows whose argmax (torch's, NaN maximal) is the label.
    pub accuracy: f32,
    /// Logit values that are NaN or infinite.
    pub nonfinite_logits: usize,
}

/// The largest value, NaN if any value is NaN (torch's `max`).
fn nan_max(values: &[f32]) -> f32 {
    values.iter().fold(f32::NEG_INFINITY, |max, &v| {
        if v.is_nan() || v > max {
            v
        } else {
            max
        }
    })
}

/// `torch.argmax` of one row: the first NaN, else the first maximum.
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (c, &v) in values.iter().enumerate() {
        if v.is_nan() {
            return c;
        }
        if v > values[best] {
            best = c;
        }
    }
    best
}

/// Writes `d_logits` and returns the loss, accuracy and non-finite logit count
/// for `logits (rows x classes)`.
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    d_logits: &mut [f32],
) -> CrossEntropy {
    let rows = labels.len();
    let mut loss = 0.0f64;
    let mut correct = 0usize;
    for ((z, dz), &label) in logits
        .chunks_exact(classes)
        .zip(d_logits.chunks_exact_mut(classes))
        .zip(labels)
    {
        let label = label as usize;
        let max = nan_max(z);
        let sum_exp: f32 = z.iter().map(|v| (v - max).exp()).sum();
        let log_sum_exp = max + sum_exp.ln();
        loss += (log_sum_exp - z[label]) as f64;
        for (c, (dz, &v)) in dz.iter_mut().zip(z).enumerate() {
            let p = (v - log_sum_exp).exp();
            *dz = (p - if c == label { 1.0 } else { 0.0 }) / rows as f32;
        }
        correct += usize::from(argmax(z) == label);
    }
    let nonfinite_logits = logits
        .iter()
        .take(rows * classes)
        .filter(|v| !v.is_finite())
        .count();
    CrossEntropy {
        loss: (loss / rows as f64) as f32,
        accuracy: correct as f32 / rows as f32,
        nonfinite_logits,
    }
}

/// Serde for a loss that may be non-finite: JSON has no NaN or infinity (serde
/// turns them into `null`, which cannot tell NaN from inf), so human-readable
/// formats write a finite loss as a number and a non-finite one as the string
/// `"NaN"`, `"inf"` or `"-inf"`; binary formats (the worker's postcard frames)
/// keep the f32. Reading accepts a number, one of those strings, or `null` (NaN).
pub mod text_when_nonfinite {
    use serde::de::{self, Deserializer, Visitor};
    use serde::{Deserialize, Serializer};

    /// The text of a non-finite value, or None for a finite one.
    pub fn text(v: f32) -> Option<&'static str> {
        match v {
            v if v.is_nan() => Some("NaN"),
            f32::INFINITY => Some("inf"),
            f32::NEG_INFINITY => Some("-inf"),
            _ => None,
        }
    }

    pub fn serialize<S: Serializer>(v: &f32, serializer: S) -> Result<S::Ok, S::Error> {
        match text(*v) {
            Some(text) if serializer.is_human_readable() => serializer.serialize_str(text),
            _ => serializer.serialize_f32(*v),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f32, D::Error> {
        if !deserializer.is_human_readable() {
            return f32::deserialize(deserializer);
        }
        struct Loss;
        impl Visitor<'_> for Loss {
            type Value = f32;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, \"NaN\", \"inf\", \"-inf\" or null")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f32, E> {
                Ok(v as f32)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f32, E> {
                Ok(v as f32)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f32, E> {
                Ok(v as f32)
            }
            fn visit_unit<E: de::Error>(self) -> Result<f32, E> {
                Ok(f32::NAN)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f32, E> {
                match v {
                    "NaN" => Ok(f32::NAN),
                    "inf" => Ok(f32::INFINITY),
                    "-inf" => Ok(f32::NEG_INFINITY),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(Loss)
    }
}
