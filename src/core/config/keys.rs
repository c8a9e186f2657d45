//! The config table: every key with its kind, range, default, label and help.

use crate::core::error::Allowed;

use super::choices::{
    Activation, Dataset, Formula, InitScheme, Mode, NormKind, Optimizer, Position, Residual,
};

/// What values a key takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// An integer in `min..=max`.
    Int { min: u32, max: u32 },
    /// A float in `(min, max]` when `min_open`, else `[min, max]`.
    Float { min: f32, max: f32, min_open: bool },
    /// One of a list of names.
    Choice(&'static [&'static str]),
    /// `true` or `false`.
    Bool,
}

impl Kind {
    /// The human description of the allowed values, used in errors and docs.
    pub fn allowed(&self) -> String {
        self.allowed_values().to_string()
    }

    /// The allowed values as the error names them (code and parameters).
    pub fn allowed_values(&self) -> Allowed {
        match self {
            Kind::Int { min, max } => Allowed::Int {
                min: *min,
                max: *max,
            },
            Kind::Float { min, max, min_open } => Allowed::Number {
                min: min.to_string(),
                max: max.to_string(),
                min_open: *min_open,
            },
            Kind::Choice(names) => Allowed::OneOf(names.iter().map(|n| n.to_string()).collect()),
            Kind::Bool => Allowed::Bool,
        }
    }
}

/// One row of the config table.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    /// The label the page shows next to the control.
    pub label: &'static str,
    /// One sentence on what the key does.
    pub help: &'static str,
}

const fn key(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    label: &'static str,
    help: &'static str,
) -> Key {
    Key {
        name,
        kind,
        default,
        label,
        help,
    }
}

const fn float(min: f32, max: f32, min_open: bool) -> Kind {
    Kind::Float { min, max, min_open }
}

/// The config table, in the order the page shows the controls.
pub const KEYS: &[Key] = &[
    key("depth", Kind::Int { min: 1, max: 64 }, "8", "Depth", "Number of hidden layers."),
    key("width", Kind::Int { min: 2, max: 512 }, "64", "Width", "Units per hidden layer."),
    key("activation", Kind::Choice(Activation::NAMES), "tanh", "Activation",
        "Elementwise nonlinearity; leaky_relu has slope 0.01, gelu is the exact erf form."),
    key("init", Kind::Choice(InitScheme::NAMES), "xavier_uniform", "Initialization",
        "How every Linear weight (the head included) is drawn, as torch.nn.init."),
    key("scale", float(0.0, 100.0, true), "1", "Init scale",
        "normal: sigma; uniform: bound; xavier/orthogonal: gain; kaiming/lecun/torch_default: multiplier on torch's value."),
    key("norm", Kind::Choice(NormKind::NAMES), "none", "Normalization",
        "The normalization applied in every hidden block."),
    key("groups", Kind::Int { min: 1, max: 512 }, "8", "Groups",
        "GroupNorm group count; must divide the width."),
    key("position", Kind::Choice(Position::NAMES), "before", "Norm position",
        "Plain blocks: normalize the Linear output (before phi) or the activation (after phi)."),
    key("residual", Kind::Choice(Residual::NAMES), "none", "Residual",
        "none: plain blocks; pre: h + phi(N(h)W+b) with a final N; post: N(h + phi(hW+b))."),
    key("affine", Kind::Bool, "true", "Affine", "Learnable gamma (and beta) in every normalization."),
    key("eps", float(0.0, 1.0, false), "0.00001", "Epsilon",
        "Added to the variance inside the square root; 0 is allowed (a constant set then gives 0/0)."),
    key("formula", Kind::Choice(Formula::NAMES), "torch", "Formula",
        "How x_hat is computed: torch is PyTorch's; the others are common mistakes (unbiased variance, eps outside the root or after, negative eps, the post's axes)."),
    key("momentum", float(0.0, 1.0, true), "0.1", "BatchNorm momentum",
        "Running-statistics update weight, as torch's BatchNorm1d momentum."),
    key("mode", Kind::Choice(Mode::NAMES), "train", "BatchNorm mode",
        "train: the charts show the training step's pass (batch statistics); eval: a probe pass with BatchNorm's running statistics. A display choice: switching keeps the trained network."),
    key("batch", Kind::Int { min: 1, max: 1024 }, "64", "Batch size", "Samples per training step."),
    key("dataset", Kind::Choice(Dataset::NAMES), "spiral", "Dataset",
        "2-D toy problems, or gaussian: x ~ N(0, I_width) labelled by a random linear teacher."),
    key("noise", float(0.0, 1.0, false), "0.1", "Noise", "Noise added to the dataset."),
    key("optimizer", Kind::Choice(Optimizer::NAMES), "sgd", "Optimizer",
        "sgd; momentum (0.9); adam (0.9, 0.999, 1e-8)."),
    key("lr", float(0.0, 10.0, true), "0.05", "Learning rate", "Step size of the optimizer."),
    key("warmup", Kind::Int { min: 0, max: 100_000 }, "0", "Warmup steps",
        "Linear learning-rate warmup: step t (from 0) uses lr * min(1, (t+1)/warmup), as torch's LambdaLR; 0: none."),
    key("seed", Kind::Int { min: 0, max: u32::MAX }, "1", "Seed",
        "Seeds the dataset, the init and the batch order."),
];

/// The config table as JSON, for the page to build its controls from:
/// `[{"name","label","help","default","kind","min","max","min_open","choices"}]`.
pub fn schema_json() -> String {
    let rows: Vec<serde_json::Value> = KEYS
        .iter()
        .map(|key| {
            let mut row = serde_json::json!({
                "name": key.name, "label": key.label, "help": key.help,
                "default": key.default, "allowed": key.kind.allowed(),
            });
            let extra = match key.kind {
                Kind::Int { min, max } => serde_json::json!({"kind": "int", "min": min, "max": max}),
                Kind::Float { min, max, min_open } => {
                    serde_json::json!({"kind": "float", "min": min, "max": max, "min_open": min_open})
                }
                Kind::Choice(names) => serde_json::json!({"kind": "choice", "choices": names}),
                Kind::Bool => serde_json::json!({"kind": "bool"}),
            };
            if let (Some(row), serde_json::Value::Object(extra)) = (row.as_object_mut(), extra) {
                row.extend(extra);
            }
            row
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}
