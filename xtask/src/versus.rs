//! Benchmarks that set normscope against something else in one headless
//! Chromium run (`tests/e2e/bench-pages.mjs`), printed as steps/s per config
//! with the speed-up:
//! - `cargo xtask bench --peer`: against the same MLPs written with TF.js
//!   (`www/peer-bench.js`; TF.js pinned in `xtask/peer/` and installed with
//!   `npm ci` when missing, never shipped), on its wasm and cpu backends;
//! - `cargo xtask bench --threads`: the threaded build on every core against
//!   the single-threaded one, both in a Web Worker (`www/threads-bench.js`),
//!   in rounds that alternate the two: the table gives the median of the
//!   rounds' steps/s and speed-ups, and the lowest and highest speed-up.

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
/// ("normscope", "tfjs-wasm", ...), one per round in the order run.
type Rates = Vec<(String, BTreeMap<String, Vec<f64>>)>;

fn parse(stdout: &str) -> Result<Rates> {
    let mut rates = Rates::new();
    for line in stdout.lines().filter(|l| l.trim_start().starts_with('{')) {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("bad result line {line}: {e}"))?;
        let text = |key: &str| value[key].as_str().map(str::to_string);
        match (text("name"), text("peer"), value["steps_per_s"].as_f64()) {
            (Some(name), Some(peer), Some(rate)) => {
                let at = match rates.iter().position(|(n, _)| *n == name) {
                    Some(at) => at,
                    None => {
                        rates.push((name, BTreeMap::new()));
                        rates.len() - 1
                    }
                };
                rates[at].1.entry(peer).or_default().push(rate);
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
    let none = Vec::new();
    let show = |x: &[f64]| median(x).map_or("-".to_string(), three_digits);
    // Each row's cells: the config, ours, then each other's steps/s and speed-up.
    type Row<'a> = (&'a String, String, Vec<(String, String)>);
    let rows: Vec<Row> = rates
        .iter()
        .map(|(name, by_peer)| {
            let ours = by_peer.get(versus.ours).unwrap_or(&none);
            let others = versus.others.iter().map(|peer| {
                let theirs = by_peer.get(*peer).unwrap_or(&none);
                (show(theirs), speed_up(ours, theirs))
            });
            (name, show(ours), others.collect())
        })
        .collect();
    let rounds = rates
        .iter()
        .flat_map(|(_, by_peer)| by_peer.values().map(Vec::len))
        .max()
        .unwrap_or(0);
    let ours_header = format!("{} steps/s", versus.ours);
    let width = ours_header.len().max(12);
    let ratio_width = rows
        .iter()
        .flat_map(|(_, _, others)| others.iter().map(|(_, ratio)| ratio.len()))
        .max()
        .unwrap_or(0)
        .max(8);
    let headers: Vec<String> = versus
        .others
        .iter()
        .map(|peer| format!("{peer} steps/s"))
        .collect();
    let rate_width = headers.iter().map(String::len).max().unwrap_or(0).max(12);
    println!();
    print!("{:<6} | {ours_header:>width$}", "config");
    for header in &headers {
        print!(" | {header:>rate_width$} | {:>ratio_width$}", "speed-up");
    }
    println!();
    let line = 9 + width + (6 + rate_width + ratio_width) * versus.others.len();
    println!("{}", "-".repeat(line));
    for (name, ours, others) in rows {
        print!("{name:<6} | {ours:>width$}");
        for (theirs, ratio) in others {
            print!(" | {theirs:>rate_width$} | {ratio:>ratio_width$}");
        }
        println!();
    }
    println!();
    println!(
        "speed-up: {}'s steps/s over each other's, same config, same browser run.",
        versus.ours
    );
    if rounds > 1 {
        println!(
            "{rounds} rounds: the median steps/s, and the median of the rounds' speed-ups\n\
             with the lowest and the highest in brackets."
        );
    }
    println!();
}

/// The median of the rounds' ratios `ours[i] / theirs[i]`, with their range
/// when there are several: `1.50x (1.10-1.70x)`.
fn speed_up(ours: &[f64], theirs: &[f64]) -> String {
    let ratios: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .filter(|(_, &b)| b > 0.0)
        .map(|(a, b)| a / b)
        .collect();
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match (median(&ratios), ratios.len()) {
        (None, _) => "-".into(),
        (Some(mid), 1) => format!("{mid:.1}x"),
        (Some(mid), _) => format!("{mid:.2}x ({low:.2}-{high:.2}x)"),
    }
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
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
        assert_eq!(rates[0].1["normscope"], [800.0]);
        assert_eq!(rates[0].1["tfjs-wasm"], [80.5]);
        assert!(parse("{\"name\":\"S\",\"steps_per_s\":1}").is_err());
        assert!(parse("nothing").is_err());
        assert_eq!(three_digits(894.6), "895");
        assert_eq!(three_digits(0.4123), "0.412");
    }

    /// Rounds are kept in order and paired by round: the speed-up is the
    /// median of the rounds' ratios, not the ratio of the medians.
    #[test]
    fn rounds_pair_up() {
        let line = |peer: &str, rate: f64| {
            format!("{{\"name\":\"L\",\"peer\":\"{peer}\",\"steps_per_s\":{rate}}}\n")
        };
        let rounds = [
            ("one-thread", 2.0),
            ("threads", 4.0),
            ("one-thread", 3.0),
            ("threads", 3.3),
            ("one-thread", 2.5),
            ("threads", 4.0),
        ];
        let out: String = rounds
            .iter()
            .map(|(peer, rate)| line(peer, *rate))
            .collect();
        let rates = parse(&out).unwrap();
        assert_eq!(rates[0].1["threads"], [4.0, 3.3, 4.0]);
        let (ours, theirs) = (&rates[0].1["threads"], &rates[0].1["one-thread"]);
        // The rounds' ratios 2.0, 1.1 and 1.6.
        assert_eq!(speed_up(ours, theirs), "1.60x (1.10-2.00x)");
        // Ratios 10 and 0.1: their median is 5.05, the medians' ratio 1.
        assert_eq!(speed_up(&[10.0, 1.0], &[1.0, 10.0]), "5.05x (0.10-10.00x)");
        assert_eq!(speed_up(&[3.0], &[2.0]), "1.5x");
        assert_eq!(speed_up(&[], &[2.0]), "-");
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
    }
}
