//! Benchmarks that set normscope against something else in one headless
//! Chromium run (`tests/e2e/bench-pages.mjs`), printed as steps/s per config
//! with the speed-up:
//! - `cargo xtask bench --peer`: against the same MLPs written with TF.js
//!   (`www/peer-bench.js`; TF.js pinned in `xtask/peer/` and installed with
//!   `npm ci` when missing, never shipped), on its wasm and cpu backends;
//! - `cargo xtask bench --threads`: the threaded build on every core against
//!   the single-threaded one, both in a Web Worker (`www/threads-bench.js`).

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use crate::setup::{ensure_node, ensure_npm_packages};
use crate::util::{describe, root, say, Result};
use crate::{build, serve, setup};

/// One such benchmark: the pages to run, whose results are "ours", and the
/// others, in the order the table shows them.
pub struct Versus {
    pages: &'static [&'static str],
    ours: &'static str,
    others: &'static [&'static str],
}

/// `bench --peer`.
pub const PEER: Versus = Versus {
    pages: &["www/bench.html", "www/peer-bench.html"],
    ours: "normscope",
    others: &["tfjs-wasm", "tfjs-cpu"],
};

/// `bench --threads`.
pub const THREADS: Versus = Versus {
    pages: &["www/threads-bench.html"],
    ours: "threads",
    others: &["one-thread"],
};

pub fn run(versus: &Versus) -> Result {
    let tools = setup::wasm_tools()?;
    let browser = setup::ensure_browser(false)?;
    ensure_node()?;
    setup::ensure_e2e_packages()?;
    if versus.pages.contains(&"www/peer-bench.html") {
        ensure_npm_packages(&root().join("xtask").join("peer"), "@tensorflow")?;
    }
    build::build(&tools, false)?;
    let addr = serve::spawn(&root())?;
    say(&format!(
        "{} in headless Chromium, served at http://{addr}/",
        versus.pages.join(" and ")
    ));
    let mut node = Command::new("node");
    node.current_dir(root())
        .arg("tests/e2e/bench-pages.mjs")
        .args(versus.pages)
        .env("NORMSCOPE_URL", format!("http://{addr}/"))
        .env("CHROMIUM_PATH", &browser.chromium)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    say(&format!("$ {}", describe(&node)));
    let out = node
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "bench-pages.mjs failed ({}); its output:\n{stdout}",
            out.status
        ));
    }
    let rates = parse(&stdout)?;
    print_table(versus, &rates);
    Ok(())
}

/// Steps per second by config (in the order printed), then by peer
/// ("normscope", "tfjs-wasm", ...).
type Rates = Vec<(String, BTreeMap<String, f64>)>;

fn parse(stdout: &str) -> Result<Rates> {
    let mut rates = Rates::new();
    for line in stdout.lines().filter(|l| l.trim_start().starts_with('{')) {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("bad result line {line}: {e}"))?;
        let text = |key: &str| value[key].as_str().map(str::to_string);
        match (text("name"), text("peer"), value["steps_per_s"].as_f64()) {
            (Some(name), Some(peer), Some(rate)) => {
                match rates.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, by_peer)) => by_peer.insert(peer, rate),
                    None => {
                        rates.push((name, BTreeMap::from([(peer, rate)])));
                        None
                    }
                };
            }
            _ => {
                return Err(format!(
                    "result line without name, peer or steps_per_s: {line}"
                ))
            }
        }
    }
    if rates.is_empty() {
        return Err(format!(
            "bench-pages.mjs printed no results; its output:\n{stdout}"
        ));
    }
    Ok(rates)
}

fn print_table(versus: &Versus, rates: &Rates) {
    let ours_header = format!("{} steps/s", versus.ours);
    let width = ours_header.len().max(12);
    println!();
    print!("{:<6} | {ours_header:>width$}", "config");
    for peer in versus.others {
        print!(" | {:>16} | {:>8}", format!("{peer} steps/s"), "speed-up");
    }
    println!();
    println!("{}", "-".repeat(9 + width + 30 * versus.others.len()));
    for (name, by_peer) in rates {
        let ours = by_peer.get(versus.ours).copied();
        let show = |x: Option<f64>| x.map_or("-".to_string(), three_digits);
        print!("{name:<6} | {:>width$}", show(ours));
        for peer in versus.others {
            let theirs = by_peer.get(*peer).copied();
            let ratio = match (ours, theirs) {
                (Some(a), Some(b)) if b > 0.0 => format!("{:.1}x", a / b),
                _ => "-".into(),
            };
            print!(" | {:>16} | {ratio:>8}", show(theirs));
        }
        println!();
    }
    println!();
    println!(
        "speed-up: {}'s steps/s over each other's, same config, same browser run.",
        versus.ours
    );
    println!();
}

/// A rate with about three significant digits: 895, 42.6, 0.412.
fn three_digits(x: f64) -> String {
    let decimals = match x.abs() {
        x if x >= 100.0 => 0,
        x if x >= 10.0 => 1,
        x if x >= 1.0 => 2,
        _ => 3,
    };
    format!("{x:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tagged_lines_and_refuses_untagged_ones() {
        let out = "{\"name\":\"S\",\"peer\":\"normscope\",\"steps_per_s\":800}\nnoise\n\
                   {\"name\":\"S\",\"peer\":\"tfjs-wasm\",\"steps_per_s\":80.5,\"gflops\":1}\n";
        let rates = parse(out).unwrap();
        assert_eq!(rates.len(), 1);
        assert_eq!(rates[0].1["normscope"], 800.0);
        assert_eq!(rates[0].1["tfjs-wasm"], 80.5);
        assert!(parse("{\"name\":\"S\",\"steps_per_s\":1}").is_err());
        assert!(parse("nothing").is_err());
        assert_eq!(three_digits(894.6), "895");
        assert_eq!(three_digits(0.4123), "0.412");
    }
}
