//! Native training throughput of the reference configs in
//! `www/bench-configs.json` (the same file `www/bench.html` measures in the
//! browser). For each config: build the `Scope`, warm up, then time `step` calls
//! until at least `min_seconds` have passed, and print one JSON line
//! `{"name", "steps_per_s", "gflops", "frame_ms"}` with
//! GFLOP/s = `flops_per_step() * steps_per_s / 1e9`, and `frame_ms` the mean
//! cost of one frame after one step (probe pass, statistics, one layer's
//! matrix, encoding): what a Web Worker spends per chart update beside the steps.
//! The line also holds where a step's time goes (`core::profile`): ms per step
//! of `matmuls`, `norms`, `activations`, `loss`, `optimizer`, of a frame's
//! `statistics`, and of one `timeline` record.
//!
//! Run with `cargo run --release --example bench [NAME...]`, or through
//! `cargo xtask bench`, which also measures the wasm build and prints a table.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use normscope::core::frame::{Frame, FrameRequest};
use normscope::core::profile::breakdown;
use normscope::{Config, Scope};
use serde_json::{json, Value};

const CONFIGS: &str = include_str!("../www/bench-configs.json");

/// Warm-up before timing: caches, branch predictors, first-touch page faults.
const WARM_UP: Duration = Duration::from_millis(300);

/// Steps per `step` call grow until one call takes about this long, so the
/// clock is read rarely (the browser side does the same).
const CALL_TARGET: Duration = Duration::from_millis(20);

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let file: Value = serde_json::from_str(CONFIGS)
        .map_err(|e| format!("www/bench-configs.json is not valid JSON: {e}"))?;
    let min_time = Duration::from_secs_f64(file["min_seconds"].as_f64().unwrap_or(2.0));
    let configs = file["configs"]
        .as_array()
        .ok_or("www/bench-configs.json has no `configs` array")?;
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    for entry in configs {
        let (Some(name), Some(query)) = (entry["name"].as_str(), entry["query"].as_str()) else {
            return Err(format!(
                "each config needs a `name` and a `query`, got {entry}"
            ));
        };
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let config: Config = query.parse().map_err(|e| format!("config {name}: {e}"))?;
        let mut scope = Scope::new(config).map_err(|e| format!("config {name}: {e}"))?;
        let (steps, seconds) =
            time_steps(&mut scope, min_time).map_err(|e| format!("config {name}: {e}"))?;
        let steps_per_s = steps as f64 / seconds;
        let gflops = scope.flops_per_step() * steps_per_s / 1e9;
        let frame_ms =
            time_frames(&mut scope, min_time).map_err(|e| format!("config {name}: {e}"))?;
        let start = Instant::now();
        let clock = || start.elapsed().as_secs_f64() * 1e3;
        let parts = breakdown(&scope, &clock, min_time.as_secs_f64() * 1e3 / 10.0);
        eprintln!("bench: {name}: {steps} steps in {seconds:.2} s; a frame {frame_ms:.2} ms");
        let mut line = json!({ "name": name, "steps_per_s": steps_per_s, "gflops": gflops, "frame_ms": frame_ms });
        if let (Value::Object(line), Value::Object(parts)) = (&mut line, json!(parts)) {
            line.extend(parts);
        }
        println!("{line}");
    }
    Ok(())
}

/// Warms up, then steps in growing chunks until `min_time` has passed;
/// returns (steps taken, seconds).
fn time_steps(scope: &mut Scope, min_time: Duration) -> Result<(usize, f64), String> {
    let warm_up = Instant::now();
    while warm_up.elapsed() < WARM_UP {
        advance(scope, 1)?;
    }
    let start = Instant::now();
    let (mut steps, mut chunk) = (0, 1);
    while start.elapsed() < min_time {
        let call = Instant::now();
        steps += advance(scope, chunk)?;
        if call.elapsed() < CALL_TARGET {
            chunk *= 2;
        }
    }
    Ok((steps, start.elapsed().as_secs_f64()))
}

/// Mean milliseconds of one frame (as a worker makes it after each step), over
/// at least 3 frames and `min_time / 2`; the steps between are not timed.
fn time_frames(scope: &mut Scope, min_time: Duration) -> Result<f64, String> {
    let request = FrameRequest {
        layer: Some(1),
        decision: None,
    };
    let (mut spent, mut frames) = (Duration::ZERO, 0u32);
    while frames < 3 || spent < min_time / 2 {
        advance(scope, 1)?;
        let start = Instant::now();
        std::hint::black_box(Frame::of(scope, request).to_bytes());
        spent += start.elapsed();
        frames += 1;
    }
    Ok(spent.as_secs_f64() * 1e3 / frames as f64)
}

/// `scope.step(n)`, refusing to spin if training stopped taking steps.
fn advance(scope: &mut Scope, n: usize) -> Result<usize, String> {
    match scope.step(n) {
        0 => Err("step() took no steps (training paused on non-finite values?)".into()),
        taken => Ok(taken),
    }
}
