//! esbuild, the bundler behind `cargo xtask dist`: the npm package pinned to an
//! exact version in `xtask/esbuild/package.json` (and its lockfile), installed
//! with `npm ci` the first time `dist` runs, as the end-to-end packages are.
//!
//! xtask only chooses the entry points and the flags; esbuild resolves the
//! imports, orders the modules, rewrites them into one scope and minifies, so
//! `www/` may be written like any ES-module code. A warning fails the dist as an
//! error does: a bundle esbuild had to guess about is not one to publish.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::setup::{ensure_node, ensure_npm_packages};
use crate::util::{describe, root, say, Result};

/// Where the pinned package lives, from the root.
const DIR: &str = "xtask/esbuild";

/// Flags every bundle shares: follow imports, minify, ASCII-only output (so the
/// text may sit in any page or string), and every message on stderr.
const COMMON: [&str; 4] = [
    "--bundle",
    "--minify",
    "--charset=ascii",
    "--log-level=warning",
];

/// The installed esbuild.
pub struct Esbuild {
    binary: PathBuf,
}

/// esbuild, installed into `xtask/esbuild/node_modules` when missing.
pub fn ensure() -> Result<Esbuild> {
    ensure_node()?;
    let dir = root().join(DIR);
    ensure_npm_packages(&dir, "esbuild")?;
    let binary = dir.join("node_modules").join(".bin").join("esbuild");
    if !binary.exists() {
        return Err(format!(
            "{} is missing after `npm ci`\n  to fix: delete {DIR}/node_modules and run again",
            binary.display()
        ));
    }
    Ok(Esbuild { binary })
}

impl Esbuild {
    /// The page's module graph from `entry` as one ES module, returned as text.
    pub fn module(&self, entry: &str) -> Result<String> {
        self.run([entry, "--format=esm"])
    }

    /// `entry` and its imports as one classic script (an IIFE): what a worker
    /// started from a blob URL can run. wasm-bindgen's glue names
    /// `import.meta.url` for its default `.wasm` location, which a classic script
    /// lacks; it becomes the worker's own URL (the page hands the worker a
    /// compiled module, so the default is never used).
    pub fn classic(&self, entry: &str) -> Result<String> {
        self.run([
            entry,
            "--format=iife",
            "--define:import.meta.url=location.href",
        ])
    }

    /// A stylesheet with its `@import`s inlined and the files its `url()`s name
    /// as `data:` URLs.
    pub fn stylesheet(&self, entry: &str) -> Result<String> {
        let loaders = ["svg", "png", "jpg", "gif", "webp", "woff", "woff2"]
            .map(|ext| format!("--loader:.{ext}=dataurl"));
        self.run(std::iter::once(entry.to_string()).chain(loaders))
    }

    /// The site's bundles, written under `out` at their sources' paths: ES
    /// modules that share code through chunks next to them in `www/` (so that
    /// `import.meta.url`-relative URLs keep their meaning), stylesheets with
    /// their imports, and `worker` as a classic script.
    pub fn site(&self, entries: &[String], worker: &str, out: &Path) -> Result {
        let outdir = format!("--outdir={}", out.display());
        let mut args = vec![
            "--format=esm".to_string(),
            "--splitting".into(),
            "--outbase=.".into(),
            "--entry-names=[dir]/[name]".into(),
            "--chunk-names=www/[name]-[hash]".into(),
            "--asset-names=www/[name]-[hash]".into(),
            outdir,
        ];
        args.extend(entries.iter().cloned());
        self.run(args)?;
        let outfile = format!("--outfile={}", out.join(worker).display());
        self.run([
            worker,
            "--format=iife",
            "--define:import.meta.url=location.href",
            &outfile,
        ])?;
        Ok(())
    }

    /// Runs esbuild in the root with `args` after the common flags; returns
    /// stdout (the bundle when no output file is named).
    fn run<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut command = Command::new(&self.binary);
        command
            .current_dir(root())
            .args(COMMON)
            .args(args)
            .stdin(Stdio::null());
        let shown = describe(&command);
        say(&format!(
            "$ {}",
            shown.replace(&root().display().to_string(), ".")
        ));
        let out = command
            .output()
            .map_err(|e| format!("could not start `{shown}`: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || !stderr.trim().is_empty() {
            return Err(format!(
                "esbuild did not bundle cleanly:\n{}",
                stderr.trim_end()
            ));
        }
        String::from_utf8(out.stdout).map_err(|e| format!("esbuild wrote non-UTF-8 output: {e}"))
    }
}
