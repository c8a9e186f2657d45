//! The threaded wasm build (`pkg-threads/`), beside the single-threaded
//! `pkg/`: the crate with its `threads` feature (rayon splits the matmuls by
//! rows; wasm-bindgen-rayon runs the pool in Web Workers), compiled with a
//! pinned nightly that rebuilds std with atomics, into a module whose memory is
//! shared. A worker on a cross-origin-isolated page loads it (www/worker.js);
//! everywhere else the page uses `pkg/`. What it took is in
//! docs/architecture.md ("Threads").

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build::{optimize, report_size};
use crate::setup::WasmTools;
use crate::util::{output, root, run, say, target_dir, Result};

/// The nightly that builds the threaded module (std rebuilt with atomics needs
/// `-Z build-std`). Pinned so that a build today is the build of tomorrow.
pub const TOOLCHAIN: &str = "nightly-2026-10-30";

/// Target features and link arguments of a module with shared memory: std's
/// atomics, memory imported (so the pool's workers share it) and shared, with
/// the TLS exports wasm-bindgen's thread start-up calls. 4 GiB is wasm32's
/// whole address space, as the single-threaded module may grow to.
const RUSTFLAGS: &str = "-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
     -C link-arg=--shared-memory -C link-arg=--max-memory=4294967296 \
     -C link-arg=--import-memory -C link-arg=--export=__wasm_init_tls \
     -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align \
     -C link-arg=--export=__tls_base";

/// wasm-bindgen-rayon's worker helper imports its package as the directory
/// `'../../..'`; a static server answers a directory with a listing or an
/// index page, the import fails inside the helper worker and the pool never
/// starts. It becomes the package's file.
const PACKAGE_IMPORT: (&str, &str) = ("import('../../..')", "import('../../../normscope.js')");

/// Where the threaded package goes.
pub fn pkg_dir() -> PathBuf {
    root().join("pkg-threads")
}

/// Installs [`TOOLCHAIN`] with rust-src and the wasm32 target when missing.
pub fn ensure_toolchain() -> Result {
    let hint = format!(
        "run `rustup toolchain install {TOOLCHAIN} --profile minimal --component rust-src \
         --target wasm32-unknown-unknown`"
    );
    let listed = output(Command::new("rustup").args(["toolchain", "list"]))
        .map_err(|e| format!("{e}\n  to fix: install rustup (https://rustup.rs)"))?;
    let has_src = || {
        output(Command::new("rustup").args([
            "component",
            "list",
            "--installed",
            "--toolchain",
            TOOLCHAIN,
        ]))
        .is_ok_and(|c| c.lines().any(|l| l.starts_with("rust-src")))
    };
    if listed.lines().any(|l| l.starts_with(TOOLCHAIN)) && has_src() {
        say(&format!("toolchain {TOOLCHAIN} (threads): installed"));
        return Ok(());
    }
    say(&format!(
        "installing {TOOLCHAIN} with rust-src for the threaded build (about a minute)"
    ));
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        TOOLCHAIN,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
        "--target",
        "wasm32-unknown-unknown",
    ]))
    .map_err(|e| format!("{e}\n  to fix: {hint}"))
}

/// Builds `pkg-threads/` (release only): about 5 minutes the first time, while
/// std is rebuilt, then as long as the single-threaded build.
pub fn build(tools: &WasmTools) -> Result<PathBuf> {
    ensure_toolchain()?;
    say("building the threaded wasm package (pkg-threads/)");
    let mut cargo = Command::new("cargo");
    cargo
        .arg(format!("+{TOOLCHAIN}"))
        .args(["build", "--lib", "--release", "--features", "threads"])
        .args(["--target", "wasm32-unknown-unknown"])
        .args(["-Z", "build-std=panic_abort,std"])
        .env("RUSTFLAGS", RUSTFLAGS)
        .env("CARGO_TARGET_DIR", target_dir().join("threads"))
        // The outer `cargo xtask` sets these for stable; the nightly must pick its own.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .current_dir(root());
    run(&mut cargo)?;
    let compiled = target_dir()
        .join("threads")
        .join("wasm32-unknown-unknown")
        .join("release")
        .join("normscope.wasm");
    let dir = pkg_dir();
    let _ = fs::remove_dir_all(&dir);
    run(Command::new(&tools.wasm_bindgen)
        .current_dir(root())
        .args(["--target", "web", "--out-dir"])
        .arg(&dir)
        .args(["--out-name", "normscope"])
        .arg(&compiled))?;
    patch_worker_helpers(&dir)?;
    let wasm = dir.join("normscope_bg.wasm");
    optimize(&wasm, &["--enable-threads"], false);
    report_size(&wasm)?;
    Ok(dir)
}

/// Rewrites wasm-bindgen-rayon's package import ([`PACKAGE_IMPORT`]); fails if
/// the helper is missing or no longer has it (a new wasm-bindgen-rayon).
fn patch_worker_helpers(dir: &Path) -> Result {
    let snippets = dir.join("snippets");
    let helper = fs::read_dir(&snippets)
        .map_err(|e| format!("{} is missing: {e}", snippets.display()))?
        .flatten()
        .map(|entry| entry.path().join("src").join("workerHelpers.js"))
        .find(|path| path.exists())
        .ok_or_else(|| {
            format!(
                "no wasm-bindgen-rayon workerHelpers.js under {}",
                snippets.display()
            )
        })?;
    let text = fs::read_to_string(&helper).map_err(|e| format!("{}: {e}", helper.display()))?;
    let (from, to) = PACKAGE_IMPORT;
    if !text.contains(from) {
        return Err(format!(
            "{} no longer contains {from}: check how this wasm-bindgen-rayon imports its package",
            helper.display()
        ));
    }
    fs::write(&helper, text.replace(from, to)).map_err(|e| format!("{}: {e}", helper.display()))
}
