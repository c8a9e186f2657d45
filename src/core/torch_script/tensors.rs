//! The tensors a PyTorch script embeds, named as the script loads them:
//!
//! | name                                    | what                                  |
//! |-----------------------------------------|---------------------------------------|
//! | `blocks.<l>.linear.weight`, `.bias`     | hidden Linear l (0-based, torch's)     |
//! | `blocks.<l>.norm.weight`, `.bias`       | its norm's gamma, beta (if trained)    |
//! | `blocks.<l>.norm.running_mean`, `_var`  | BatchNorm's running statistics         |
//! | `final_norm.*`, `head.*`                | the same for the final norm and head   |
//! | `optim:<param>:momentum_buffer`         | SGD momentum buffer (torch's name)     |
//! | `optim:<param>:exp_avg`, `exp_avg_sq`   | Adam's moments                         |
//! | `batch:x`, `batch:y`                    | the current batch                      |
//! | `data:x`, `data:y`                      | the 1024-point dataset                 |
//! | `next_points`                           | dataset indices of the next batches    |
//!
//! Parameters come from `Network::visit_params`, the order the optimizer keys
//! its state on, so parameter `i` and optimizer state `i` are the same tensor.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::core::network::{Owner, Param};
use crate::core::norm::{Norm, NormKind};
use crate::core::optim::Kind as OptimizerKind;
use crate::core::scope::Scope;

/// One embedded tensor: name, shape, Python `array` typecode, little-endian bytes.
struct Entry {
    name: String,
    shape: Vec<usize>,
    code: char,
    bytes: Vec<u8>,
}

/// Every tensor of one script, in the order they are written.
pub(super) struct Tensors(Vec<Entry>);

fn floats(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The `state_dict` name of a parameter.
fn param_name(owner: Owner, param: Param) -> String {
    let module = match (owner, param) {
        (Owner::Block(l), Param::Weight | Param::Bias) => format!("blocks.{l}.linear"),
        (Owner::Block(l), _) => format!("blocks.{l}.norm"),
        (Owner::FinalNorm, _) => "final_norm".into(),
        (Owner::Head, _) => "head".into(),
    };
    let field = match param {
        Param::Weight | Param::Gamma => "weight",
        Param::Bias | Param::Beta => "bias",
    };
    format!("{module}.{field}")
}

impl Tensors {
    fn push(&mut self, name: String, shape: Vec<usize>, code: char, bytes: Vec<u8>) {
        self.0.push(Entry {
            name,
            shape,
            code,
            bytes,
        });
    }

    fn push_floats(&mut self, name: String, shape: Vec<usize>, values: &[f32]) {
        self.push(name, shape, 'f', floats(values));
    }

    fn running_stats(&mut self, module: &str, norm: &Norm) {
        if norm.kind == NormKind::Batch {
            let shape = vec![norm.features];
            self.push_floats(
                format!("{module}.running_mean"),
                shape.clone(),
                &norm.running_mean,
            );
            self.push_floats(format!("{module}.running_var"), shape, &norm.running_var);
        }
    }

    /// Bytes of the tensors in base64: the Linear parameters with their
    /// optimizer buffers, the dataset and the point indices (known before
    /// anything is copied; the norms' few parameters are left out).
    pub(super) fn estimate_bytes(scope: &Scope, points: usize) -> usize {
        let copies = match scope.optimizer().kind {
            OptimizerKind::Sgd => 1,
            OptimizerKind::Momentum => 2,
            OptimizerKind::Adam => 3,
        };
        let network = scope.network();
        let linears = network.blocks.iter().map(|b| &b.linear);
        let params: usize = linears.map(|l| l.weight.len() + l.bias.len()).sum();
        let data = scope.data().x.len() * 4 + scope.data().y.len();
        (params * 4 * copies + data + points * 2) / 3 * 4
    }

    /// Every tensor of `scope`'s current state, with the points of the next
    /// `next_steps` training steps.
    pub(super) fn of(scope: &mut Scope, next_steps: usize) -> Tensors {
        let mut tensors = Tensors(Vec::new());
        let (kind, width) = (scope.optimizer().kind, scope.config().width);
        let fan_ins: Vec<usize> = scope
            .network
            .blocks
            .iter()
            .map(|b| b.linear.fan_in)
            .collect();
        let mut params = Vec::new();
        scope.network.visit_params(|owner, param, values, _| {
            params.push((owner, param, values.to_vec()));
        });
        for (index, (owner, param, values)) in params.iter().enumerate() {
            let name = param_name(*owner, *param);
            let shape = match (owner, param) {
                (Owner::Block(l), Param::Weight) => vec![values.len() / fan_ins[*l], fan_ins[*l]],
                (Owner::Head, Param::Weight) => vec![values.len() / width, width],
                _ => vec![values.len()],
            };
            tensors.push_floats(name.clone(), shape.clone(), values);
            let (first, second) = scope.optimizer().state(index);
            let first_name = match kind {
                OptimizerKind::Adam => "exp_avg",
                _ => "momentum_buffer",
            };
            if let Some(buffer) = first {
                tensors.push_floats(format!("optim:{name}:{first_name}"), shape.clone(), buffer);
            }
            if let Some(buffer) = second {
                tensors.push_floats(format!("optim:{name}:exp_avg_sq"), shape.clone(), buffer);
            }
        }
        for (l, block) in scope.network().blocks.iter().enumerate() {
            tensors.running_stats(&format!("blocks.{l}.norm"), &block.norm);
        }
        if let Some(norm) = &scope.network().final_norm {
            tensors.running_stats("final_norm", norm);
        }
        let dim = scope.data().dim;
        let (x, y) = scope.batch();
        tensors.push_floats("batch:x".into(), vec![y.len(), dim], x);
        tensors.push("batch:y".into(), vec![y.len()], 'B', y.to_vec());
        let data = scope.data();
        tensors.push_floats("data:x".into(), vec![data.y.len(), dim], &data.x);
        tensors.push("data:y".into(), vec![data.y.len()], 'B', data.y.clone());
        let points = scope.upcoming_points(next_steps);
        let indices = points
            .iter()
            .flat_map(|&p| (p as u16).to_le_bytes())
            .collect();
        tensors.push("next_points".into(), vec![points.len()], 'H', indices);
        tensors
    }

    /// The entries of the script's `DATA` dict, one per line.
    pub(super) fn to_python(&self) -> String {
        let mut out = String::new();
        for entry in &self.0 {
            let shape: Vec<String> = entry.shape.iter().map(|d| d.to_string()).collect();
            let shape = match shape.len() {
                1 => format!("({},)", shape[0]),
                _ => format!("({})", shape.join(", ")),
            };
            out.push_str(&format!(
                "    \"{}\": ({shape}, \"{}\", \"{}\"),\n",
                entry.name,
                entry.code,
                STANDARD.encode(&entry.bytes)
            ));
        }
        out
    }
}
