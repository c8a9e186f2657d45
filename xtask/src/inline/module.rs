//! One ES module rewritten for the registry (see `inline/mod.rs` for the forms):
//! its imports become `const` bindings from the registry, its `export` keywords
//! go, and what it exports is listed for the `return` that closes its scope.

use super::scan::{reassigned, scan};
use super::{ident, is_name_char, resolve, unquote, REGISTRY};
use crate::util::Result;

/// One `import` statement, resolved.
pub struct Import {
    /// The imported module's path from the root, `/`-separated.
    pub from: String,
    /// (imported name, local name); `default` for a default import.
    pub names: Vec<(String, String)>,
    pub line: usize,
}

/// A module, rewritten.
pub struct Module {
    pub path: String,
    pub body: String,
    pub imports: Vec<Import>,
    /// (exported name, local name).
    pub exports: Vec<(String, String)>,
    /// Files named by `new URL('file', import.meta.url)`, resolved.
    pub assets: Vec<String>,
}

/// Rewrites the module at `path` (from the root, `/`-separated).
pub fn parse(path: &str, text: &str) -> Result<Module> {
    let found = scan(text);
    if let Some(line) = found.dynamic_imports.first() {
        return Err(format!("{path}:{line}: dynamic import() is not supported by the single-file inliner; use a static import"));
    }
    if let Some(n) = text.lines().position(|l| l.contains("__normscope_")) {
        return Err(format!(
            "{path}:{}: the `__normscope_` prefix is reserved for the inliner",
            n + 1
        ));
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut module = Module {
        path: path.into(),
        body: String::new(),
        imports: Vec::new(),
        exports: Vec::new(),
        assets: assets(path, text)?,
    };
    let mut lets = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        let word: String = line
            .trim_start()
            .chars()
            .take_while(|c| is_name_char(*c))
            .collect();
        let after = line.trim_start()[word.len()..].chars().next();
        let statement = (word == "import" || word == "export") && !matches!(after, Some('.' | '('));
        if !statement || !found.top_level.get(k).copied().unwrap_or(false) {
            module.body.push_str(line);
            module.body.push('\n');
            k += 1;
            continue;
        }
        let at = |e: String| format!("{path}:{}: {e}", k + 1);
        if line.starts_with(char::is_whitespace) {
            return Err(at(format!(
                "start `{word}` at column 0 (the inliner reads top-level statements by line)"
            )));
        }
        let (rewritten, used) = if word == "import" {
            let (text, used) = statement_text(&lines, k).map_err(at)?;
            let import = parse_import(path, &text, k + 1).map_err(at)?;
            let line = binding(&import);
            module.imports.push(import);
            (line, used)
        } else {
            export(line, &lines, k, &mut module.exports, &mut lets).map_err(at)?
        };
        module.body.push_str(&rewritten);
        module.body.push_str(&"\n".repeat(used));
        k += used;
    }
    for name in lets {
        if let Some(n) = reassigned(&module.body, &name) {
            return Err(format!("{path}:{n}: the exported `let {name}` is reassigned; importers of the single file would keep its first value, so export a function that returns it"));
        }
    }
    Ok(module)
}

/// The statement starting at line `k`, up to its `;`, and how many lines it takes.
/// A statement that is complete (ends with its module path or its closing `}`)
/// without a `;` is refused rather than guessed at.
fn statement_text(lines: &[&str], k: usize) -> Result<(String, usize)> {
    let mut text = String::new();
    for (n, line) in lines.iter().enumerate().skip(k).take(40) {
        if let Some(end) = line.find(';') {
            let rest = line[end + 1..].trim();
            if !rest.is_empty() && !rest.starts_with("//") {
                return Err(format!(
                    "put nothing after the `;` of an import or export: `{rest}`"
                ));
            }
            text.push_str(&line[..end]);
            return Ok((text, n - k + 1));
        }
        text.push_str(line);
        text.push(' ');
        let closed = text.matches('{').count() == text.matches('}').count();
        if line.trim_end().ends_with(['\'', '"']) || (closed && line.trim_end().ends_with('}')) {
            break;
        }
    }
    Err("end the statement with `;` (the inliner reads statements up to their semicolon)".into())
}

fn parse_import(path: &str, text: &str, line: usize) -> Result<Import> {
    let body = text.trim()["import".len()..].trim();
    // The module path is the quoted string at the end.
    let spec_start = body
        .strip_suffix(['\'', '"'])
        .and_then(|head| head.rfind(['\'', '"']))
        .ok_or_else(|| format!("expected a quoted module path at the end of `{body}`"))?;
    let spec = unquote(&body[spec_start..])
        .ok_or_else(|| format!("cannot read the module path in `{body}`"))?;
    let head = body[..spec_start].trim_end();
    let clause = match head.strip_suffix("from") {
        Some(clause) => clause.trim(),
        None if head.is_empty() => "",
        None => {
            return Err(format!(
                "expected `from` before the module path in `{body}`"
            ))
        }
    };
    if !spec.starts_with("./") && !spec.starts_with("../") {
        return Err(format!(
            "`{spec}` is not a relative path; the inliner only follows ./ and ../ imports"
        ));
    }
    let mut names = Vec::new();
    let (default, rest) = match clause.split_once(',') {
        Some((first, rest)) if !first.contains('{') => (Some(first.trim()), rest.trim()),
        _ if !clause.starts_with(['{', '*']) && !clause.is_empty() => (Some(clause), ""),
        _ => (None, clause),
    };
    if let Some(local) = default {
        names.push(("default".into(), ident(local)?));
    }
    if let Some(namespace) = rest.strip_prefix('*') {
        let local = namespace
            .trim()
            .strip_prefix("as")
            .ok_or("expected `* as name`")?;
        names.push(("*".into(), ident(local)?));
    } else if !rest.is_empty() {
        names.extend(name_list(rest)?);
    }
    Ok(Import {
        from: resolve(path, spec)?,
        names,
        line,
    })
}

/// `{ a, b as c }` -> [(a, a), (b, c)].
fn name_list(text: &str) -> Result<Vec<(String, String)>> {
    let inner = text
        .trim()
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(|| format!("expected a `{{ … }}` list, got `{text}`"))?;
    let mut names = Vec::new();
    for item in inner
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let (name, local) = match item.split_once(" as ") {
            Some((name, local)) => (ident(name)?, ident(local)?),
            None => (ident(item)?, ident(item)?),
        };
        names.push((name, local));
    }
    Ok(names)
}

/// The `const` that replaces an import.
fn binding(import: &Import) -> String {
    let source = format!("{REGISTRY}[{:?}]", import.from);
    let mut parts = Vec::new();
    let mut fields = Vec::new();
    for (name, local) in &import.names {
        match name.as_str() {
            "*" => parts.push(format!("const {local} = {source};")),
            _ if name == local => fields.push(name.clone()),
            _ => fields.push(format!("{name}: {local}")),
        }
    }
    if !fields.is_empty() {
        parts.insert(0, format!("const {{ {} }} = {source};", fields.join(", ")));
    }
    parts.join(" ")
}

/// Rewrites the export at line `k`; returns the new text and the lines used.
fn export(
    line: &str,
    lines: &[&str],
    k: usize,
    exports: &mut Vec<(String, String)>,
    lets: &mut Vec<String>,
) -> Result<(String, usize)> {
    let rest = line["export".len()..].trim_start();
    if rest.starts_with('{') {
        let (text, used) = statement_text(lines, k)?;
        let list = text.trim()["export".len()..].trim();
        if !list.ends_with('}') {
            return Err("re-exports (`export … from`) are not supported by the inliner; import, then export".into());
        }
        exports.extend(
            name_list(list)?
                .into_iter()
                .map(|(local, name)| (name, local)),
        );
        return Ok((String::new(), used));
    }
    if let Some(value) = rest.strip_prefix("default ") {
        if let Some((_, name)) = declaration(value.trim_start()) {
            exports.push(("default".into(), name));
            return Ok((line.replacen("export default ", "", 1), 1));
        }
        let value = value.trim_start();
        let anonymous = ["function", "async function", "class"].iter().any(|kind| {
            value
                .strip_prefix(kind)
                .is_some_and(|r| !r.starts_with(is_name_char))
        });
        if anonymous {
            return Err("name the default-exported function or class".into());
        }
        exports.push(("default".into(), "__normscope_default".into()));
        return Ok((
            line.replacen("export default ", "const __normscope_default = ", 1),
            1,
        ));
    }
    let (kind, name) = declaration(rest).ok_or_else(|| format!("unsupported export form `{}`; the inliner handles export function/class/const/let/var NAME, export {{…}} and export default", line.trim()))?;
    if kind == "let" || kind == "var" {
        lets.push(name.clone());
    }
    exports.push((name.clone(), name));
    Ok((line.replacen("export ", "", 1), 1))
}

/// `function f`, `async function* f`, `class C`, `const x`, `let x`, `var x` ->
/// (keyword, name); `None` for anything else (`const {a} = …`, `class {`).
fn declaration(text: &str) -> Option<(&'static str, String)> {
    for kind in ["async function", "function", "class", "const", "let", "var"] {
        let Some(rest) = text.strip_prefix(kind) else {
            continue;
        };
        if !rest.starts_with(|c: char| c.is_whitespace() || c == '*') {
            continue;
        }
        let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '*');
        let name: String = rest.chars().take_while(|c| is_name_char(*c)).collect();
        return ident(&name).ok().map(|name| (kind, name));
    }
    None
}

/// Files a module names with `new URL('file', import.meta.url)`.
fn assets(path: &str, text: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("new URL(") {
        let args = &text[at + "new URL(".len()..];
        if let Some((first, rest)) = args.split_once(',') {
            if rest.trim_start().starts_with("import.meta.url") {
                if let Some(file) = unquote(first) {
                    found.push(resolve(path, file)?);
                }
            }
        }
    }
    Ok(found)
}
