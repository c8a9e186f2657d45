//! Content-Security-Policy pieces for the single file: the hash-source of an
//! inline script or style (CSP Level 3: `'sha256-' + base64(sha256(utf8
//! text))`, by the `sha2` and `base64` crates), the hashes of the scripts and
//! styles a page has inline already, and script text that cannot end its
//! `<script>` element early. The e2e tests serve the single file under the
//! policy `dist` prints, so Chromium checks every hash.

use std::cell::RefCell;

use base64::{engine::general_purpose::STANDARD, Engine};
use lol_html::{element, rewrite_str, text, RewriteStrSettings};
use sha2::{Digest, Sha256};

use crate::util::Result;

/// The CSP hash-source of an inline `<script>` or `<style>` body.
pub fn csp_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The CSP hashes of the page's own inline scripts and styles, which the
/// single file keeps as written: (scripts, styles).
pub fn inline_hashes(page: &str) -> Result<(Vec<String>, Vec<String>)> {
    let found: RefCell<Vec<(bool, String)>> = RefCell::new(Vec::new());
    let selector = "script:not([src]), style";
    let start = element!(selector, |el| {
        found
            .borrow_mut()
            .push((el.tag_name() == "script", String::new()));
        Ok(())
    });
    let text = text!(selector, |chunk| {
        if let Some((_, text)) = found.borrow_mut().last_mut() {
            text.push_str(chunk.as_str());
        }
        Ok(())
    });
    let settings = RewriteStrSettings {
        element_content_handlers: vec![start, text],
        ..RewriteStrSettings::new()
    };
    rewrite_str(page, settings).map_err(|e| e.to_string())?;
    let (scripts, styles): (Vec<_>, Vec<_>) = found.into_inner().into_iter().partition(|(s, _)| *s);
    let hashes = |list: Vec<(bool, String)>| list.iter().map(|(_, text)| csp_hash(text)).collect();
    Ok((hashes(scripts), hashes(styles)))
}

/// Script text that cannot end its `<script>` element early: `</script` is
/// written `<\/script` (the same string to JS); `<!--` is refused.
pub fn script_safe(script: &str) -> Result<String> {
    if script.contains("<!--") {
        return Err("the bundle contains `<!--`, which changes how HTML parses a script".into());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hash_is_base64_of_the_sha256_digest() {
        // The example in the CSP3 spec: `alert('Hello, world.');`.
        assert_eq!(
            csp_hash("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }

    #[test]
    fn hashes_the_inline_scripts_and_styles_as_written() {
        let page = "<style>p{}</style><script src=m.js></script><script>\nalert(1)</script>\
                    <script></script><p style=\"x\"><style></style>";
        let (scripts, styles) = inline_hashes(page).unwrap();
        assert_eq!(scripts, [csp_hash("\nalert(1)"), csp_hash("")]);
        assert_eq!(styles, [csp_hash("p{}"), csp_hash("")]);
    }

    #[test]
    fn script_text_cannot_close_its_element() {
        assert_eq!(script_safe("a('</SCRIPT>')").unwrap(), "a('<\\/SCRIPT>')");
        assert!(script_safe("x <!-- y").is_err());
    }
}
