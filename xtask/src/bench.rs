//! `cargo xtask bench`: training steps per second and effective GFLOP/s for the
//! reference configs in `www/bench-configs.json`, natively (`examples/bench.rs`)
//! and as wasm in headless Chromium (`www/bench.html`, driven by
//! `tests/e2e/bench.mjs`), side by side with their ratio.
//!
//! Both sides print one JSON line per config: `{"name", "steps_per_s", "gflops"}`.

use std::process::{Command, Stdio};

use crate::util::{cargo, describe, root, say, Result};
use crate::{build, serve, setup};

/// One measured config.
#[derive(Debug, PartialEq)]
struct Sample {
    name: String,
    steps_per_s: f64,
    gflops: f64,
    /// Mean ms of one frame after a step (what a worker spends per update).
    frame_ms: f64,
}

pub fn run() -> Result {
    let tools = setup::wasm_tools()?;
    let browser = setup::ensure_browser(false)?;
    setup::ensure_node()?;
    setup::ensure_e2e_packages()?;

    say("native: cargo run --release --example bench");
    let native = samples(cargo(["run", "--quiet", "--release", "--example", "bench"]))?;

    build::build(&tools, false)?;
    let addr = serve::spawn(&root())?;
    say(&format!(
        "wasm: www/bench.html in headless Chromium, served at http://{addr}/"
    ));
    let mut node = Command::new("node");
    node.current_dir(root())
        .arg("tests/e2e/bench.mjs")
        .env("NORMSCOPE_URL", format!("http://{addr}/"))
        .env("CHROMIUM_PATH", &browser.chromium)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    let wasm = samples(node)?;

    print_table(&native, &wasm);
    Ok(())
}

/// Runs a benchmark program (its stderr goes to the terminal) and reads the
/// JSON lines on its stdout.
fn samples(mut command: Command) -> Result<Vec<Sample>> {
    say(&format!("$ {}", describe(&command)));
    let out = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(&command)))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}); its output:\n{stdout}",
            describe(&command),
            out.status
        ));
    }
    let samples: Vec<Sample> = stdout.lines().filter_map(parse_sample).collect();
    if samples.is_empty() {
        return Err(format!(
            "`{}` printed no result lines; its output:\n{stdout}",
            describe(&command)
        ));
    }
    Ok(samples)
}

/// Reads `{"name":"S","steps_per_s":1.5,"gflops":0.2,"frame_ms":3.1}`; not a general JSON parser,
/// just enough for the lines our two benchmark programs print.
fn parse_sample(line: &str) -> Option<Sample> {
    let line = line.trim();
    if !line.starts_with('{') {
        return None;
    }
    let number = |key: &str| field(line, key)?.parse::<f64>().ok();
    Some(Sample {
        name: field(line, "name")?.trim_matches('"').to_string(),
        steps_per_s: number("steps_per_s")?,
        gflops: number("gflops")?,
        frame_ms: number("frame_ms")?,
    })
}

/// The raw text of `"key": value` in a flat JSON object.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = line[start..].trim_start().strip_prefix(':')?.trim_start();
    let end = if let Some(text) = rest.strip_prefix('"') {
        text.find('"')? + 2
    } else {
        rest.find([',', '}'])?
    };
    Some(rest[..end].trim())
}

fn print_table(native: &[Sample], wasm: &[Sample]) {
    println!();
    println!(
        "{:<6} | {:>14} | {:>14} | {:>12} | {:>12} | {:>11} | {:>15} | {:>13}",
        "config",
        "native steps/s",
        "native GFLOP/s",
        "wasm steps/s",
        "wasm GFLOP/s",
        "wasm/native",
        "native frame ms",
        "wasm frame ms"
    );
    println!("{}", "-".repeat(121));
    for n in native {
        let w = wasm.iter().find(|w| w.name == n.name);
        let (w_steps, w_gflops, ratio, w_frame) = match w {
            Some(w) => (
                format!("{:.1}", w.steps_per_s),
                format!("{:.2}", w.gflops),
                format!("{:.2}", w.steps_per_s / n.steps_per_s),
                format!("{:.2}", w.frame_ms),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        println!(
            "{:<6} | {:>14.1} | {:>14.2} | {w_steps:>12} | {w_gflops:>12} | {ratio:>11} | {:>15.2} | {w_frame:>13}",
            n.name, n.steps_per_s, n.gflops, n.frame_ms
        );
    }
    println!();
    println!(
        "frame ms: one frame after a step (probe pass, statistics, a layer's matrix, encoding),"
    );
    println!("what a Web Worker spends per chart update beside its steps.");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_result_lines() {
        let line = r#"{"name":"M","steps_per_s":123.5,"gflops":1e-1,"frame_ms":2.5}"#;
        let expected = Sample {
            name: "M".into(),
            steps_per_s: 123.5,
            gflops: 0.1,
            frame_ms: 2.5,
        };
        assert_eq!(parse_sample(line), Some(expected));
        let spaced = r#"{ "gflops": 2, "name": "L", "frame_ms": 9, "steps_per_s": 7 }"#;
        assert_eq!(
            parse_sample(spaced).map(|s| (s.name, s.steps_per_s, s.gflops)),
            Some(("L".into(), 7.0, 2.0))
        );
        assert_eq!(parse_sample("Compiling normscope"), None);
        assert_eq!(parse_sample(r#"{"name":"S"}"#), None);
    }
}
