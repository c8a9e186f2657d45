//! The closed sets of names a config key can take, each an enum with its wire
//! names (`NAMES`, the order the page lists them), parsing and (de)serialization.

/// Declares a closed set of named choices: the enum, its wire names and parsing.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every wire name, in the order the page lists them.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The wire name used in query strings and snapshots.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a wire name.
            pub fn from_name(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::from_name(&text).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown name '{text}': allowed {}", $name::NAMES.join(", ")))
                })
            }
        }
    };
}

named_enum!(
    /// The elementwise nonlinearity phi.
    Activation { Linear => "linear", Tanh => "tanh", Sigmoid => "sigmoid", Relu => "relu",
                 LeakyRelu => "leaky_relu", Gelu => "gelu" });
named_enum!(
    /// How every Linear weight is drawn (see `init.rs`).
    InitScheme { Zeros => "zeros", Normal => "normal", Uniform => "uniform",
                 XavierUniform => "xavier_uniform", XavierNormal => "xavier_normal",
                 KaimingUniform => "kaiming_uniform", KaimingNormal => "kaiming_normal",
                 LecunNormal => "lecun_normal", Orthogonal => "orthogonal",
                 TorchDefault => "torch_default" });
named_enum!(
    /// The normalization N of every hidden layer.
    NormKind { None => "none", Batch => "batch", Layer => "layer", Rms => "rms", Group => "group" });
named_enum!(
    /// Which formula computes x_hat (`norm/formula.rs`): `torch` is PyTorch's; the
    /// others are common mistakes, kept to show what they do.
    Formula { Torch => "torch", Unbiased => "unbiased", EpsOutside => "eps_outside",
              EpsAfter => "eps_after", NegativeEps => "negative_eps", SeedCode => "seed_code",
              BatchAxes => "batch_axes", SeedFormula => "seed_formula" });
named_enum!(
    /// Where N sits in a plain block: on the Linear output or on the activation output.
    Position { Before => "before", After => "after" });
named_enum!(
    /// Residual wiring of blocks 2..=depth.
    Residual { None => "none", Pre => "pre", Post => "post" });
named_enum!(
    /// Which BatchNorm statistics the probe pass uses.
    Mode { Train => "train", Eval => "eval" });
named_enum!(
    /// The seeded toy dataset (see `data.rs`).
    Dataset { Spiral => "spiral", Circles => "circles", Xor => "xor", Gaussians => "gaussians",
              Moons => "moons", Gaussian => "gaussian" });
named_enum!(
    /// The optimizer applied to every parameter (see `optim.rs`).
    Optimizer { Sgd => "sgd", Momentum => "momentum", Adam => "adam" });

impl Formula {
    /// The formulas that apply to `norm`: only `torch` without a norm; RMSNorm
    /// has no mean (no `unbiased`, `seed_code`); the axis mistakes are LayerNorm's.
    pub fn allowed_for(norm: NormKind) -> &'static [Formula] {
        use Formula::*;
        match norm {
            NormKind::None => &[Torch],
            NormKind::Rms => &[Torch, EpsOutside, EpsAfter, NegativeEps],
            NormKind::Batch | NormKind::Group => {
                &[Torch, Unbiased, EpsOutside, EpsAfter, NegativeEps, SeedCode]
            }
            NormKind::Layer => &[
                Torch,
                Unbiased,
                EpsOutside,
                EpsAfter,
                NegativeEps,
                SeedCode,
                BatchAxes,
                SeedFormula,
            ],
        }
    }

    /// Whether the statistics are taken per feature over the batch (the post's axes).
    pub fn over_batch(self) -> bool {
        matches!(self, Formula::BatchAxes | Formula::SeedFormula)
    }
}
