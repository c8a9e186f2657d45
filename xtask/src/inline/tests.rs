//! The inliner on every form it handles, on the forms it must refuse, and a
//! bundle run in Node (when installed) to see that the rewritten JS behaves.

use super::*;
use std::process::Command;

const WASM_GLUE: &str = "\
let wasm;
export class Scope {
  constructor(q) { this.q = q; }
}
export function version() { return '0.1.0'; }
async function __wbg_init(m) { wasm = m; return new URL('normscope_bg.wasm', import.meta.url) && 'ready'; }
export { initSync, __wbg_init as default };
function initSync() {}
";

const PAGE_MODULE: &str = "\
// import { nothing } from './comment.js';
import init, {
  Scope,
  version as v,
} from '../pkg/normscope.js';
import * as util from './util.js';

const tpl = `
export const no = 1;
`;
export const answer = 42;
export async function start() { return `${await init()} ${v()} ${util.twice(answer)} ${new Scope('a').q}`; }
export default class Page {}
";

#[test]
fn rewrites_imports_and_exports_in_place() {
    let module = parse("www/main.js", PAGE_MODULE).unwrap();
    let lines: Vec<&str> = module.body.lines().collect();
    assert_eq!(
        lines.len(),
        PAGE_MODULE.lines().count(),
        "line numbers are kept"
    );
    assert_eq!(lines[0], "// import { nothing } from './comment.js';");
    assert_eq!(
        lines[1],
        r#"const { default: init, Scope, version: v } = __normscope_modules["pkg/normscope.js"];"#
    );
    assert_eq!(
        lines[5],
        r#"const util = __normscope_modules["www/util.js"];"#
    );
    assert_eq!(
        lines[8], "export const no = 1;",
        "template text is left alone"
    );
    assert_eq!(lines[10], "const answer = 42;");
    assert!(lines[11].starts_with("async function start() {"));
    assert_eq!(lines[12], "class Page {}");
    let exports: Vec<String> = module
        .exports
        .iter()
        .map(|(e, l)| format!("{e}={l}"))
        .collect();
    assert_eq!(exports, ["answer=answer", "start=start", "default=Page"]);

    let glue = parse("pkg/normscope.js", WASM_GLUE).unwrap();
    assert_eq!(glue.assets, ["pkg/normscope_bg.wasm"]);
    let exports: Vec<&str> = glue.exports.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(exports, ["Scope", "version", "initSync", "default"]);
}

#[test]
fn refuses_what_it_does_not_handle_naming_file_and_line() {
    let cases = [
        (
            "const m = await import('./m.js');\n",
            "x.js:1: dynamic import()",
        ),
        ("\nexport { a } from './a.js';\n", "x.js:2: re-exports"),
        (
            "export * from './a.js';\n",
            "x.js:1: unsupported export form",
        ),
        (
            "export const { a, b } = o;\n",
            "x.js:1: unsupported export form",
        ),
        (
            "export default function () {}\n",
            "x.js:1: name the default-exported",
        ),
        (
            "import { a } from 'lodash';\n",
            "x.js:1: `lodash` is not a relative path",
        ),
        (
            "import { a } from './a.js'\nfoo();\n",
            "x.js:1: end the statement with `;`",
        ),
        (
            "  export const a = 1;\n",
            "x.js:1: start `export` at column 0",
        ),
        (
            "export let n = 0;\nfunction bump() {\n  n += 1;\n}\n",
            "x.js:3: the exported `let n` is reassigned",
        ),
        (
            "const __normscope_modules = 1;\n",
            "x.js:1: the `__normscope_` prefix",
        ),
    ];
    for (text, expected) in cases {
        match parse("x.js", text) {
            Ok(_) => panic!("accepted {text:?}"),
            Err(message) => assert!(message.starts_with(expected), "{message}"),
        }
    }
    // An exported let that is only read is fine.
    assert!(parse(
        "x.js",
        "export let n = 0;\nconst m = n + 1;\nif (n == 1) {}\n"
    )
    .is_ok());
}

/// Writes `files` into a fresh directory and bundles `entry` from it.
fn bundle_files(name: &str, files: &[(&str, &str)], entry: &str) -> Result<(String, Vec<String>)> {
    let root = std::env::temp_dir().join(format!("xtask-inline-{name}-{}", std::process::id()));
    for (path, text) in files {
        let file = root.join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    let result = bundle(&root, entry, "globalThis.PRELUDE = 1;");
    fs::remove_dir_all(&root).unwrap();
    result
}

#[test]
fn bundles_dependencies_first_and_runs_in_node() {
    let files = [
        ("www/main.js", PAGE_MODULE),
        (
            "www/util.js",
            "export function twice(x) { return 2 * x; }\n",
        ),
        ("pkg/normscope.js", WASM_GLUE),
    ];
    let (script, order) = bundle_files("ok", &files, "www/main.js").unwrap();
    assert_eq!(order, ["pkg/normscope.js", "www/util.js", "www/main.js"]);
    assert!(script.starts_with("globalThis.PRELUDE = 1;\n"));
    if crate::util::which("node").is_none() {
        return;
    }
    let file = std::env::temp_dir().join(format!("xtask-inline-run-{}.mjs", std::process::id()));
    let probe = "\nconsole.log(await __normscope_modules['www/main.js'].start());\n";
    fs::write(&file, format!("{script}{probe}")).unwrap();
    let out = Command::new("node").arg(&file).output().unwrap();
    fs::remove_file(&file).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        "ready 0.1.0 84 a",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn refuses_missing_exports_and_cycles() {
    let missing = [
        ("a.js", "import { nope } from './b.js';\n"),
        ("b.js", "export const yes = 1;\n"),
    ];
    let message = bundle_files("missing", &missing, "a.js").unwrap_err();
    assert_eq!(message, "a.js:1: b.js does not export `nope`");
    let cycle = [
        ("a.js", "import { b } from './b.js';\nexport const a = 1;\n"),
        ("b.js", "import { a } from './a.js';\nexport const b = 2;\n"),
    ];
    let message = bundle_files("cycle", &cycle, "a.js").unwrap_err();
    assert!(
        message.starts_with("import cycle a.js -> b.js -> a.js"),
        "{message}"
    );
}

#[test]
fn resolves_relative_paths_inside_the_root() {
    assert_eq!(
        resolve("www/main.js", "../pkg/normscope.js").unwrap(),
        "pkg/normscope.js"
    );
    assert_eq!(resolve("www/main.js", "./a/../b.js").unwrap(), "www/b.js");
    assert!(resolve("www/main.js", "../../etc/passwd").is_err());
}
