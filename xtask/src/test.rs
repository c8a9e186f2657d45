//! `cargo xtask test`: everything CI checks, in order, stopping at the first
//! failure: formatting, clippy (native and wasm32), the native tests, the wasm
//! tests in headless Chromium (`wasm-pack test`), then `dist` (the release package,
//! `dist/site/` and `dist/normscope.html`) with the repository served locally and
//! driven end to end with playwright-core (`node --test`).
//! Ends with a summary of the steps and their times.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::util::{self, cargo, root, say, Result};
use crate::{dist, serve, setup};

/// How much of the pipeline to run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// fmt, clippy, native tests: no browser.
    Quick,
    /// dist, serve and the end-to-end and Node tests only.
    EndToEndOnly,
    /// Everything.
    Full,
}

/// The cargo checks, in order (arguments separated by single spaces).
const CHECKS: [&str; 5] = [
    "fmt --all -- --check",
    "clippy --workspace --all-targets -- -D warnings",
    "clippy --lib --target wasm32-unknown-unknown -- -D warnings",
    "test --workspace",
    // The threaded build's matmuls against one thread, bit for bit (tests/threads.rs).
    "test --features threads --test threads",
];

/// One finished step, for the summary.
struct Done {
    name: String,
    seconds: f64,
    passed: bool,
}

#[derive(Default)]
struct Summary {
    steps: Vec<Done>,
}

impl Summary {
    /// Runs one step, timing it and recording the outcome.
    fn step<T>(&mut self, name: &str, body: impl FnOnce() -> Result<T>) -> Result<T> {
        say(&format!("== {name}"));
        let start = Instant::now();
        let result = body();
        let passed = result.is_ok();
        self.steps.push(Done {
            name: name.to_string(),
            seconds: start.elapsed().as_secs_f64(),
            passed,
        });
        result.map_err(|e| format!("step `{name}` failed: {e}"))
    }

    fn print(&self, total_seconds: f64) {
        say("summary:");
        for done in &self.steps {
            let mark = if done.passed { "ok  " } else { "FAIL" };
            println!("  {mark}  {:<58} {:>7.1}s", done.name, done.seconds);
        }
        let passed = self.steps.iter().filter(|d| d.passed).count();
        let failed = self.steps.len() - passed;
        say(&format!(
            "{} steps in {total_seconds:.0}s",
            self.steps.len()
        ));
        // The plain closing line that test-result readers understand.
        say(&format!("{passed} passed, {failed} failed"));
    }
}

pub fn run(scope: Scope) -> Result {
    let start = Instant::now();
    let mut summary = Summary::default();
    let result = pipeline(scope, &mut summary);
    summary.print(start.elapsed().as_secs_f64());
    result
}

fn pipeline(scope: Scope, summary: &mut Summary) -> Result {
    let browser_wanted = scope != Scope::Quick;
    let (tools, browser, wasm_pack) = summary.step("setup: install what is missing", || {
        setup::ensure_components()?;
        let tools = setup::wasm_tools()?;
        let wasm_pack = if scope == Scope::Full {
            Some(setup::ensure_wasm_pack()?)
        } else {
            None
        };
        let browser = if browser_wanted {
            Some(setup::ensure_browser(scope == Scope::Full)?)
        } else {
            None
        };
        if browser_wanted {
            setup::ensure_node()?;
            setup::ensure_e2e_packages()?;
        }
        Ok((tools, browser, wasm_pack))
    })?;

    if scope != Scope::EndToEndOnly {
        for check in CHECKS {
            summary.step(&format!("cargo {check}"), || {
                util::run(&mut cargo(check.split(' ')))
            })?;
        }
    }

    let Some(browser) = browser else {
        return Ok(());
    };
    if let Some(wasm_pack) = wasm_pack {
        summary.step("wasm-pack test --headless --chrome", || {
            wasm_pack_test(&wasm_pack, &browser)
        })?;
    }
    // dist builds the release package and writes dist/, which the e2e tests load.
    summary.step("cargo xtask dist", || dist::dist(&tools))?;
    let addr = serve::spawn(&root())?;
    let url = format!("http://{addr}/");
    say(&format!("serving the repository at {url}"));
    for dir in ["tests/e2e", "tests/node"] {
        let files = test_files(&root().join(dir))?;
        if files.is_empty() {
            say(&format!("{dir}: no *.test.mjs files, skipped"));
            continue;
        }
        summary.step(&format!("node --test {dir}/"), || {
            node_test(&files, &url, &browser)
        })?;
    }
    Ok(())
}

/// The wasm tests (tests/web.rs) in headless Chromium through chromedriver.
/// As root Chromium needs `--no-sandbox`: the runner adds it, and `webdriver.json`
/// in the crate root adds the flags for a machine without network.
fn wasm_pack_test(wasm_pack: &Path, browser: &setup::Browser) -> Result {
    let mut command = Command::new(wasm_pack);
    command
        .current_dir(root())
        .args(["test", "--headless", "--chrome"]);
    if let Some(driver) = &browser.chromedriver {
        command.arg("--chromedriver").arg(driver);
    }
    command.env(
        "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
        root().join("webdriver.json"),
    );
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        // Two slow cores: the default 20 s is tight for a first page load.
        command.env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    }
    util::run(&mut command)
}

/// `node --test` on explicit files (a directory argument means different things
/// to different Node versions).
fn node_test(files: &[PathBuf], url: &str, browser: &setup::Browser) -> Result {
    let mut command = Command::new("node");
    command
        .current_dir(root())
        .arg("--test")
        .args(files.iter().map(|f| f.strip_prefix(root()).unwrap_or(f)))
        .env("NORMSCOPE_URL", url)
        .env("CHROMIUM_PATH", &browser.chromium)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    util::run(&mut command)
}

/// `*.test.mjs` / `*.test.js` directly in `dir`, sorted; none if `dir` is absent.
fn test_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            path.is_file() && (name.ends_with(".test.mjs") || name.ends_with(".test.js"))
        })
        .collect();
    files.sort();
    Ok(files)
}
