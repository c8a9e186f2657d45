//! Small helpers shared by the subcommands: the repository root, `xtask:` lines,
//! finding and running programs, and what kind of machine this is.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every fallible step returns a message meant for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, String>;

/// Prints one `xtask: ...` progress line.
pub fn say(message: &str) {
    println!("xtask: {message}");
}

/// The repository root: the parent of this crate's directory.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Cargo's target directory (`$CARGO_TARGET_DIR`, default `target/` in the root).
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Cargo's binary directory (`$CARGO_HOME/bin`, default `~/.cargo/bin`), where
/// `cargo install` puts wasm-bindgen and wasm-pack.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    match env::var_os("CARGO_HOME") {
        Some(home) => Some(PathBuf::from(home).join("bin")),
        None => env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin")),
    }
}

/// Puts cargo's binary directory first on PATH so that what we install is what
/// we (and wasm-pack, and the test runner) find.
pub fn prepare_env() {
    let Some(bin) = cargo_bin_dir() else { return };
    let old = env::var_os("PATH").unwrap_or_default();
    if env::split_paths(&old).next().as_deref() == Some(bin.as_path()) {
        return;
    }
    let paths = std::iter::once(bin).chain(env::split_paths(&old));
    if let Ok(joined) = env::join_paths(paths) {
        env::set_var("PATH", joined);
    }
}

/// Finds an executable on PATH, like `which`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `program args...` as one line, for messages.
pub fn describe(command: &Command) -> String {
    let program = command.get_program();
    let is_cargo = env::var_os("CARGO").is_some_and(|cargo| cargo == program);
    let mut text = if is_cargo {
        "cargo".into()
    } else {
        program.to_string_lossy().into_owned()
    };
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs a command with inherited output after printing it; fails if it fails.
pub fn run(command: &mut Command) -> Result {
    say(&format!("$ {}", describe(command)));
    let status = command
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

/// Runs a command quietly and returns its stdout; fails with its stderr.
pub fn output(command: &mut Command) -> Result<String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(command)))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(format!(
            "`{}` failed ({}): {}",
            describe(command),
            out.status,
            stderr.trim()
        ))
    }
}

/// `cargo`, as the one that runs us (honours `$CARGO`), started in the root.
pub fn cargo<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(args: I) -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(args).current_dir(root());
    command
}

/// Whether we run as root (uid 0), read from `/proc/self/status`.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|line| line.starts_with("Uid:"))?;
            line.split_whitespace().nth(1).map(|uid| uid == "0")
        })
        .unwrap_or(false)
}

/// Whether this is Debian or a derivative with apt-get.
pub fn is_debian() -> bool {
    Path::new("/etc/debian_version").exists() && which("apt-get").is_some()
}

/// The size of `path` compressed by `gzip -c` (gzip's default level, about what
/// a web server sends); `None` without gzip.
pub fn gzip_len(path: &Path) -> Option<u64> {
    let out = Command::new(which("gzip")?)
        .arg("-c")
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout.len() as u64)
}

/// Human-readable byte count.
pub fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.2} MiB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}
