//! # normscope
//!
//! See what normalization does to a deep network. A tiny MLP is trained on a toy
//! dataset; every hidden layer's activation and gradient distributions are
//! measured after each step. The numeric core ([`core`]) matches PyTorch's
//! semantics (BatchNorm1d, LayerNorm, RMSNorm, GroupNorm, `torch.nn.init`); the
//! browser face (`web`, wasm32 only) draws the statistics on canvas charts.
//!
//! ```
//! let config: normscope::Config = "depth=4&width=16&norm=layer".parse().unwrap();
//! let mut scope = normscope::Scope::new(config).unwrap();
//! scope.step(10);
//! let stats = scope.stats();
//! assert_eq!(stats.layers.len(), 4);
//! let json = scope.snapshot().to_json();
//! assert!(json.starts_with("{\"format\":\"normscope-snapshot/1\""));
//! ```
//!
//! Modules (docs/architecture.md describes how they fit together):
//!
//! - [`core`], pure Rust: `config` (the key table), `matrix` (the matmul
//!   kernel), `linear`, `init`, `activation`, `norm` (one file per kind),
//!   `network` (blocks, forward, backward), `loss`, `optim`, `data`, `stats`,
//!   `histogram`, `collapse` (spread and cosine across samples), `diagnosis`
//!   (the findings in words), `compare` (`vs.` keys, two networks in lockstep),
//!   `history`, `views` (layer matrix, decision regions), `infer`,
//!   `scope` (the one object every face drives), `snapshot`, `frame` (a
//!   training state as bytes, for a Web Worker), `error`;
//! - `web`, wasm32 only: `api` (every `#[wasm_bindgen]` export) and `charts`
//!   (one file per chart).

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use crate::core::config::Config;
pub use crate::core::error::Error;
pub use crate::core::scope::Scope;
pub use crate::core::snapshot::Snapshot;
pub use crate::core::stats::Stats;
