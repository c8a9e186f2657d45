//! `dist/normscope.html`: `index.html` with everything it loads inside it, so it
//! works opened from disk (file://) or uploaded as one file to a course site,
//! with the same URL parameters, and makes no request at all. lol_html rewrites
//! the page; esbuild makes the bundles:
//!
//! - `<script type="module" src>` becomes one inline module script: the page's
//!   module graph bundled by esbuild, after a prelude that sets two globals:
//!   `NORMSCOPE_WASM_BASE64`, the wasm, which `www/wasm.js` compiles from bytes
//!   instead of fetching the `.wasm`; and `NORMSCOPE_WORKER_SOURCE`, the worker
//!   (`www/worker.js` and the wasm-bindgen glue as one classic script), which
//!   `www/engine-worker.js` starts from a blob URL, so big networks train off the main
//!   thread here too.
//! - `<link rel="stylesheet">` becomes `<style>` (esbuild inlines its imports and
//!   `url()`s); the icon and any other `src` become `data:` URLs;
//!   `modulepreload`/`preload` links are dropped.
//! - The Content-Security-Policy it needs is the strict one
//!   (`default-src 'self'; script-src 'self' 'wasm-unsafe-eval'`) with the
//!   sha256 hash of each inline script and style, `data:` images, and
//!   `worker-src blob:` for the worker.
//!
//! Anything it cannot make self-contained (a classic or remote script, a link
//! type it does not know, an inline event handler) stops the dist with the line.

use std::cell::RefCell;
use std::fs;
use std::path::Path;

use base64::{engine::general_purpose::STANDARD, Engine};
use lol_html::html_content::{ContentType, Element};
use lol_html::{element, rewrite_str, RewriteStrSettings};

use crate::csp::{csp_hash, inline_hashes, script_safe};
use crate::esbuild::Esbuild;
use crate::npm::json_string;
use crate::page::{self, line_of, local_path, resolve, Kind};
use crate::serve::mime_type;
use crate::util::Result;

const PAGE: &str = "index.html";
/// The worker's entry; `www/engine-worker.js` starts it.
pub const WORKER: &str = "www/worker.js";

/// The single file and what to tell about it.
pub struct Single {
    pub html: String,
    pub csp: String,
    /// The bundles' sizes in bytes: page module, worker, stylesheets.
    pub bundles: [usize; 3],
    pub notes: Vec<String>,
}

/// What the page walk gathers.
#[derive(Default)]
struct Walk {
    scripts: Vec<String>,
    styles: Vec<String>,
    notes: Vec<String>,
    style_attributes: Vec<usize>,
    module_bytes: usize,
    css_bytes: usize,
}

pub fn build(root: &Path, esbuild: &Esbuild) -> Result<Single> {
    let page =
        fs::read_to_string(root.join(PAGE)).map_err(|e| format!("cannot read {PAGE}: {e}"))?;
    let wasm = fs::read(root.join("pkg/normscope_bg.wasm"))
        .map_err(|e| format!("cannot read pkg/normscope_bg.wasm (run `cargo xtask build`): {e}"))?;
    let worker = esbuild.classic(WORKER)?;
    let prelude = format!(
        "globalThis.NORMSCOPE_WASM_BASE64 = \"{}\";\nglobalThis.NORMSCOPE_WORKER_SOURCE = {};\n",
        STANDARD.encode(&wasm),
        json_string(&worker)
    );
    let (scripts, styles) = inline_hashes(&page)?;
    let walk = RefCell::new(Walk {
        scripts,
        styles,
        ..Walk::default()
    });
    let on_element = element!("*", |el| {
        let line = line_of(&page, el.source_location().bytes().start);
        replace(root, esbuild, &prelude, el, line, &mut walk.borrow_mut())
            .map_err(|e| format!("{PAGE}:{line}: {e}").into())
    });
    let settings = RewriteStrSettings {
        element_content_handlers: vec![on_element],
        ..RewriteStrSettings::new()
    };
    let out = rewrite_str(&page, settings).map_err(|e| e.to_string())?;
    let mut walk = walk.into_inner();
    if walk.module_bytes == 0 {
        return Err(format!(
            "{PAGE} has no <script type=\"module\" src=…> to bundle"
        ));
    }
    self_contained(&out)?;

    let style_src = if walk.style_attributes.is_empty() {
        walk.styles.join(" ")
    } else {
        walk.notes.push(format!(
            "{PAGE} has style=\"…\" attributes (lines {:?}), so style-src needs 'unsafe-inline'",
            walk.style_attributes
        ));
        "'unsafe-inline'".into()
    };
    let csp = format!(
        "default-src 'self'; script-src {} 'wasm-unsafe-eval'; style-src {style_src}; \
         img-src 'self' data:; worker-src blob:",
        walk.scripts.join(" ")
    );
    Ok(Single {
        html: out,
        csp,
        bundles: [walk.module_bytes, worker.len(), walk.css_bytes],
        notes: walk.notes,
    })
}

/// Rewrites one element of the page in place (or leaves it as written).
fn replace(
    root: &Path,
    esbuild: &Esbuild,
    prelude: &str,
    el: &mut Element,
    line: usize,
    walk: &mut Walk,
) -> Result {
    if let Some(attr) = el.attributes().iter().find(|a| a.name().starts_with("on")) {
        return Err(format!(
            "the inline event handler `{}` would need 'unsafe-inline' in the CSP; \
             attach it from the module instead",
            attr.name()
        ));
    }
    if el.has_attribute("style") {
        walk.style_attributes.push(line);
    }
    let src = el.get_attribute("src");
    match el.tag_name().as_str() {
        "script" => {
            let module = el.get_attribute("type").as_deref() == Some("module");
            let Some(src) = src else {
                return Ok(()); // kept as written, hashed by `inline_hashes`
            };
            if !module {
                return Err(format!(
                    "the classic script {src} cannot be inlined; make it a module"
                ));
            }
            if walk.module_bytes > 0 {
                return Err("a second module script; the single file has one module graph".into());
            }
            let bundle = esbuild.module(&local(&src)?)?;
            walk.module_bytes = bundle.len();
            let content = format!("\n{}", script_safe(&format!("{prelude}{bundle}"))?);
            walk.scripts.push(csp_hash(&content));
            el.replace(
                &format!("<script type=\"module\">{content}</script>"),
                ContentType::Html,
            );
        }
        "link" => link(root, esbuild, el, walk)?,
        "a" => {
            if let Some(target) = el.get_attribute("href").as_deref().and_then(local_path) {
                walk.notes.push(format!(
                    "{PAGE} links to {target}, which the single file does not include"
                ));
            }
        }
        _ => {
            if let Some(src) = src.filter(|s| local_path(s).is_some()) {
                let url = data_url(root, &local(&src)?)?;
                el.set_attribute("src", &url).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// A `<link>`: a stylesheet becomes a `<style>`, an icon a data: URL, a preload
/// nothing; links to other sites stay.
fn link(root: &Path, esbuild: &Esbuild, el: &mut Element, walk: &mut Walk) -> Result {
    let rel = el
        .get_attribute("rel")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let href = el.get_attribute("href").unwrap_or_default();
    if local_path(&href).is_none() {
        return Ok(());
    }
    let rels: Vec<&str> = rel.split_whitespace().collect();
    if rels.contains(&"stylesheet") {
        let css = esbuild.stylesheet(&local(&href)?)?;
        if css.to_ascii_lowercase().contains("</style") {
            return Err(format!(
                "{href} contains `</style`, which would end its <style> early"
            ));
        }
        walk.css_bytes += css.len();
        let content = format!("\n{css}");
        walk.styles.push(csp_hash(&content));
        el.replace(&format!("<style>{content}</style>"), ContentType::Html);
    } else if rels
        .iter()
        .any(|r| *r == "icon" || *r == "apple-touch-icon")
    {
        let url = data_url(root, &local(&href)?)?;
        el.set_attribute("href", &url).map_err(|e| e.to_string())?;
    } else if rels
        .iter()
        .any(|r| ["modulepreload", "preload", "prefetch"].contains(r))
    {
        el.remove();
    } else {
        return Err(format!(
            "<link rel=\"{rel}\"> to the local file {href} cannot be made self-contained"
        ));
    }
    Ok(())
}

/// The path from the root of a relative URL in the page.
fn local(url: &str) -> Result<String> {
    match local_path(url) {
        Some(path) if !path.starts_with('/') => resolve(PAGE, path),
        _ => Err(format!(
            "`{url}` is not a relative path to a file of this repository"
        )),
    }
}

fn data_url(root: &Path, path: &str) -> Result<String> {
    let bytes = fs::read(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mime = mime_type(Path::new(path)).split(';').next().unwrap_or("");
    Ok(format!("data:{mime};base64,{}", STANDARD.encode(bytes)))
}

/// Fails if the written page would still load a local file.
fn self_contained(page: &str) -> Result {
    let loads = page::references("dist/normscope.html", page)?;
    match loads.iter().find(|r| r.kind != Kind::Page && r.tag != "a") {
        None => Ok(()),
        Some(r) => Err(format!(
            "dist/normscope.html:{}: <{}> still refers to {}",
            r.line, r.tag, r.path
        )),
    }
}
