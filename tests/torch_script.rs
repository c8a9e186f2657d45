//! The PyTorch script export (`core::torch_script`): its text, checked against
//! the core, and, where a Python with torch is found, the script run in
//! PyTorch, whose loss and per-layer output and gradient std must match the
//! core's statistics to 1e-5 relative, and to 1e-4 after `--train 3`.
//!
//! Python: `$NORMSCOPE_PYTHON` if set, else `python3`; without torch the
//! PyTorch test prints that it is skipped (CI does not install torch).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use normscope::core::torch_script::{file_name, next_steps, torch_script};
use normscope::{Config, Scope};

/// The tests that run the script in PyTorch.
#[path = "torch_script/pytorch.rs"]
mod pytorch;

fn scope(query: &str, steps: usize) -> Scope {
    let mut scope = Scope::new(query.parse::<Config>().unwrap()).unwrap();
    scope.step(steps);
    scope
}

/// The embedded tensor `name`: (shape, typecode, bytes).
fn tensor(script: &str, name: &str) -> Option<(String, String, Vec<u8>)> {
    let prefix = format!("    \"{name}\": ((");
    let rest = script.lines().find_map(|l| l.strip_prefix(&prefix))?;
    let (shape, rest) = rest.split_once("), \"").unwrap();
    let parts: Vec<&str> = rest.split('"').collect();
    let bytes = STANDARD.decode(parts[2]).unwrap();
    Some((shape.to_string(), parts[0].to_string(), bytes))
}

fn floats(bytes: &[u8]) -> Vec<f32> {
    let chunks = bytes.chunks_exact(4);
    chunks
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn the_script_carries_the_exact_parameters_batch_and_running_statistics() {
    let mut scope = scope("depth=3&width=8&batch=6&norm=batch&optimizer=momentum", 4);
    let script = torch_script(&mut scope).unwrap();
    assert!(script.starts_with("#!/usr/bin/env python3\n"));
    assert!(script.contains(&scope.config().to_query()));
    assert!(script.contains("STEP = 4 "));
    assert!(!script.contains("{{"), "every template slot is filled");
    let network = scope.network().clone();
    let (shape, code, bytes) = tensor(&script, "blocks.1.linear.weight").unwrap();
    assert_eq!((shape.as_str(), code.as_str()), ("8, 8", "f"));
    assert_eq!(floats(&bytes), network.blocks[1].linear.weight);
    let (shape, _, bytes) = tensor(&script, "blocks.0.linear.weight").unwrap();
    assert_eq!(shape, "8, 2");
    assert_eq!(floats(&bytes), network.blocks[0].linear.weight);
    let (_, _, bytes) = tensor(&script, "blocks.2.norm.running_var").unwrap();
    assert_eq!(floats(&bytes), network.blocks[2].norm.running_var);
    let (shape, _, bytes) = tensor(&script, "head.weight").unwrap();
    assert_eq!(
        (shape.as_str(), floats(&bytes)),
        ("2, 8", network.head.weight.clone())
    );
    let (x, y) = scope.batch();
    assert_eq!(floats(&tensor(&script, "batch:x").unwrap().2), x);
    assert_eq!(tensor(&script, "batch:y").unwrap().2, y);
    assert_eq!(
        floats(&tensor(&script, "data:x").unwrap().2),
        scope.data().x
    );
}

#[test]
fn the_quoted_numbers_are_the_cores_statistics() {
    let mut scope = scope("depth=3&width=8&batch=6&norm=layer&activation=relu", 2);
    let script = torch_script(&mut scope).unwrap();
    let stats = scope.stats().clone();
    let quoted = script
        .lines()
        .find(|l| l.starts_with("NORMSCOPE = "))
        .unwrap();
    let layers: Vec<String> = stats
        .layers
        .iter()
        .map(|l| format!("({:?}, {:?})", l.out.std, l.grad.std))
        .collect();
    let expected = format!(
        "NORMSCOPE = {{\"loss\": {:?}, \"layers\": [{}]}}",
        stats.loss,
        layers.join(", ")
    );
    assert_eq!(quoted, expected);
    let gain = format!(
        "GAIN = {:?}",
        normscope::core::config::Activation::Relu.gain()
    );
    assert!(script.contains(&gain), "{gain}");
    assert!(script.contains(&format!("NEXT_STEPS = {}", 4096 / 6)));
}

#[test]
fn the_optimizer_state_travels_with_its_parameter() {
    let mut fresh = scope("depth=2&width=4&batch=4&norm=rms&optimizer=adam", 0);
    let script = torch_script(&mut fresh).unwrap();
    assert!(
        !script.contains("    \"optim:"),
        "no state before the first step"
    );
    let mut trained = scope("depth=2&width=4&batch=4&norm=rms&optimizer=adam", 3);
    let script = torch_script(&mut trained).unwrap();
    assert!(script.contains("ADAM_STEPS = 3\n"));
    // Parameters: 2 blocks x (weight, bias, gamma) and the head's 2; RMSNorm has no beta.
    assert_eq!(script.matches(":exp_avg\": (").count(), 8);
    assert_eq!(script.matches(":exp_avg_sq\": (").count(), 8);
    assert!(tensor(&script, "optim:blocks.1.norm.bias:exp_avg").is_none());
    // The gamma of block 2 is parameter 5 in the optimizer's visiting order.
    let (first, second) = trained.optimizer().state(5);
    let exp_avg = tensor(&script, "optim:blocks.1.norm.weight:exp_avg")
        .unwrap()
        .2;
    let exp_avg_sq = tensor(&script, "optim:blocks.1.norm.weight:exp_avg_sq")
        .unwrap()
        .2;
    assert_eq!(floats(&exp_avg), first.unwrap());
    assert_eq!(floats(&exp_avg_sq), second.unwrap());
}

#[test]
fn the_next_points_are_the_batches_the_core_trains_on_next() {
    for steps in [0, 3] {
        let mut scope = scope("depth=2&width=4&batch=300", steps);
        let script = torch_script(&mut scope).unwrap();
        let (shape, code, bytes) = tensor(&script, "next_points").unwrap();
        assert_eq!((code.as_str(), shape), ("H", format!("{},", 13 * 300)));
        let points: Vec<usize> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]) as usize)
            .collect();
        // Four steps: the fourth crosses an epoch boundary (1200 > 1024).
        for (k, batch) in points.chunks(300).take(4).enumerate() {
            scope.step(1);
            let (x, y) = scope.batch();
            let data = scope.data();
            for (slot, &point) in batch.iter().enumerate() {
                assert_eq!(x[slot * 2..slot * 2 + 2], data.x[point * 2..point * 2 + 2]);
                assert_eq!(y[slot], data.y[point], "step {k} slot {slot}");
            }
        }
    }
}

#[test]
fn states_pytorch_refuses_are_refused_with_the_reason() {
    for query in [
        "norm=batch&batch=1",
        "norm=group&groups=8&width=8&batch=1&mode=eval",
    ] {
        let mut scope = scope(&format!("depth=2&{query}"), 1);
        let error = torch_script(&mut scope).unwrap_err().to_string();
        assert!(
            error.contains("'batch'") && error.contains("at least 2"),
            "{error}"
        );
        assert!(
            error.contains("Expected more than 1 value per channel"),
            "{error}"
        );
        assert_eq!(scope.steps(), 1);
    }
    // Eval mode uses the running statistics, which torch accepts at batch 1.
    assert!(torch_script(&mut scope("depth=2&norm=batch&batch=1&mode=eval", 1)).is_ok());
    let mut huge = scope("depth=64&width=512&optimizer=adam&batch=2", 0);
    let error = torch_script(&mut huge).unwrap_err().to_string();
    assert!(
        error.contains("'width'") && error.contains("the limit is 128 MB"),
        "{error}"
    );
}

#[test]
fn a_diverged_state_says_where() {
    let query = "depth=4&width=16&init=normal&scale=50&lr=10&activation=relu&batch=8";
    let mut diverged = scope(query, 30);
    let script = torch_script(&mut diverged).unwrap();
    let at = diverged.diverged().unwrap();
    let expected = format!("DIVERGED = {{\"step\": {}, \"layer\": 1}}\n", at.step);
    assert_eq!(at.layer, Some(1));
    assert!(script.contains(&expected), "{expected}");
    assert!(!script.contains("DIVERGED = None\n"));
    let mut healthy = scope("depth=2", 1);
    assert!(torch_script(&mut healthy)
        .unwrap()
        .contains("DIVERGED = None\n"));
}

#[test]
fn names_and_step_counts() {
    assert_eq!(file_name(7), "normscope-step7.py");
    assert_eq!(next_steps(&"batch=1024".parse().unwrap()), 4);
    assert_eq!(next_steps(&"batch=1".parse().unwrap()), 4096);
}
