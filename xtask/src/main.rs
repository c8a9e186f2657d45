//! `cargo xtask`: normscope's automation, written in Rust so that it needs nothing
//! but cargo (the [xtask pattern](https://github.com/matklad/cargo-xtask)).
//!
//! Every subcommand says what it does on `xtask: ...` lines, installs what is
//! missing where it can, and otherwise stops with a message naming exactly what to
//! install. The alias lives in `.cargo/config.toml`.

mod bench;
mod build;
mod csp;
mod dist;
mod esbuild;
mod fuzz;
mod npm;
mod page;
mod serve;
mod setup;
mod single;
mod test;
mod threads;
mod util;
mod versus;

use std::process::ExitCode;

use util::Result;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                 install the wasm32 target and the matching wasm-bindgen-cli
  build [--dev]         build the wasm package into pkg/, an npm package
                        (--dev: debug profile, no wasm-opt)
  dist                  release build, then, bundled by esbuild (installed when missing),
                        dist/site/ (a static folder for any web host) and
                        dist/normscope.html (one self-contained file); prints the
                        sizes and the Content-Security-Policy the single file needs
  serve [--port N]      build, then serve the repository root on http://127.0.0.1:N/ (default 8000)
  test [--quick | --e2e-only]
                        fmt, clippy, native tests, browser tests, dist, end-to-end tests
                        (--quick: skip the browser; --e2e-only: only dist + end-to-end)
  bench [--peer | --threads | --page]
                        steps/s and GFLOP/s of the reference configs, native and in Chromium
                        (--peer: against the same MLPs in TF.js, wasm and cpu backends,
                        in the same Chromium run; installs TF.js into xtask/peer/;
                        --threads: all cores against one, in a Web Worker;
                        --page: the page's frames/s, chart updates/s, first chart and
                        longest task during Play, tests/e2e/pageperf.mjs)
  fuzz [target] [--seconds N] [--cmin]
                        run a cargo-fuzz target (all of them by default) for N s each
                        (default 60), installing nightly and cargo-fuzz when missing;
                        --cmin minimizes fuzz/corpus/<target> afterwards
  help                  this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result {
    util::prepare_env();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("help", &[][..]),
    };
    let mut flags = Flags::new(rest);
    match command {
        "setup" => {
            flags.finish()?;
            setup::wasm_tools().map(|_| ())
        }
        "build" => {
            let dev = flags.switch("--dev");
            flags.finish()?;
            build::build(&setup::wasm_tools()?, dev).map(|_| ())
        }
        "dist" => {
            flags.finish()?;
            dist::dist(&setup::wasm_tools()?)
        }
        "serve" => {
            let port = flags.value("--port")?.map(parse_port).transpose()?;
            flags.finish()?;
            build::build(&setup::wasm_tools()?, false)?;
            serve::serve_forever(&util::root(), port.unwrap_or(8000))
        }
        "test" => {
            let quick = flags.switch("--quick");
            let e2e_only = flags.switch("--e2e-only");
            flags.finish()?;
            let scope = match (quick, e2e_only) {
                (true, true) => return Err("--quick and --e2e-only exclude each other".into()),
                (true, false) => test::Scope::Quick,
                (false, true) => test::Scope::EndToEndOnly,
                (false, false) => test::Scope::Full,
            };
            test::run(scope)
        }
        "bench" => {
            let peer = flags.switch("--peer");
            let threads = flags.switch("--threads");
            let page = flags.switch("--page");
            flags.finish()?;
            match (peer, threads, page) {
                (false, false, false) => bench::run(),
                (true, false, false) => versus::run(&versus::PEER),
                (false, true, false) => versus::run(&versus::THREADS),
                (false, false, true) => bench::run_page(),
                _ => Err("--peer, --threads and --page are separate runs; pick one".into()),
            }
        }
        "fuzz" => {
            let seconds = flags.value("--seconds")?;
            let seconds = seconds
                .map(|s| {
                    s.parse()
                        .map_err(|_| format!("--seconds takes a whole number, got `{s}`"))
                })
                .transpose()?;
            let cmin = flags.switch("--cmin");
            let target = match flags.rest.first() {
                Some(arg) if !arg.starts_with('-') => Some(flags.rest.remove(0)),
                _ => None,
            };
            flags.finish()?;
            fuzz::run_fuzz(target, seconds, cmin)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    }
}

fn parse_port(text: String) -> Result<u16> {
    text.parse()
        .map_err(|_| format!("--port takes a number from 0 to 65535, got `{text}`"))
}

/// The options after the subcommand: switches and `--key value` / `--key=value`.
/// Whatever no one asked for is an error in [`Flags::finish`].
struct Flags {
    rest: Vec<String>,
}

impl Flags {
    fn new(args: &[String]) -> Self {
        Flags {
            rest: args.to_vec(),
        }
    }

    fn switch(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|arg| arg != name);
        self.rest.len() != before
    }

    fn value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        if let Some(i) = self.rest.iter().position(|arg| arg.starts_with(&prefix)) {
            let arg = self.rest.remove(i);
            return Ok(Some(arg[prefix.len()..].to_string()));
        }
        match self.rest.iter().position(|arg| arg == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.rest.len() => {
                let value = self.rest.remove(i + 1);
                self.rest.remove(i);
                Ok(Some(value))
            }
            Some(_) => Err(format!("{name} needs a value")),
        }
    }

    fn finish(self) -> Result {
        match self.rest.first() {
            None => Ok(()),
            Some(arg) => Err(format!(
                "unexpected argument `{arg}` (see `cargo xtask help`)"
            )),
        }
    }
}
