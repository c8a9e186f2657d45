//! Keeps the numeric core free of the browser (rust-analyzer's tidy test is the
//! model): no file under src/core may name a browser or plotting crate.

use std::fs;
use std::path::Path;

const FORBIDDEN: &[&str] = &["wasm_bindgen", "web_sys", "js_sys", "plotters"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/core is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_names_no_browser_crate() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    assert!(files.len() >= 10, "found the core's files");
    let mut offences = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("readable source");
        for (n, line) in text.lines().enumerate() {
            for name in FORBIDDEN {
                if line.contains(name) {
                    offences.push(format!("{}:{}: names {name}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "src/core must stay browser-free:\n{}",
        offences.join("\n")
    );
}

#[test]
fn source_files_stay_small() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let lines = fs::read_to_string(&file).expect("readable").lines().count();
        assert!(
            lines <= 450,
            "{} has {lines} lines; split it (docs/architecture.md: about 300)",
            file.display()
        );
    }
}

#[test]
fn readme_config_table_matches_the_code() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md is readable");
    for key in normscope::core::config::KEYS {
        let row = format!(
            "| `{}` | {} | `{}` | {} |",
            key.name,
            key.kind.allowed(),
            key.default,
            key.help
        );
        assert!(
            readme.contains(&row),
            "README's config table lacks or misstates:\n{row}"
        );
    }
}
