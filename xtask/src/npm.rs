//! `pkg/` as an npm package: after wasm-bindgen, `build` writes
//! `pkg/package.json` and `pkg/README.md` from the root package's metadata as
//! `cargo metadata` reports it (name, version, description, license,
//! repository, keywords), so the crate stays the one place they are written.
//! wasm-bindgen's `--target web` writes no package.json of its own (wasm-pack
//! would, but we do not need it for a build). Licence files are copied when the
//! repository has them.

use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use crate::util::{cargo, output, root, say, Result};

/// Files `npm pack` must ship besides package.json, README and licences.
const FILES: [&str; 4] = [
    "normscope.js",
    "normscope.d.ts",
    "normscope_bg.wasm",
    "normscope_bg.wasm.d.ts",
];

/// Licence files looked for in the root, copied into the package if present.
const LICENSES: [&str; 4] = ["LICENSE", "LICENSE-MIT", "LICENSE-APACHE", "COPYING"];

/// Writes package.json and README.md into `pkg` (and copies licence files).
pub fn write_package(pkg: &Path) -> Result {
    let package = root_package()?;
    let field = |key: &str| {
        package[key].as_str().map(str::to_string).ok_or_else(|| {
            format!("Cargo.toml's [package] has no `{key} = \"…\"`, which package.json needs")
        })
    };
    let (name, version) = (field("name")?, field("version")?);
    let (description, license) = (field("description")?, field("license")?);
    let repository = field("repository")?;
    let keywords = package["keywords"].clone();

    let mut files: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    for file in &files {
        if !pkg.join(file).is_file() {
            return Err(format!("pkg/{file} is missing after wasm-bindgen"));
        }
    }
    if pkg.join("snippets").is_dir() {
        files.push("snippets/".into());
    }
    for license in LICENSES {
        let source = root().join(license);
        if source.is_file() {
            fs::copy(&source, pkg.join(license))
                .map_err(|e| format!("cannot copy {license} into pkg/: {e}"))?;
        }
    }
    let side_effects = if pkg.join("snippets").is_dir() {
        json!(["./snippets/*"])
    } else {
        json!(false)
    };
    let git_url = format!("git+{}.git", repository.trim_end_matches('/'));
    let manifest = json!({
        "name": name,
        "version": version,
        "description": description,
        "license": license,
        "repository": { "type": "git", "url": git_url },
        "homepage": repository,
        "keywords": keywords,
        "type": "module",
        "main": "normscope.js",
        "module": "normscope.js",
        "types": "normscope.d.ts",
        "exports": {
            ".": { "types": "./normscope.d.ts", "default": "./normscope.js" },
            "./normscope_bg.wasm": "./normscope_bg.wasm",
            "./package.json": "./package.json"
        },
        "files": files,
        "sideEffects": side_effects,
    });
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())? + "\n";
    write(&pkg.join("package.json"), &json)?;
    let readme = include_str!("npm_readme.md")
        .replace("{description}", &description)
        .replace("{repository}", &repository)
        .replace("{version}", &version)
        .replace("{license}", &license);
    write(&pkg.join("README.md"), &readme)?;
    say(&format!("pkg/package.json: {name} {version} (npm package)"));
    Ok(())
}

fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The root package's entry of `cargo metadata --no-deps`.
fn root_package() -> Result<Value> {
    let text = output(&mut cargo([
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
    ]))?;
    let metadata: Value =
        serde_json::from_str(&text).map_err(|e| format!("cargo metadata wrote bad JSON: {e}"))?;
    let manifest = root().join("Cargo.toml");
    metadata["packages"]
        .as_array()
        .and_then(|packages| {
            packages
                .iter()
                .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        })
        .cloned()
        .ok_or_else(|| format!("cargo metadata lists no package for {}", manifest.display()))
}

/// A JSON string literal (also a JavaScript one).
pub fn json_string(text: &str) -> String {
    Value::from(text).to_string()
}
