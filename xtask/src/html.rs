//! Just enough HTML for the dist step: the start tags of a page with their
//! attributes and byte ranges, so that `dist` can follow `src`/`href` references
//! and replace `<script>`, `<link>` and `<style>` elements in place. Comments are
//! skipped, and the raw text inside `<script>` and `<style>` is never read as
//! markup. Character references in attribute values are left as written (our
//! pages use none in URLs).

use std::ops::Range;

use crate::util::Result;

/// One start tag.
pub struct Tag {
    /// The element name, lowercase.
    pub name: String,
    /// Attribute names (lowercase) and values as written.
    pub attrs: Vec<(String, String)>,
    /// From `<` to the end of the start tag, or of the end tag for `<script>` and
    /// `<style>`, whose `content` is the text in between.
    pub range: Range<usize>,
    pub content: Option<Range<usize>>,
    /// 1-based line of the `<`.
    pub line: usize,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Every start tag in `text`, in order; `file` names the page in errors.
pub fn tags(file: &str, text: &str) -> Result<Vec<Tag>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find('<') {
        let start = at + offset;
        let rest = &text[start..];
        let line = line_of(text, start);
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .ok_or_else(|| format!("{file}:{line}: a comment that is never closed"))?;
            at = start + end + 3;
            continue;
        }
        // End tags, `<!doctype>` and a stray `<` in text are not start tags.
        if !rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            at = start + 1;
            continue;
        }
        let name_end = rest[1..]
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .map_or(text.len(), |n| start + 1 + n);
        let name = text[start + 1..name_end].to_ascii_lowercase();
        let (attrs, open_end) = attributes(text, name_end)
            .ok_or_else(|| format!("{file}:{line}: the <{name}> tag is never closed with `>`"))?;
        let mut tag = Tag {
            name,
            attrs,
            range: start..open_end,
            content: None,
            line,
        };
        if tag.name == "script" || tag.name == "style" {
            let close = format!("</{}", tag.name);
            let body_end = text[open_end..]
                .to_ascii_lowercase()
                .find(&close)
                .map(|n| open_end + n)
                .ok_or_else(|| format!("{file}:{line}: <{}> without {close}>", tag.name))?;
            let end = text[body_end..]
                .find('>')
                .map(|n| body_end + n + 1)
                .ok_or_else(|| format!("{file}:{line}: unfinished {close}>"))?;
            tag.content = Some(open_end..body_end);
            tag.range = start..end;
        }
        at = tag.range.end;
        found.push(tag);
    }
    Ok(found)
}

/// Reads attributes from `at` up to the closing `>`; returns them and the offset
/// after `>`, or `None` if the text ends first.
fn attributes(text: &str, mut at: usize) -> Option<(Vec<(String, String)>, usize)> {
    let bytes = text.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while bytes.get(at)?.is_ascii_whitespace() || bytes[at] == b'/' {
            at += 1;
        }
        if bytes[at] == b'>' {
            return Some((attrs, at + 1));
        }
        let name_start = at;
        while !matches!(bytes.get(at)?, b'=' | b'>' | b'/') && !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let name = text[name_start..at].to_ascii_lowercase();
        while bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        let mut value = String::new();
        if bytes[at] == b'=' {
            at += 1;
            while bytes.get(at)?.is_ascii_whitespace() {
                at += 1;
            }
            let quote = bytes[at];
            let value_start;
            if quote == b'"' || quote == b'\'' {
                value_start = at + 1;
                at = value_start + text[value_start..].find(char::from(quote))?;
                value = text[value_start..at].to_string();
                at += 1;
            } else {
                value_start = at;
                while !bytes.get(at)?.is_ascii_whitespace() && bytes[at] != b'>' {
                    at += 1;
                }
                value = text[value_start..at].to_string();
            }
        }
        attrs.push((name, value));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tags_attributes_and_raw_text() {
        let page = "<!doctype html>\n<!-- <script src=no.js> -->\n<html lang=en data-state=\"x\">\n\
                    <link rel='icon' href=\"a.svg\" >\n<script type=\"module\" src=\"m.js\"></script>\n\
                    <script>if (a < b) x('<p>')</SCRIPT><p hidden>";
        let tags = tags("t.html", page).unwrap();
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["html", "link", "script", "script", "p"]);
        assert_eq!(tags[0].attr("lang"), Some("en"));
        assert_eq!(tags[1].attr("href"), Some("a.svg"));
        assert_eq!((tags[1].line, tags[2].line), (4, 5));
        assert_eq!(
            &page[tags[2].range.clone()],
            "<script type=\"module\" src=\"m.js\"></script>"
        );
        let inline = tags[3].content.clone().unwrap();
        assert_eq!(&page[inline], "if (a < b) x('<p>')");
        assert_eq!(tags[4].attr("hidden"), Some(""));
        assert!(super::tags("t.html", "<p class='x").is_err());
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
}
