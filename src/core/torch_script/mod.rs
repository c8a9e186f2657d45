//! The "PyTorch script" export: one self-contained Python file (it needs only
//! torch) that rebuilds a Scope's network with `torch.nn` modules, loads its
//! parameters, BatchNorm running statistics and optimizer state, and runs the
//! probe pass on the current batch, printing the loss and each hidden layer's
//! output and gradient std beside the numbers normscope measured.
//!
//! The Python is `script.py`, a template whose `{{NAME}}` slots this module
//! fills: the typed config, normscope's numbers, and every tensor as
//! `(shape, typecode, base64 of little-endian values)` (exact: the float32 bits
//! themselves). Tensors of the network are keyed by their `state_dict` name,
//! so the script loads them with `load_state_dict`; the optimizer's by
//! parameter name. The dataset and the indices of the next training batches
//! travel too, so `--train N` continues on normscope's own batch order.

mod tensors;

use serde_json::Value;

use crate::core::config::{Config, Mode, NormKind};
use crate::core::data::DATASET_SIZE;
use crate::core::error::{Allowed, Error, Result};
use crate::core::scope::Scope;
use crate::core::snapshot::config_json;

use tensors::Tensors;

const TEMPLATE: &str = include_str!("script.py");

/// Dataset points whose batch order the script carries: four epochs.
pub const NEXT_POINTS: usize = 4 * DATASET_SIZE;

/// The largest script generated, in bytes; past it the export is refused (a
/// browser tab would have to hold it twice, as UTF-8 and as a JS string).
pub const MAX_BYTES: usize = 128 << 20;

/// The file name the page offers, `normscope-step<N>.py`.
pub fn file_name(steps: u64) -> String {
    format!("normscope-step{steps}.py")
}

/// Training steps whose batches the script carries (`--train N` takes at most this).
pub fn next_steps(config: &Config) -> usize {
    (NEXT_POINTS / config.batch.max(1)).max(1)
}

/// The PyTorch script of `scope`'s current state; an error naming the key when
/// PyTorch cannot run this state, or the file would exceed [`MAX_BYTES`].
pub fn torch_script(scope: &mut Scope) -> Result<String> {
    let config = scope.config().clone();
    torch_accepts(&config)?;
    let next_steps = next_steps(&config);
    let bytes = Tensors::estimate_bytes(scope, next_steps * config.batch);
    if bytes > MAX_BYTES {
        return Err(Error::InvalidValue {
            key: "width".into(),
            value: config.width.to_string(),
            allowed: Allowed::TorchSize {
                mb: (bytes >> 20) as u64,
                depth: config.depth,
                width: config.width,
                limit: (MAX_BYTES >> 20) as u64,
            },
        });
    }
    let stats = scope.stats();
    let layers: Vec<String> = stats
        .layers
        .iter()
        .map(|l| format!("({}, {})", py_float(l.out.std), py_float(l.grad.std)))
        .collect();
    let normscope = format!(
        "{{\"loss\": {}, \"layers\": [{}]}}",
        py_float(stats.loss),
        layers.join(", ")
    );
    let tensors = Tensors::of(scope, next_steps);
    let config_items: Vec<String> = config_json(&config)
        .iter()
        .map(|(key, value)| format!("\n    \"{key}\": {},", py_value(value)))
        .collect();
    let steps = scope.steps();
    let diverged = match scope.diverged() {
        Some(d) => format!(
            "{{\"step\": {}, \"layer\": {}}}",
            d.step,
            d.layer.map_or("None".into(), |l| l.to_string())
        ),
        None => "None".into(),
    };
    let slots: [(&str, String); 11] = [
        ("VERSION", env!("CARGO_PKG_VERSION").to_string()),
        ("QUERY", config.to_query()),
        ("FILE", file_name(steps)),
        ("STEP", steps.to_string()),
        ("NEXT_STEPS", next_steps.to_string()),
        ("CONFIG", format!("{{{}\n}}", config_items.concat())),
        ("GAIN", py_float(config.activation.gain())),
        ("NORMSCOPE", normscope),
        ("DIVERGED", diverged),
        ("ADAM_STEPS", scope.optimizer().steps.to_string()),
        ("DATA", tensors.to_python()),
    ];
    let mut script = TEMPLATE.to_string();
    for (name, value) in slots {
        script = script.replace(&format!("{{{{{name}}}}}"), &value);
    }
    Ok(script)
}

/// Refuses the states whose probe pass PyTorch itself refuses ("Expected more
/// than 1 value per channel when training"): BatchNorm in train mode and
/// GroupNorm with one unit per group, each at batch 1.
fn torch_accepts(config: &Config) -> Result<()> {
    let refused = config.batch == 1
        && match config.norm {
            NormKind::Batch => config.mode == Mode::Train,
            NormKind::Group => config.groups == config.width,
            _ => false,
        };
    if !refused {
        return Ok(());
    }
    Err(Error::InvalidValue {
        key: "batch".into(),
        value: "1".into(),
        allowed: Allowed::TorchBatch {
            group: config.norm != NormKind::Batch,
        },
    })
}

/// A float as a Python expression that reads back as the same float32.
pub(crate) fn py_float(value: f32) -> String {
    if value.is_nan() {
        "float(\"nan\")".into()
    } else if value.is_infinite() {
        format!("float(\"{}inf\")", if value < 0.0 { "-" } else { "" })
    } else {
        // Rust prints the shortest decimal that reads back as this f32.
        format!("{value:?}")
    }
}

/// A typed config value as a Python literal.
fn py_value(value: &Value) -> String {
    match value {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::String(text) => format!("{text:?}"),
        Value::Number(number) => number.to_string(),
        _ => "None".into(),
    }
}
