//! `cargo xtask fuzz [target] [--seconds N] [--cmin]`: coverage-guided fuzzing
//! of the core with cargo-fuzz (libFuzzer, which needs a nightly toolchain).
//!
//! The targets live in `fuzz/` (their own workspace); each one's body is a
//! function of `normscope::core::fuzzing`, and `tests/fuzz_corpus.rs` replays
//! `fuzz/corpus/<target>/` on stable. A run grows that corpus in place; a
//! finding lands in `fuzz/artifacts/<target>/`: fix it, add a test, and copy
//! the input into the corpus so `cargo test` keeps checking it. `--cmin`
//! minimizes the corpus (keeps the inputs that add coverage) before it is
//! committed.

use std::fs;

use crate::util::{output, root, run, say, which, Result};

/// How long each target runs when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// The targets: `fuzz/fuzz_targets/<name>.rs`.
fn targets() -> Result<Vec<String>> {
    let dir = root().join("fuzz").join("fuzz_targets");
    let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.path().file_stem()?.to_str().map(String::from))
        .collect();
    names.sort();
    Ok(names)
}

/// Installs the nightly toolchain and cargo-fuzz when they are missing.
fn ensure_tools() -> Result {
    let toolchains = output(std::process::Command::new("rustup").args(["toolchain", "list"]))
        .map_err(|e| format!("{e}\n  to fix: install rustup (https://rustup.rs)"))?;
    if !toolchains.lines().any(|line| line.starts_with("nightly")) {
        say("the nightly toolchain is missing; installing it (cargo-fuzz needs it)");
        run(std::process::Command::new("rustup").args([
            "toolchain",
            "install",
            "nightly",
            "--profile",
            "minimal",
        ]))?;
    }
    if which("cargo-fuzz").is_none() {
        say("cargo-fuzz is missing; installing it from crates.io (takes a few minutes)");
        run(&mut crate::util::cargo([
            "install",
            "cargo-fuzz",
            "--locked",
        ]))
        .map_err(|e| format!("{e}\n  to fix: run `cargo install cargo-fuzz`"))?;
    }
    Ok(())
}

/// `cargo +nightly fuzz <args>`, started in `fuzz/`.
fn cargo_fuzz(args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new("cargo");
    command.arg("+nightly").arg("fuzz").args(args);
    command.current_dir(root().join("fuzz"));
    command.env_remove("RUSTUP_TOOLCHAIN").env_remove("CARGO");
    command
}

/// Runs `target` (every target when None) for `seconds` each, in one process
/// (the machine is shared), then minimizes its corpus if `cmin`.
pub fn run_fuzz(target: Option<String>, seconds: Option<u64>, cmin: bool) -> Result {
    let all = targets()?;
    let chosen = match target {
        Some(name) if all.contains(&name) => vec![name],
        Some(name) => {
            return Err(format!(
                "unknown fuzz target `{name}`: allowed {}",
                all.join(", ")
            ))
        }
        None => all,
    };
    ensure_tools()?;
    let seconds = seconds.unwrap_or(DEFAULT_SECONDS);
    for name in &chosen {
        say(&format!("fuzzing {name} for {seconds} s"));
        let time = format!("-max_total_time={seconds}");
        // Debug assertions on (overflow checks find bugs); no AddressSanitizer:
        // the core has no unsafe code, and ASan costs ~10x in executions.
        run(&mut cargo_fuzz(&[
            "run",
            "-O",
            "-a",
            "--sanitizer=none",
            name,
            "--",
            &time,
            "-rss_limit_mb=2048",
            "-print_final_stats=1",
        ]))?;
        if cmin {
            run(&mut cargo_fuzz(&[
                "cmin",
                "-O",
                "-a",
                "--sanitizer=none",
                name,
            ]))?;
        }
        let corpus = root().join("fuzz").join("corpus").join(name);
        let files = fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
        say(&format!("{name}: {files} inputs in {}", corpus.display()));
    }
    Ok(())
}
