//! `pkg/` as an npm package: after wasm-bindgen, `build` writes
//! `pkg/package.json` and `pkg/README.md` from the `[package]` table of the root
//! `Cargo.toml` (name, version, description, license, repository, keywords), so
//! the crate stays the one place they are written. wasm-bindgen's `--target web`
//! writes no package.json of its own (wasm-pack would, but we do not need it for
//! a build). Licence files are copied when the repository has them.

use std::fs;
use std::path::Path;

use crate::util::{root, say, Result};

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
    let manifest_path = root().join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))?;
    let field = |key: &str| {
        package_field(&manifest, key).ok_or_else(|| {
            format!("Cargo.toml's [package] has no `{key} = \"…\"`, which package.json needs")
        })
    };
    let (name, version) = (field("name")?, field("version")?);
    let (description, license) = (field("description")?, field("license")?);
    let repository = field("repository")?;
    let keywords = package_list(&manifest, "keywords");

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
        "[\"./snippets/*\"]"
    } else {
        "false"
    };
    let git_url = format!("git+{}.git", repository.trim_end_matches('/'));
    let json = format!(
        "{{\n  \"name\": {},\n  \"version\": {},\n  \"description\": {},\n  \"license\": {},\n  \
         \"repository\": {{ \"type\": \"git\", \"url\": {} }},\n  \"homepage\": {},\n  \
         \"keywords\": {},\n  \"type\": \"module\",\n  \"main\": \"normscope.js\",\n  \
         \"module\": \"normscope.js\",\n  \"types\": \"normscope.d.ts\",\n  \"exports\": {{\n    \
         \".\": {{ \"types\": \"./normscope.d.ts\", \"default\": \"./normscope.js\" }},\n    \
         \"./normscope_bg.wasm\": \"./normscope_bg.wasm\",\n    \"./package.json\": \"./package.json\"\n  }},\n  \
         \"files\": {},\n  \"sideEffects\": {side_effects}\n}}\n",
        json_string(&name),
        json_string(&version),
        json_string(&description),
        json_string(&license),
        json_string(&git_url),
        json_string(&repository),
        json_list(&keywords),
        json_list(&files),
    );
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

/// The lines of the `[package]` table.
fn package_table(manifest: &str) -> impl Iterator<Item = &str> {
    manifest
        .lines()
        .skip_while(|line| line.trim() != "[package]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
}

/// `key = "value"` in `[package]`.
fn package_field(manifest: &str, key: &str) -> Option<String> {
    package_table(manifest).find_map(|line| {
        let (k, v) = line.split_once('=')?;
        let v = v.trim();
        (k.trim() == key && v.len() >= 2 && v.starts_with('"') && v.ends_with('"'))
            .then(|| v[1..v.len() - 1].to_string())
    })
}

/// `key = ["a", "b"]` (on one line) in `[package]`; empty if absent.
fn package_list(manifest: &str, key: &str) -> Vec<String> {
    package_table(manifest)
        .find_map(|line| {
            let (k, v) = line.split_once('=')?;
            let inner = v.trim().strip_prefix('[')?.strip_suffix(']')?;
            (k.trim() == key).then(|| {
                inner
                    .split(',')
                    .map(|item| item.trim().trim_matches('"').to_string())
                    .filter(|item| !item.is_empty())
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// A JSON string literal (also a JavaScript one).
pub fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out + "\""
}

fn json_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|item| json_string(item)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_package_table_only() {
        let manifest = "[package]\nname = \"normscope\"\nversion = \"0.1.0\"\n\
                        keywords = [\"a\", \"b c\"]\n\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(package_field(manifest, "version").as_deref(), Some("0.1.0"));
        assert_eq!(package_field(manifest, "license"), None);
        assert_eq!(package_list(manifest, "keywords"), ["a", "b c"]);
    }

    #[test]
    fn escapes_json_strings() {
        assert_eq!(
            json_string("a \"b\" \\ c\n\u{1}"),
            r#""a \"b\" \\ c\n\u0001""#
        );
        assert_eq!(json_list(&["x".into()]), r#"["x"]"#);
    }
}
