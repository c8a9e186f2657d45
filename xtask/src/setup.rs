//! Making sure the tools exist: the wasm32 target, a wasm-bindgen-cli of exactly
//! the version in Cargo.lock, wasm-pack, Chromium and its driver, Node, and the
//! npm packages (esbuild for `dist`, playwright-core for the end-to-end tests),
//! each pinned by its package-lock.json. Each `ensure_*` installs what it can and
//! otherwise fails with a message that names exactly what to install.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, cargo, output, root, run, say, which, Result};

/// The tools `build` needs, as absolute paths.
pub struct WasmTools {
    pub wasm_bindgen: PathBuf,
}

/// `cargo xtask setup`: the wasm32 target and the matching wasm-bindgen-cli.
pub fn wasm_tools() -> Result<WasmTools> {
    ensure_wasm_target()?;
    Ok(WasmTools {
        wasm_bindgen: ensure_wasm_bindgen()?,
    })
}

const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn ensure_wasm_target() -> Result {
    let hint = format!(
        "install Rust with rustup (https://rustup.rs), then run `rustup target add {WASM_TARGET}`"
    );
    if which("rustup").is_none() {
        // Without rustup we can only trust that the toolchain has the target.
        say(&format!(
            "rustup not found; assuming the toolchain has {WASM_TARGET} ({hint})"
        ));
        return Ok(());
    }
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        say(&format!("target {WASM_TARGET}: installed"));
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
        .map_err(|e| format!("{e}\n  to fix: {hint}"))
}

/// The rustup components the checks use; added when missing.
pub fn ensure_components() -> Result {
    for (component, probe) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if output(&mut cargo([probe, "--version"])).is_ok() {
            continue;
        }
        run(Command::new("rustup").args(["component", "add", component]))
            .map_err(|e| format!("{e}\n  to fix: `rustup component add {component}`"))?;
    }
    Ok(())
}

/// The version of `package` that Cargo.lock records (generating the lock first
/// when there is none).
pub fn locked_version(package: &str) -> Result<String> {
    let lock_path = root().join("Cargo.lock");
    if !lock_path.exists() {
        say("Cargo.lock is missing; generating it");
        run(&mut cargo(["generate-lockfile"]))?;
    }
    let lock = fs::read_to_string(&lock_path)
        .map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let wanted = format!("name = \"{package}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line != wanted {
            continue;
        }
        if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
            return Ok(version.trim_matches('"').to_string());
        }
    }
    Err(format!(
        "Cargo.lock has no `{package}` package; is it still a dependency in Cargo.toml?"
    ))
}

/// A `wasm-bindgen` whose version equals the `wasm-bindgen` crate in Cargo.lock:
/// the generated JS and the compiled crate must come from the same version.
fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let version = locked_version("wasm-bindgen")?;
    if let Some(found) = which("wasm-bindgen") {
        let reported = output(Command::new(&found).arg("--version")).unwrap_or_default();
        if reported.split_whitespace().nth(1) == Some(version.as_str()) {
            say(&format!("wasm-bindgen {version}: {}", found.display()));
            return Ok(found);
        }
        say(&format!(
            "{} reports `{}`, Cargo.lock wants {version}; installing",
            found.display(),
            reported.trim()
        ));
    }
    let install = ["install", "wasm-bindgen-cli", "--version", &version];
    cargo_install(&install, "wasm-bindgen")
}

/// wasm-pack, for `wasm-pack test --headless --chrome`.
pub fn ensure_wasm_pack() -> Result<PathBuf> {
    if let Some(found) = which("wasm-pack") {
        say(&format!("wasm-pack: {}", found.display()));
        return Ok(found);
    }
    say("wasm-pack is missing; installing it from crates.io (takes a few minutes)");
    cargo_install(&["install", "wasm-pack"], "wasm-pack")
}

fn cargo_install(args: &[&str], binary: &str) -> Result<PathBuf> {
    run(&mut cargo(args)).map_err(|e| format!("{e}\n  to fix: run `cargo {}`", args.join(" ")))?;
    util::cargo_bin_dir()
        .map(|dir| dir.join(binary))
        .filter(|path| path.exists())
        .or_else(|| which(binary))
        .ok_or_else(|| {
            format!(
                "`cargo {}` succeeded but {binary} is not on PATH; add ~/.cargo/bin to PATH",
                args.join(" ")
            )
        })
}

/// Chromium, and the matching chromedriver when the wasm tests need it.
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: Option<PathBuf>,
}

const CHROMIUM_NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

fn find_browser(with_driver: bool) -> Option<Browser> {
    let chromium = CHROMIUM_NAMES.iter().find_map(|name| which(name))?;
    let chromedriver = which("chromedriver");
    if with_driver && chromedriver.is_none() {
        return None;
    }
    Some(Browser {
        chromium,
        chromedriver,
    })
}

/// Whether fontconfig knows a font with Chinese glyphs (false without fc-list).
fn has_cjk_font() -> bool {
    Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .map(|out| out.status.success() && !out.stdout.is_empty())
        .unwrap_or(false)
}

/// A CJK font for headless Chromium (issue 12: the page and charts in Chinese,
/// screenshots and e2e at lang=zh): fonts-noto-cjk through apt-get when we are
/// root on Debian, else a hint. The page itself names only system fonts.
fn ensure_cjk_font() {
    if has_cjk_font() {
        return;
    }
    if !(util::is_root() && util::is_debian()) {
        say(
            "no CJK font found: Chinese text will show as boxes in screenshots \
             (Debian/Ubuntu: `sudo apt-get install fonts-noto-cjk`)",
        );
        return;
    }
    say("no CJK font found; installing fonts-noto-cjk with apt-get");
    let installed = run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "fonts-noto-cjk"])
        .env("DEBIAN_FRONTEND", "noninteractive"));
    if let Err(error) = installed {
        say(&format!(
            "fonts-noto-cjk was not installed ({error}); Chinese screenshots will show boxes"
        ));
    }
}

/// Chromium (and chromedriver if `with_driver`) and a CJK font, installed with
/// apt-get when we are root on Debian.
pub fn ensure_browser(with_driver: bool) -> Result<Browser> {
    if let Some(browser) = find_browser(with_driver) {
        ensure_cjk_font();
        let driver = browser
            .chromedriver
            .as_ref()
            .map(|d| d.display().to_string());
        say(&format!(
            "chromium: {}; chromedriver: {}",
            browser.chromium.display(),
            driver.unwrap_or("-".into())
        ));
        return Ok(browser);
    }
    let hint = "install Chromium and a chromedriver of the same version and put both on PATH \
                (Debian/Ubuntu: `sudo apt-get install chromium chromium-driver`)";
    if !(util::is_root() && util::is_debian()) {
        return Err(format!(
            "Chromium or chromedriver is missing\n  to fix: {hint}"
        ));
    }
    say("chromium or chromedriver is missing; installing them with apt-get");
    run(Command::new("apt-get").arg("update")).map_err(|e| format!("{e}\n  to fix: {hint}"))?;
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "--no-install-recommends",
            "chromium",
            "chromium-driver",
            "fonts-noto-cjk",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"))
    .map_err(|e| format!("{e}\n  to fix: {hint}"))?;
    find_browser(with_driver).ok_or_else(|| {
        format!("apt-get finished but chromium/chromedriver are not on PATH\n  to fix: {hint}")
    })
}

const NODE_MAJOR: u32 = 20;

/// Node >= 20 (what playwright-core needs) and npm.
pub fn ensure_node() -> Result {
    let hint = format!(
        "install Node.js {NODE_MAJOR} or newer with npm (Debian/Ubuntu: `sudo apt-get install nodejs npm`, or https://nodejs.org)"
    );
    let version = match which("node") {
        Some(node) => output(Command::new(node).arg("--version")).unwrap_or_default(),
        None => return Err(format!("node is missing\n  to fix: {hint}")),
    };
    let major = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if major >= NODE_MAJOR => {}
        _ => {
            return Err(format!(
                "node {} is too old or unreadable\n  to fix: {hint}",
                version.trim()
            ))
        }
    }
    if which("npm").is_none() {
        return Err(format!("npm is missing\n  to fix: {hint}"));
    }
    say(&format!("node {}", version.trim()));
    Ok(())
}

/// The end-to-end packages in tests/e2e (playwright-core), from the lockfile.
/// Never downloads a browser: the tests drive the system Chromium.
pub fn ensure_e2e_packages() -> Result {
    ensure_npm_packages(&root().join("tests").join("e2e"), "playwright-core")
}

/// The npm packages of `dir` exactly as its package-lock.json pins them
/// (`npm ci`), unless they are installed already and no older than the lock;
/// `probe` is one package that must then be in `dir/node_modules`.
pub fn ensure_npm_packages(dir: &Path, probe: &str) -> Result {
    let shown = dir
        .strip_prefix(root())
        .unwrap_or(dir)
        .display()
        .to_string();
    let installed = dir.join("node_modules").join(".package-lock.json");
    let lock = dir.join("package-lock.json");
    let modified = |path: &PathBuf| fs::metadata(path).and_then(|m| m.modified()).ok();
    if let (Some(installed_at), Some(locked_at)) = (modified(&installed), modified(&lock)) {
        if installed_at >= locked_at && dir.join("node_modules").join(probe).exists() {
            say(&format!("{shown} node packages: installed"));
            return Ok(());
        }
    }
    let verb = if lock.exists() { "ci" } else { "install" };
    run(Command::new("npm")
        .args([verb, "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
    .map_err(|e| {
        format!("{e}\n  to fix: run `npm {verb}` in {shown} (the npm registry must be reachable)")
    })
}
