//! `cargo xtask build`: the crate compiled to wasm32 (with `+simd128` from
//! `.cargo/config.toml`), bound with wasm-bindgen into `pkg/` as an ES module for
//! the web (`pkg/normscope.js` + `pkg/normscope_bg.wasm`), then optimized with
//! binaryen's wasm-opt (the npm package pinned in `xtask/binaryen/`, run by Node;
//! a wasm-opt on PATH when Node is missing); `pkg/package.json` makes it an npm
//! package (`npm.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::setup::{ensure_npm_packages, WasmTools};
use crate::util::{
    cargo, gzip_len, human_bytes, output, root, run, say, target_dir, which, Result,
};

/// The `.wasm` file that pages load.
pub fn pkg_wasm() -> PathBuf {
    root().join("pkg").join("normscope_bg.wasm")
}

/// Builds `pkg/`; `dev` uses the debug profile and skips wasm-opt.
pub fn build(tools: &WasmTools, dev: bool) -> Result<PathBuf> {
    let profile = if dev { "debug" } else { "release" };
    say(&format!("building the wasm package ({profile})"));
    let mut build = cargo(["build", "--lib", "--target", "wasm32-unknown-unknown"]);
    if !dev {
        build.arg("--release");
    }
    run(&mut build)?;

    let compiled = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join("normscope.wasm");
    let mut bindgen = Command::new(&tools.wasm_bindgen);
    bindgen.current_dir(root()).args([
        "--target",
        "web",
        "--out-dir",
        "pkg",
        "--out-name",
        "normscope",
    ]);
    if dev {
        bindgen.arg("--debug");
    }
    run(bindgen.arg(&compiled))?;

    let wasm = pkg_wasm();
    if !dev {
        optimize(&wasm, &[], true);
    }
    report_size(&wasm)?;
    crate::npm::write_package(&root().join("pkg"))?;
    if !dev {
        crate::threads::build(tools)?;
    }
    Ok(wasm)
}

/// The features rustc enables by default for wasm32 plus simd128; wasm-opt must
/// be told about each or it refuses the module.
const WASM_OPT_FEATURES: [&str; 7] = [
    "--enable-simd",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Where the pinned binaryen lives, from the root (`xtask/binaryen/package.json`).
const BINARYEN_DIR: &str = "xtask/binaryen";

/// The wasm-opt to use: the npm package pinned in [`BINARYEN_DIR`] (binaryen
/// compiled to wasm, run by Node; installed with `npm ci` when missing), else
/// one on PATH. Debian's binaryen (v108) is too old for what rustc emits, so
/// PATH is only the fallback, and `check_optimized` guards it either way.
fn find_wasm_opt() -> Option<PathBuf> {
    if which("node").is_some() {
        let dir = root().join(BINARYEN_DIR);
        match ensure_npm_packages(&dir, "binaryen") {
            Ok(()) => {
                let binary = dir.join("node_modules").join(".bin").join("wasm-opt");
                if binary.exists() {
                    return Some(binary);
                }
                say(&format!("{} is missing after `npm ci`", binary.display()));
            }
            Err(e) => say(&format!("could not install binaryen from npm: {e}")),
        }
    }
    which("wasm-opt")
}

/// wasm-opt's optimization level. Measured on the single-threaded module
/// (binaryen 132, 2 December 2026; gzip -c): none 592 KiB, 243 KiB gzipped;
/// `-Oz` 552 KiB, 238 KiB; `-Os` 553 KiB, 238 KiB; `-O2` 560 KiB, 239 KiB;
/// `-O3` 560 KiB, 240 KiB; `-O3 --converge` 559 KiB, 239 KiB. Steps per
/// CPU-second of the S and M bench configs (Node, medians of 5 and 7) are the
/// same within 3% with `-Oz`, `-O3` and no wasm-opt: LLVM has already
/// optimized the hot loops at opt-level 3.
const WASM_OPT_LEVEL: &str = "-Oz";

/// Runs `wasm-opt` ([`WASM_OPT_LEVEL`]) into a temporary file and keeps the
/// result only if it succeeded and runs: an old wasm-opt (Debian ships v108)
/// may not understand what a new rustc emits, and then the unoptimized module
/// is kept as it is. wasm-opt takes about 30 s here, so its output is cached in
/// `target/wasm-opt/` under the SHA-256 of its input and its flags and reused
/// when neither has changed.
///
/// `extra` are more wasm-opt feature flags (the threaded module's
/// `--enable-threads`); `check` runs the result in Node first (the threaded
/// module needs a thread pool of Web Workers, which Node has not, so its
/// check is the end-to-end test instead).
pub fn optimize(wasm: &Path, extra: &[&str], check: bool) {
    let before = fs::metadata(wasm).map(|m| m.len()).unwrap_or(0);
    let flags = format!("{WASM_OPT_LEVEL} {}", extra.join(" "));
    let cached = fs::read(wasm).ok().map(|bytes| {
        let digest: String = Sha256::new()
            .chain_update(&bytes)
            .chain_update(flags.as_bytes())
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        target_dir().join("wasm-opt").join(format!("{digest}.wasm"))
    });
    if let Some(cached) = cached.as_ref().filter(|c| c.exists()) {
        if fs::copy(cached, wasm).is_ok() {
            say(&format!(
                "optimized module unchanged since the last build (was {}), reused from {}",
                human_bytes(before),
                display_relative(cached)
            ));
            return;
        }
    }
    let Some(wasm_opt) = find_wasm_opt() else {
        say("wasm-opt not found and Node.js is missing to run binaryen's; keeping the unoptimized wasm");
        return;
    };
    let optimized = wasm.with_extension("opt.wasm");
    let mut command = Command::new(&wasm_opt);
    command
        .arg(WASM_OPT_LEVEL)
        .args(WASM_OPT_FEATURES)
        .args(extra)
        .arg(wasm)
        .arg("-o")
        .arg(&optimized);
    let version = output(Command::new(&wasm_opt).arg("--version")).unwrap_or_default();
    say(&format!("$ {}", crate::util::describe(&command)));
    let failure = match command.output() {
        Ok(out) if out.status.success() => match if check {
            check_optimized(wasm, &optimized)
        } else {
            Ok(())
        } {
            Ok(()) => {
                if let Some(cached) = &cached {
                    let _ = fs::create_dir_all(cached.parent().unwrap_or(Path::new(".")));
                    let _ = fs::copy(&optimized, cached);
                }
                match fs::rename(&optimized, wasm) {
                    Ok(()) => {
                        say(&format!(
                            "optimized with {} (was {})",
                            version.trim(),
                            human_bytes(before)
                        ));
                        return;
                    }
                    Err(e) => format!("could not replace {}: {e}", wasm.display()),
                }
            }
            Err(e) => format!("its output failed the check in Node: {e}"),
        },
        Ok(out) => first_line(&String::from_utf8_lossy(&out.stderr)),
        Err(e) => e.to_string(),
    };
    let _ = fs::remove_file(&optimized);
    say(&format!(
        "{}: keeping the unoptimized wasm; {failure}",
        version.trim()
    ));
}

/// Runs `check_wasm.mjs`: both modules must start in Node and compute the same
/// stats, since a wasm-opt may emit a module that validates but does not run.
fn check_optimized(original: &Path, optimized: &Path) -> Result {
    if which("node").is_none() {
        return Err("node is not installed, so the optimized module cannot be checked".into());
    }
    let script = std::env::temp_dir().join(format!("xtask-check-wasm-{}.mjs", std::process::id()));
    fs::write(&script, include_str!("check_wasm.mjs"))
        .map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let glue = original.with_file_name("normscope.js");
    let out = Command::new("node")
        .arg(&script)
        .args([&glue, original, optimized])
        .output()
        .map_err(|e| format!("could not start node: {e}"));
    let _ = fs::remove_file(&script);
    let out = out?;
    if out.status.success() {
        Ok(())
    } else {
        Err(first_line(&String::from_utf8_lossy(&out.stderr)))
    }
}

/// The first non-empty line of a tool's message, cut to a readable length.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message");
    line.trim().chars().take(200).collect()
}

pub fn report_size(wasm: &Path) -> Result {
    let bytes = fs::metadata(wasm)
        .map_err(|e| format!("{} is missing after the build: {e}", wasm.display()))?
        .len();
    let gzipped = gzip_len(wasm)
        .map(|n| format!(", {} gzipped", human_bytes(n)))
        .unwrap_or_default();
    say(&format!(
        "{}: {}{gzipped}",
        display_relative(wasm),
        human_bytes(bytes)
    ));
    Ok(())
}

fn display_relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}
