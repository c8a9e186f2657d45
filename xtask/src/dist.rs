//! `cargo xtask dist`: the release wasm package, then two ways to publish it,
//! both bundled by esbuild (`esbuild.rs`).
//!
//! - `dist/site/`: a static folder for any web host. The pages are found by
//!   following links from the entry pages (`index.html`, and the example course
//!   page when there is one) and copied as they are; their module scripts, the
//!   public API `www/figure.js` and their stylesheets are bundled by esbuild to
//!   the same paths (modules share code through chunks in `www/`), the worker
//!   `www/worker.js` becomes one classic script, and the wasm and whatever else
//!   the pages name (the icon) are copied, and so is the threaded package
//!   `pkg-threads/` (`threads.rs`), which the worker imports at run time on a
//!   cross-origin-isolated page. Tests, bench pages and
//!   `node_modules` stay out, and a broken reference fails the dist.
//! - `dist/normscope.html`: one self-contained file (see `single.rs`), with the
//!   Content-Security-Policy it needs written to `dist/csp.txt`.
//!
//! Ends by printing the sizes, raw and gzipped (`gzip -c`), and the CSP line.

use std::collections::VecDeque;
use std::fs;
use std::path::Path;

use crate::page::{self, Kind};
use crate::setup::WasmTools;
use crate::single::{self, WORKER};
use crate::util::{gzip_len, human_bytes, root, say, Result};
use crate::{build, esbuild};

/// Pages a site must have.
const PAGES: [&str; 1] = ["index.html"];
/// The example course page, wherever it lands; each is copied when it exists.
const OPTIONAL_PAGES: [&str; 3] = [
    "www/course.html",
    "examples/course/index.html",
    "examples/course.html",
];
/// Modules other sites import (docs/embedding.md: `mount()`), kept as entries
/// so that their exports survive bundling.
const API_MODULES: [&str; 1] = ["www/figure.js"];
/// The wasm, at the path `www/wasm.js` fetches it from.
const WASM: &str = "pkg/normscope_bg.wasm";
/// The threaded package, at the path `www/worker.js` imports it from.
const THREADS_DIR: &str = "pkg-threads";
const THREADS_WASM: &str = "pkg-threads/normscope_bg.wasm";

pub fn dist(tools: &WasmTools) -> Result {
    let esbuild = esbuild::ensure()?;
    let wasm = build::build(tools, false)?;
    let root = root();
    let out = root.join("dist");
    let site = out.join("site");
    let files = write_site(&root, &site, &esbuild)?;
    say(&format!(
        "dist/site/: {} files: {}",
        files.len(),
        files.join(" ")
    ));

    let single = single::build(&root, &esbuild)?;
    let page = out.join("normscope.html");
    write(&page, single.html.as_bytes())?;
    write(&out.join("csp.txt"), format!("{}\n", single.csp).as_bytes())?;
    for note in &single.notes {
        say(&format!("note: {note}"));
    }
    let [module, worker, css] = single.bundles.map(|n| human_bytes(n as u64));
    say(&format!(
        "dist/normscope.html: page module {module}, worker {worker}, CSS {css}, and the wasm"
    ));
    say("sizes (gzip -c: each file compressed on its own):");
    let site_files: Vec<_> = files
        .iter()
        .filter(|f| *f != WASM && *f != THREADS_WASM)
        .map(|f| site.join(f))
        .collect();
    for (name, paths) in [
        (WASM.to_string(), vec![wasm]),
        (THREADS_WASM.to_string(), vec![site.join(THREADS_WASM)]),
        (
            format!("dist/site/ but the wasm ({} files)", site_files.len()),
            site_files,
        ),
        ("dist/normscope.html".to_string(), vec![page]),
    ] {
        let raw: u64 = paths
            .iter()
            .filter_map(|p| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let gzipped: Option<u64> = paths.iter().map(|p| gzip_len(p)).sum();
        let gzipped = gzipped.map_or("gzip not found".into(), human_bytes);
        println!(
            "  {name:<40} {:>11} raw  {gzipped:>11} gzipped",
            human_bytes(raw)
        );
    }
    say("the CSP dist/normscope.html needs when served over http(s) (also in dist/csp.txt):");
    println!("\n  Content-Security-Policy: {}\n", single.csp);
    Ok(())
}

/// Writes the site into `site`; returns its files, sorted, from `site`.
fn write_site(root: &Path, site: &Path, esbuild: &esbuild::Esbuild) -> Result<Vec<String>> {
    if site.exists() {
        fs::remove_dir_all(site).map_err(|e| format!("cannot clear {}: {e}", site.display()))?;
    }
    let mut queue: VecDeque<(String, String)> = PAGES
        .iter()
        .map(|p| (p.to_string(), "the entry pages".to_string()))
        .collect();
    for page in OPTIONAL_PAGES {
        if root.join(page).is_file() {
            queue.push_back((page.to_string(), "the optional entry pages".into()));
        }
    }
    let mut pages: Vec<String> = Vec::new();
    let mut entries: Vec<String> = API_MODULES.map(String::from).to_vec();
    let mut copies: Vec<String> = vec![WASM.to_string()];
    while let Some((path, referrer)) = queue.pop_front() {
        if pages.contains(&path) {
            continue;
        }
        let text = fs::read_to_string(root.join(&path))
            .map_err(|e| format!("{referrer} name {path}, which cannot be read: {e}"))?;
        for reference in page::references(&path, &text)? {
            let target = reference.path;
            if !root.join(&target).is_file() {
                let line = reference.line;
                return Err(format!(
                    "{path}:{line} refers to {target}, which does not exist"
                ));
            }
            let list = match reference.kind {
                Kind::Page => {
                    queue.push_back((target, format!("{path}:{}", reference.line)));
                    continue;
                }
                Kind::Module | Kind::Stylesheet => &mut entries,
                Kind::File => &mut copies,
            };
            if !list.contains(&target) {
                list.push(target);
            }
        }
        pages.push(path);
    }
    esbuild.site(&entries, WORKER, site)?;
    for path in pages.iter().chain(&copies) {
        let target = site.join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::copy(root.join(path), &target).map_err(|e| format!("cannot copy {path}: {e}"))?;
    }
    copy_threads(root, site)?;
    let mut files = Vec::new();
    list_files(site, "", &mut files)?;
    files.sort();
    Ok(files)
}

/// The threaded package (`threads.rs`), which the worker imports at run time
/// on a cross-origin-isolated page (so no page names it): its glue, its wasm and
/// wasm-bindgen-rayon's worker helper, as they are; not its type declarations.
fn copy_threads(root: &Path, site: &Path) -> Result {
    let mut files = Vec::new();
    list_files(&crate::threads::pkg_dir(), "", &mut files)?;
    for file in files
        .iter()
        .filter(|f| f.ends_with(".js") || f.ends_with(".wasm"))
    {
        let path = format!("{THREADS_DIR}/{file}");
        let target = site.join(&path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::copy(root.join(&path), &target).map_err(|e| format!("cannot copy {path}: {e}"))?;
    }
    Ok(())
}

/// Every file under `dir`, as `prefix` + its path from `dir`.
fn list_files(dir: &Path, prefix: &str, files: &mut Vec<String>) -> Result {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.path().is_dir() {
            list_files(&entry.path(), &format!("{name}/"), files)?;
        } else {
            files.push(name);
        }
    }
    Ok(())
}

pub fn write(path: &Path, bytes: &[u8]) -> Result {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
