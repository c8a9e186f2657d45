//! The module inliner behind `dist/normscope.html`: the page's ES modules (ours
//! in `www/` and wasm-bindgen's `pkg/normscope.js`) become ONE module script,
//! with no bundler.
//!
//! Each module runs in its own async function scope, dependencies first, and its
//! exports are stored under its path in a registry object:
//!
//! ```text
//! import init, { Scope as S } from '../pkg/normscope.js';
//!   ->  const { default: init, Scope: S } = __normscope_modules["pkg/normscope.js"];
//! export function load() {}          ->  function load() {}      (+ load in the exports)
//! export { a, b as c };              ->  (blank line)            (+ a, c in the exports)
//! export default expr;               ->  const __normscope_default = expr;
//! ```
//!
//! and after the body `return Object.freeze({ load: load, c: b, ... });`.
//! Handled forms: `import {…}`, `import d`, `import d, {…}`, `import * as ns`,
//! `import '…'` from relative paths; `export function|async function|class|const|
//! let|var NAME`, `export {…}` (no `from`), `export default`. Statements must
//! start at column 0 and end with `;`. Anything else (dynamic `import()`,
//! re-exports, destructuring exports, a cycle, an imported name the other module
//! does not export, an exported `let` that is reassigned) stops the dist with the
//! file and line: the inliner refuses rather than emitting JS that would break.
//!
//! Exports are copied once, after the module has run, so importers see final
//! values, which is exact for everything but a reassigned `let` (refused).

mod module;
mod scan;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::encode::sha256;
use crate::util::{which, Result};
pub use module::{parse, Module};

/// The registry's name; no module may use the `__normscope_` prefix.
const REGISTRY: &str = "__normscope_modules";

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

fn unquote(text: &str) -> Option<&str> {
    let text = text.trim();
    let quote = text.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains([quote, '\\'])).then_some(inner)
}

fn ident(text: &str) -> Result<String> {
    let text = text.trim();
    let ok = text.starts_with(|c: char| is_name_char(c) && !c.is_ascii_digit())
        && text.chars().all(is_name_char);
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not a plain name"))
    }
}

/// `spec` relative to the module at `from`; both `/`-separated from the root.
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

/// Inlines the module graph of `entry` into one module script body, after
/// `prelude`; returns it and the modules in the order they run.
pub fn bundle(root: &Path, entry: &str, prelude: &str) -> Result<(String, Vec<String>)> {
    let mut order: Vec<Module> = Vec::new();
    visit(root, entry, &mut Vec::new(), &mut order)?;
    let index: HashMap<&str, &Module> = order.iter().map(|m| (m.path.as_str(), m)).collect();
    for module in &order {
        for import in &module.imports {
            let exports = &index[import.from.as_str()].exports;
            for (name, _) in import.names.iter().filter(|(name, _)| name != "*") {
                if !exports.iter().any(|(exported, _)| exported == name) {
                    return Err(format!(
                        "{}:{}: {} does not export `{name}`",
                        module.path, import.line, import.from
                    ));
                }
            }
        }
    }
    let mut script = format!(
        "{prelude}\n// {} ES modules inlined by `cargo xtask dist` (xtask/src/inline/).\n\
         const {REGISTRY} = Object.create(null);\n",
        order.len()
    );
    for module in &order {
        let exports: Vec<String> = module
            .exports
            .iter()
            .map(|(name, local)| format!("{name}: {local}"))
            .collect();
        script.push_str(&format!(
            "// ---- {path}\n{REGISTRY}[{path:?}] = await (async () => {{\n{body}\
             return Object.freeze({{ {exports} }});\n}})();\n",
            path = module.path,
            body = module.body,
            exports = exports.join(", "),
        ));
    }
    let paths = order.iter().map(|m| m.path.clone()).collect();
    Ok((script, paths))
}

/// Depth-first, dependencies before dependents; `stack` detects cycles.
fn visit(root: &Path, path: &str, stack: &mut Vec<String>, order: &mut Vec<Module>) -> Result {
    if order.iter().any(|m| m.path == path) {
        return Ok(());
    }
    if stack.iter().any(|p| p == path) {
        return Err(format!(
            "import cycle {} -> {path}: the inliner runs modules in dependency order \
             and cannot split a cycle",
            stack.join(" -> ")
        ));
    }
    let file = root.join(path);
    let text = fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {} (imported as {path}): {e}", file.display()))?;
    let module = parse(path, &text)?;
    stack.push(path.to_string());
    for import in &module.imports {
        visit(root, &import.from, stack, order)?;
    }
    stack.pop();
    order.push(module);
    Ok(())
}

/// `node --check` on the bundle, when Node is installed: a syntax error here
/// means an inliner bug, and must not reach a user.
pub fn check_syntax(bundle: &str) -> Result {
    if which("node").is_none() {
        return Ok(());
    }
    let digest: String = sha256(bundle.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let file = std::env::temp_dir().join(format!("normscope-bundle-{digest}.mjs"));
    fs::write(&file, bundle).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let out = Command::new("node").arg("--check").arg(&file).output();
    let _ = fs::remove_file(&file);
    let out = out.map_err(|e| format!("could not start node: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&out.stderr)
        .lines()
        .take(6)
        .collect::<Vec<_>>()
        .join("\n  ");
    Err(format!(
        "the inlined script does not parse (an inliner bug; please report it):\n  {message}"
    ))
}
