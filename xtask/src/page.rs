//! What a page loads, read with lol_html (Cloudflare's streaming HTML rewriter,
//! which `single.rs` also uses to rewrite the page): every `src` and `href` that
//! names a file of this repository, sorted by what the dist must do with it.
//! Paths are `/`-separated from the root.

use std::cell::RefCell;

use lol_html::{element, rewrite_str, RewriteStrSettings};

use crate::util::Result;

/// What a reference is to the dist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `<script type="module" src>`: an entry point for esbuild.
    Module,
    /// `<link rel="stylesheet" href>`: bundled by esbuild.
    Stylesheet,
    /// `<a href="….html">`: another page of the site.
    Page,
    /// Anything else (an icon, an image, a classic script): copied as it is.
    File,
}

/// One reference of a page.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    pub kind: Kind,
    /// The element that names it, lowercase.
    pub tag: String,
    pub path: String,
    pub line: usize,
}

/// The local files the page at `path` (with text `html`) refers to, in order.
pub fn references(path: &str, html: &str) -> Result<Vec<Reference>> {
    let found = RefCell::new(Vec::new());
    let handler = element!("*", |el| {
        let line = line_of(html, el.source_location().bytes().start);
        let tag = el.tag_name();
        let rel = el.get_attribute("rel").unwrap_or_default().to_lowercase();
        let module = el.get_attribute("type").as_deref() == Some("module");
        for name in ["src", "href"] {
            let Some(url) = el.get_attribute(name) else {
                continue;
            };
            let Some(local) = local_path(&url) else {
                continue;
            };
            if local.starts_with('/') {
                return Err(format!(
                    "{path}:{line}: `{url}` is root-absolute and breaks when the site is \
                     served from a subfolder; make it relative"
                )
                .into());
            }
            let kind = match tag.as_str() {
                "script" if module => Kind::Module,
                "link" if rel.split_whitespace().any(|r| r == "stylesheet") => Kind::Stylesheet,
                "a" if local.ends_with(".html") => Kind::Page,
                _ => Kind::File,
            };
            let path = resolve(path, local)?;
            found.borrow_mut().push(Reference {
                kind,
                tag: tag.clone(),
                path,
                line,
            });
        }
        Ok(())
    });
    let settings = RewriteStrSettings {
        element_content_handlers: vec![handler],
        ..RewriteStrSettings::new()
    };
    rewrite_str(html, settings).map_err(|e| e.to_string())?;
    Ok(found.into_inner())
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The path part of a URL that refers to a file next to the page: `None` for
/// other sites (`https:`, `//host`), `data:`/`mailto:` and friends, and links
/// within the page (`#id`, `?query`, empty). Root-absolute paths (`/x`) are
/// returned with their slash so the caller can refuse them.
pub fn local_path(url: &str) -> Option<&str> {
    let url = url.trim();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let scheme = path.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.contains('/')
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    if path.is_empty() || path.starts_with("//") || scheme {
        None
    } else {
        Some(path)
    }
}

/// `spec` relative to the file at `from`; both `/`-separated from the root.
pub fn resolve(from: &str, spec: &str) -> Result<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in spec.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts
                    .pop()
                    .ok_or_else(|| format!("`{spec}` in {from} leaves the repository"))?;
            }
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_what_a_page_loads() {
        let page = "<!doctype html>\n<!-- <script src=no.js> -->\n<link rel='icon' href=\"a.svg\">\n\
                    <link rel=\"Stylesheet\" href=\"s.css\"><script type=module src=\"m.js\"></script>\n\
                    <script>if (a < b) x('<img src=no.png>')</script><a href=\"../other.html#x\">\n\
                    <a href=\"#top\"><img src=\"https://x.org/i.png\"><script src=c.js></script>";
        let found = references("www/p.html", page).unwrap();
        let kinds: Vec<(Kind, &str, usize)> = found
            .iter()
            .map(|r| (r.kind, r.path.as_str(), r.line))
            .collect();
        assert_eq!(
            kinds,
            [
                (Kind::File, "www/a.svg", 3),
                (Kind::Stylesheet, "www/s.css", 4),
                (Kind::Module, "www/m.js", 4),
                (Kind::Page, "other.html", 5),
                (Kind::File, "www/c.js", 6),
            ]
        );
        let error = references("p.html", "<p>\n<img src=\"/abs.png\">").unwrap_err();
        assert!(
            error.contains("p.html:2: `/abs.png` is root-absolute"),
            "{error}"
        );
    }

    #[test]
    fn local_paths_are_relative_files() {
        assert_eq!(local_path("www/style.css"), Some("www/style.css"));
        assert_eq!(local_path("../pkg/a.js?v=1#x"), Some("../pkg/a.js"));
        assert_eq!(local_path("/abs.css"), Some("/abs.css"));
        for other in [
            "#top",
            "?depth=3",
            "",
            "https://x.org/a",
            "//cdn/x.js",
            "data:image/png;base64,AA",
            "mailto:a@b",
        ] {
            assert_eq!(local_path(other), None, "{other}");
        }
    }

    #[test]
    fn resolves_relative_paths_inside_the_repository() {
        assert_eq!(resolve("www/a.js", "../pkg/x.js").unwrap(), "pkg/x.js");
        assert_eq!(resolve("index.html", "./www/m.js").unwrap(), "www/m.js");
        assert!(resolve("index.html", "../up.js").is_err());
    }
}
