//! `cargo xtask bench`: training steps per second and effective GFLOP/s for the
//! reference configs in `www/bench-configs.json`, natively (`examples/bench.rs`)
//! and as wasm in headless Chromium (`www/bench.html`, driven by
//! `tests/e2e/bench.mjs`), side by side with their ratio.
//!
//! Both sides print one JSON line per config: `{"name", "steps_per_s",
//! "gflops", "frame_ms"}` and where a step's time goes (`core::profile`, ms):
//! `matmuls`, `norms`, `activations`, `loss`, `optimizer`, `statistics`,
//! `timeline`. The table shows each part as a share of one step (`other` is
//! the rest of the step, the timeline records among it), and the frame after a
//! step as ms and as a share of a step.
//!
//! `cargo xtask bench --page` (`run_page`) measures the page instead.

use std::process::{Command, Stdio};

use crate::util::{cargo, describe, root, say, Result};
use crate::{build, dist, serve, setup};

/// One measured config.
#[derive(Debug, PartialEq)]
struct Sample {
    name: String,
    steps_per_s: f64,
    gflops: f64,
    /// Mean ms of one frame after a step (what a worker spends per update).
    frame_ms: f64,
    /// ms per step of each of [`PARTS`] (statistics: per frame).
    parts: [f64; PARTS.len()],
}

/// The parts of a step that `core::profile` times, as the JSON names them.
const PARTS: [&str; 7] = [
    "matmuls",
    "norms",
    "activations",
    "loss",
    "optimizer",
    "statistics",
    "timeline",
];

/// The leading [`PARTS`] that a step runs every time; the others (a frame's
/// statistics, a timeline record) are shown beside them, not subtracted.
const STEP_PARTS: usize = 5;

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

/// `cargo xtask bench --page`: the page's own speed (`tests/e2e/pageperf.mjs`:
/// frames/s during Play, chart updates/s, first chart after navigation, the
/// longest main-thread task) for the page targets of issues 9 and 13, printed
/// with the machine's load average, never asserted.
pub fn run_page() -> Result {
    let tools = setup::wasm_tools()?;
    let browser = setup::ensure_browser(false)?;
    setup::ensure_node()?;
    setup::ensure_e2e_packages()?;
    // The built site too: pageperf's `site-default` row loads dist/site/.
    dist::dist(&tools)?;
    let addr = serve::spawn(&root())?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    say(&format!(
        "the page in headless Chromium, served at http://{addr}/ (load average: {})",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    let mut node = Command::new("node");
    node.current_dir(root())
        .arg("tests/e2e/pageperf.mjs")
        .env("NORMSCOPE_URL", format!("http://{addr}/"))
        .env("CHROMIUM_PATH", &browser.chromium)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(Stdio::null());
    say(&format!("$ {}", describe(&node)));
    let status = node
        .status()
        .map_err(|e| format!("could not start node: {e}"))?;
    if !status.success() {
        return Err(format!("tests/e2e/pageperf.mjs failed ({status})"));
    }
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

/// Reads `{"name":"S","steps_per_s":1.5,"gflops":0.2,"frame_ms":3.1,"matmuls":0.4,...}`
/// (every one of [`PARTS`]); not a general JSON parser,
/// just enough for the lines our two benchmark programs print.
fn parse_sample(line: &str) -> Option<Sample> {
    let line = line.trim();
    if !line.starts_with('{') {
        return None;
    }
    let number = |key: &str| field(line, key)?.parse::<f64>().ok();
    let mut parts = [0.0; PARTS.len()];
    for (part, name) in parts.iter_mut().zip(PARTS) {
        *part = number(name)?;
    }
    Some(Sample {
        name: field(line, "name")?.trim_matches('"').to_string(),
        steps_per_s: number("steps_per_s")?,
        gflops: number("gflops")?,
        frame_ms: number("frame_ms")?,
        parts,
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
    let shares = [
        "matmul", "norm", "act", "loss", "optim", "stats", "tline", "other",
    ];
    let mut header = format!(
        "{:<6} | {:<6} | {:>9} | {:>7} | {:>9} | {:>9} | {:>7} |",
        "config", "side", "steps/s", "GFLOP/s", "step ms", "frame ms", "frame %"
    );
    for share in shares {
        header += &format!(" {share:>6}");
    }
    println!("{header}");
    println!("{}", "-".repeat(header.len()));
    for n in native {
        let pair = [
            ("native", Some(n)),
            ("wasm", wasm.iter().find(|w| w.name == n.name)),
        ];
        for (side, sample) in pair {
            let Some(sample) = sample else {
                println!("{:<6} | {side:<6} | (no result)", n.name);
                continue;
            };
            println!("{}", row(side, sample));
        }
    }
    println!();
    println!("frame: one frame after a step (statistics, a layer's matrix, encoding), what a Web");
    println!("Worker spends per chart update beside its steps; frame % = frame ms / step ms.");
    println!("matmul .. optim: each part of a step run alone (core::profile), as % of a step;");
    println!("stats: a frame's statistics, as % of a step; tline: one record of the timeline's");
    println!(
        "percentile bands (after every step for the first 256 steps, then every 2nd, 4th...);"
    );
    println!("other: the step's remaining time, timeline records included (timed apart from");
    println!("the steps: on a loaded machine it can come out negative).");
    println!();
}

/// One line of the table: `sample` measured on `side`.
fn row(side: &str, sample: &Sample) -> String {
    let step_ms = 1e3 / sample.steps_per_s;
    let percent = |ms: f64| 100.0 * ms / step_ms;
    let mut line = format!(
        "{:<6} | {side:<6} | {:>9.1} | {:>7.2} | {:>9.2} | {:>9.2} | {:>6.1}% |",
        sample.name,
        sample.steps_per_s,
        sample.gflops,
        step_ms,
        sample.frame_ms,
        percent(sample.frame_ms)
    );
    let step_parts = &sample.parts[..STEP_PARTS];
    let other = step_ms - step_parts.iter().sum::<f64>();
    for ms in sample.parts.iter().chain([&other]) {
        line += &format!(" {:>5.1}%", percent(*ms));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_result_lines() {
        let parts = r#""matmuls":1,"norms":2,"activations":3,"loss":4,"optimizer":5,"statistics":6,"timeline":7"#;
        let line =
            format!(r#"{{"name":"M","steps_per_s":123.5,"gflops":1e-1,"frame_ms":2.5,{parts}}}"#);
        let expected = Sample {
            name: "M".into(),
            steps_per_s: 123.5,
            gflops: 0.1,
            frame_ms: 2.5,
            parts: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        };
        assert_eq!(parse_sample(&line), Some(expected));
        let spaced =
            format!(r#"{{ "gflops": 2, "name": "L", "frame_ms": 9, "steps_per_s": 7, {parts} }}"#);
        let spaced = &spaced;
        assert_eq!(
            parse_sample(spaced).map(|s| (s.name, s.steps_per_s, s.gflops)),
            Some(("L".into(), 7.0, 2.0))
        );
        assert_eq!(parse_sample("Compiling normscope"), None);
        assert_eq!(parse_sample(r#"{"name":"S"}"#), None);
        let no_parts = r#"{"name":"M","steps_per_s":1,"gflops":1,"frame_ms":1}"#;
        assert_eq!(parse_sample(no_parts), None);
    }

    #[test]
    fn a_row_gives_each_part_as_a_share_of_a_step() {
        // 100 steps/s: 10 ms a step; its parts sum to 8 ms, so 2 ms are other
        // (statistics are a frame's, a timeline record not every step's).
        let sample = Sample {
            name: "S".into(),
            steps_per_s: 100.0,
            gflops: 1.0,
            frame_ms: 1.5,
            parts: [5.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.3],
        };
        let line = row("wasm", &sample);
        assert!(line.contains(" 10.00 "), "{line}");
        assert!(line.contains(" 15.0% |"), "{line}");
        assert!(
            line.ends_with(" 50.0%  10.0%  10.0%   5.0%   5.0%   5.0%   3.0%  20.0%"),
            "{line}"
        );
    }
}
