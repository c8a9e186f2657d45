//! `cargo xtask dist`: the release wasm package, then two ways to publish it.
//!
//! - `dist/site/`: a static folder for any web host. It holds exactly the files
//!   the pages load, found by following references from the entry pages
//!   (`index.html`, and the example course page when there is one): `src` and
//!   `href` in HTML, static imports and `new URL('…', import.meta.url)` in JS
//!   modules, `url(…)` in CSS. So `www/bench.html`, tests, `node_modules` and the
//!   TypeScript declarations stay out, and a broken reference fails the dist.
//! - `dist/normscope.html`: one self-contained file (see `single.rs`), with the
//!   Content-Security-Policy it needs written to `dist/csp.txt`.
//!
//! Ends by printing the sizes, raw and gzipped (`gzip -c`), and the CSP line.

use std::collections::VecDeque;
use std::fs;
use std::path::Path;

use crate::setup::WasmTools;
use crate::util::{gzip_len, human_bytes, root, say, Result};
use crate::{build, html, inline, single};

/// Pages a site must have.
const PAGES: [&str; 1] = ["index.html"];
/// The example course page, wherever it lands; each is copied when it exists.
const OPTIONAL_PAGES: [&str; 3] = [
    "www/course.html",
    "examples/course/index.html",
    "examples/course.html",
];

pub fn dist(tools: &WasmTools) -> Result {
    let wasm = build::build(tools, false)?;
    let root = root();
    let out = root.join("dist");
    let files = write_site(&root, &out.join("site"))?;
    let site_bytes: u64 = files
        .iter()
        .filter_map(|f| fs::metadata(root.join(f)).ok())
        .map(|m| m.len())
        .sum();
    say(&format!(
        "dist/site/: {} files, {}: {}",
        files.len(),
        human_bytes(site_bytes),
        files.join(" ")
    ));

    let single = single::build(&root)?;
    let page = out.join("normscope.html");
    write(&page, single.html.as_bytes())?;
    write(&out.join("csp.txt"), format!("{}\n", single.csp).as_bytes())?;
    for note in &single.notes {
        say(&format!("note: {note}"));
    }
    say(&format!(
        "dist/normscope.html: {} modules inlined ({})",
        single.modules.len(),
        single.modules.join(" ")
    ));
    say("sizes (gzip -c):");
    for (name, path) in [
        ("pkg/normscope_bg.wasm", wasm.as_path()),
        ("dist/normscope.html", page.as_path()),
    ] {
        let raw = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let gzipped = gzip_len(path).map_or("gzip not found".into(), human_bytes);
        println!(
            "  {name:<24} {:>12} raw  {gzipped:>12} gzipped",
            human_bytes(raw)
        );
    }
    say("the CSP dist/normscope.html needs when served over http(s) (also in dist/csp.txt):");
    println!("\n  Content-Security-Policy: {}\n", single.csp);
    Ok(())
}

/// Copies what the pages reference into `site`; returns the copied paths.
fn write_site(root: &Path, site: &Path) -> Result<Vec<String>> {
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
    let mut copied: Vec<String> = Vec::new();
    while let Some((path, referrer)) = queue.pop_front() {
        if copied.contains(&path) {
            continue;
        }
        let source = root.join(&path);
        if !source.is_file() {
            return Err(format!("{referrer} refers to {path}, which does not exist"));
        }
        for (reference, line) in references(&path, &source)? {
            queue.push_back((reference, format!("{path}:{line}")));
        }
        let target = site.join(&path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        fs::copy(&source, &target).map_err(|e| format!("cannot copy {path}: {e}"))?;
        copied.push(path);
    }
    Ok(copied)
}

/// The files `path` makes a browser load or link to, from the root, with the
/// line that names each.
fn references(path: &str, source: &Path) -> Result<Vec<(String, usize)>> {
    let extension = source.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(extension, "html" | "js" | "mjs" | "css") {
        return Ok(Vec::new());
    }
    let text = fs::read_to_string(source).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut found = Vec::new();
    let mut add = |url: &str, line: usize| -> Result {
        if let Some(local) = html::local_path(url) {
            if local.starts_with('/') {
                return Err(format!(
                    "{path}:{line}: `{url}` is root-absolute and breaks when the site is \
                     served from a subfolder; make it relative"
                ));
            }
            found.push((inline::resolve(path, local)?, line));
        }
        Ok(())
    };
    match extension {
        "html" => {
            for tag in html::tags(path, &text)? {
                for (name, value) in &tag.attrs {
                    if name == "src" || name == "href" {
                        add(value, tag.line)?;
                    }
                }
            }
        }
        "css" => {
            for (at, _) in text.match_indices("url(") {
                let inner = text[at + 4..].split(')').next().unwrap_or("");
                add(
                    inner.trim().trim_matches(['"', '\'']),
                    html::line_of(&text, at),
                )?;
            }
        }
        _ => {
            let module = inline::parse(path, &text)?;
            for import in &module.imports {
                found.push((import.from.clone(), import.line));
            }
            found.extend(module.assets.iter().map(|asset| (asset.clone(), 1)));
        }
    }
    Ok(found)
}

pub fn write(path: &Path, bytes: &[u8]) -> Result {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
