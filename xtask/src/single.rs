//! `dist/normscope.html`: `index.html` with everything it loads inside it, so it
//! works opened from disk (file://) or uploaded as one file to a course site,
//! with the same URL parameters, and makes no request at all.
//!
//! - `<script type="module" src>` becomes one inline module script: the page's
//!   module graph run through the inliner (`inline.rs`), preceded by
//!   `globalThis.NORMSCOPE_WASM_BASE64 = "…"`, which `www/wasm.js` decodes and
//!   hands to wasm-bindgen's `init` as bytes instead of fetching the `.wasm`.
//! - `<link rel="stylesheet">` becomes `<style>`; the icon and any other `src`
//!   become `data:` URLs; `modulepreload`/`preload` links are dropped.
//! - The Content-Security-Policy it needs is the strict one
//!   (`default-src 'self'; script-src 'self' 'wasm-unsafe-eval'`) plus the
//!   sha256 hash of each inline script and style, and `data:` images.
//!
//! Anything it cannot make self-contained (a classic or remote script, a link
//! type it does not know, an inline event handler) stops the dist with the line.

use std::fs;
use std::path::Path;

use crate::encode::{base64, csp_hash};
use crate::html::{self, local_path, Tag};
use crate::inline::{self, resolve};
use crate::serve::mime_type;
use crate::util::Result;

const PAGE: &str = "index.html";

/// The single file and what to tell about it.
pub struct Single {
    pub html: String,
    pub csp: String,
    pub modules: Vec<String>,
    pub notes: Vec<String>,
}

pub fn build(root: &Path) -> Result<Single> {
    let page = read_text(root, PAGE)?;
    let wasm = fs::read(root.join("pkg/normscope_bg.wasm"))
        .map_err(|e| format!("cannot read pkg/normscope_bg.wasm (run `cargo xtask build`): {e}"))?;
    let mut inliner = Inliner {
        root,
        page: &page,
        wasm: &wasm,
        scripts: Vec::new(),
        styles: Vec::new(),
        modules: Vec::new(),
        notes: Vec::new(),
        style_attributes: Vec::new(),
    };
    let mut out = String::with_capacity(page.len() + wasm.len() * 2);
    let mut at = 0;
    for tag in html::tags(PAGE, &page)? {
        let line = tag.line;
        let replacement = inliner
            .replace(&tag)
            .map_err(|e| format!("{PAGE}:{line}: {e}"))?;
        if let Some(text) = replacement {
            out.push_str(&page[at..tag.range.start]);
            out.push_str(&text);
            at = tag.range.end;
        }
    }
    out.push_str(&page[at..]);
    if inliner.modules.is_empty() {
        return Err(format!(
            "{PAGE} has no <script type=\"module\" src=…> to inline"
        ));
    }
    self_contained(&out)?;

    let mut notes = inliner.notes;
    let style_src = if inliner.style_attributes.is_empty() {
        inliner.styles.join(" ")
    } else {
        notes.push(format!(
            "{PAGE} has style=\"…\" attributes (lines {:?}), so style-src needs 'unsafe-inline'",
            inliner.style_attributes
        ));
        "'unsafe-inline'".into()
    };
    let script_src = inliner.scripts.join(" ");
    let csp = format!(
        "default-src 'self'; script-src {script_src} 'wasm-unsafe-eval'; \
         style-src {style_src}; img-src 'self' data:"
    );
    Ok(Single {
        html: out,
        csp,
        modules: inliner.modules,
        notes,
    })
}

/// What the page walk has gathered: CSP hashes, the inlined modules, notes.
struct Inliner<'a> {
    root: &'a Path,
    page: &'a str,
    wasm: &'a [u8],
    scripts: Vec<String>,
    styles: Vec<String>,
    modules: Vec<String>,
    notes: Vec<String>,
    style_attributes: Vec<usize>,
}

impl Inliner<'_> {
    /// The text that replaces `tag`, or `None` to keep it as written.
    fn replace(&mut self, tag: &Tag) -> Result<Option<String>> {
        if let Some((name, _)) = tag.attrs.iter().find(|(name, _)| name.starts_with("on")) {
            return Err(format!(
                "the inline event handler `{name}` would need 'unsafe-inline' in the CSP; \
                 attach it from the module instead"
            ));
        }
        if tag.attr("style").is_some() {
            self.style_attributes.push(tag.line);
        }
        match tag.name.as_str() {
            "script" => self.script(tag),
            "style" => {
                let content = tag.content.clone().unwrap_or(0..0);
                self.styles.push(csp_hash(&self.page[content]));
                Ok(None)
            }
            "link" => link(self.root, tag, &mut self.styles),
            "a" => {
                if let Some(target) = tag.attr("href").and_then(local_path) {
                    self.notes.push(format!(
                        "{PAGE}:{} links to {target}, which the single file does not include",
                        tag.line
                    ));
                }
                Ok(None)
            }
            _ => match tag.attr("src").and_then(local_path) {
                Some(_) => {
                    let src = local(tag.attr("src").unwrap_or(""))?;
                    Ok(Some(with_attr(tag, "src", &data_url(self.root, &src)?)))
                }
                None => Ok(None),
            },
        }
    }

    /// The page's one module script becomes the bundle; inline scripts stay
    /// (hashed); anything else is refused.
    fn script(&mut self, tag: &Tag) -> Result<Option<String>> {
        let module = tag.attr("type") == Some("module");
        let Some(src) = tag.attr("src") else {
            let content = &self.page[tag.content.clone().unwrap_or(0..0)];
            if module && content.contains("import") {
                return Err("an inline module script that imports; move it into www/".into());
            }
            self.scripts.push(csp_hash(content));
            return Ok(None);
        };
        if !module {
            return Err(format!(
                "the classic script {src} cannot be inlined; make it a module"
            ));
        }
        if !self.modules.is_empty() {
            return Err("a second module script; the single file has one module graph".into());
        }
        let entry = local(src)?;
        let prelude = format!(
            "globalThis.NORMSCOPE_WASM_BASE64 = \"{}\";",
            base64(self.wasm)
        );
        let (bundle, order) = inline::bundle(self.root, &entry, &prelude)?;
        let content = format!("\n{}", script_safe(&bundle)?);
        inline::check_syntax(&content)?;
        self.scripts.push(csp_hash(&content));
        self.modules = order;
        Ok(Some(format!("<script type=\"module\">{content}</script>")))
    }
}

/// The replacement for a `<link>`: a `<style>`, an icon as a data: URL, nothing
/// for preloads (`None` keeps the tag, for links to other sites).
fn link(root: &Path, tag: &Tag, styles: &mut Vec<String>) -> Result<Option<String>> {
    let rel = tag.attr("rel").unwrap_or("").to_ascii_lowercase();
    let Some(href) = tag.attr("href").and_then(local_path) else {
        return Ok(None);
    };
    let rels: Vec<&str> = rel.split_whitespace().collect();
    if rels.contains(&"stylesheet") {
        let css = read_text(root, &local(href)?)?;
        let lower = css.to_ascii_lowercase();
        if lower.contains("url(") || lower.contains("@import") || lower.contains("</style") {
            return Err(format!(
                "{href} has url(), @import or </style>, which the inliner does not rewrite"
            ));
        }
        let content = format!("\n{css}");
        styles.push(csp_hash(&content));
        return Ok(Some(format!("<style>{content}</style>")));
    }
    if rels
        .iter()
        .any(|r| *r == "icon" || *r == "apple-touch-icon")
    {
        return Ok(Some(with_attr(
            tag,
            "href",
            &data_url(root, &local(href)?)?,
        )));
    }
    if rels
        .iter()
        .any(|r| ["modulepreload", "preload", "prefetch"].contains(r))
    {
        return Ok(Some(String::new()));
    }
    Err(format!(
        "<link rel=\"{rel}\"> to the local file {href} cannot be made self-contained"
    ))
}

fn local(url: &str) -> Result<String> {
    match local_path(url) {
        Some(path) if !path.starts_with('/') => resolve(PAGE, path),
        _ => Err(format!(
            "`{url}` is not a relative path to a file of this repository"
        )),
    }
}

fn read_text(root: &Path, path: &str) -> Result<String> {
    fs::read_to_string(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
}

fn data_url(root: &Path, path: &str) -> Result<String> {
    let bytes = fs::read(root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mime = mime_type(Path::new(path)).split(';').next().unwrap_or("");
    Ok(format!("data:{mime};base64,{}", base64(&bytes)))
}

/// The tag written again with `name` set to `value`.
fn with_attr(tag: &Tag, name: &str, value: &str) -> String {
    let mut text = format!("<{}", tag.name);
    for (key, old) in &tag.attrs {
        let value = if key == name { value } else { old };
        text.push_str(&format!(" {key}=\"{}\"", value.replace('"', "&quot;")));
    }
    text + ">"
}

/// Script text that cannot end its `<script>` element early: `</script` is
/// written `<\/script` (the same string to JS); `<!--` is refused.
fn script_safe(script: &str) -> Result<String> {
    if script.contains("<!--") {
        return Err("a module contains `<!--`, which changes how HTML parses a script".into());
    }
    let mut out = String::with_capacity(script.len());
    let lower = script.to_ascii_lowercase();
    let mut at = 0;
    for (i, _) in lower.match_indices("</script") {
        out.push_str(&script[at..i]);
        out.push_str("<\\/");
        at = i + 2;
    }
    out.push_str(&script[at..]);
    Ok(out)
}

/// Fails if the written page would still load a local file.
fn self_contained(page: &str) -> Result {
    for tag in html::tags("dist/normscope.html", page)? {
        for (name, value) in &tag.attrs {
            let loads = (name == "src" || (name == "href" && tag.name != "a"))
                && local_path(value).is_some();
            if loads {
                return Err(format!(
                    "dist/normscope.html:{}: <{}> still refers to {value}",
                    tag.line, tag.name
                ));
            }
        }
    }
    Ok(())
}
