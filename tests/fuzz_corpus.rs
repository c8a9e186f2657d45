//! Replays the committed fuzz corpus on stable: every file in
//! `fuzz/corpus/<target>/` runs through the same function the cargo-fuzz
//! target runs (`normscope::core::fuzzing`), so every past finding, kept in
//! the corpus after its fix, is checked by a plain `cargo test`.

use std::fs;
use std::path::Path;

use normscope::core::frame::{Frame, FrameRequest};
use normscope::core::fuzzing::TARGETS;
use normscope::{Config, Scope};

fn fuzz_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz"))
}

#[test]
fn every_corpus_file_passes_its_target() {
    for (name, target) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        let mut files: Vec<_> = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} is empty", dir.display());
        for file in &files {
            let data = fs::read(file).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{} fails {name}", file.display());
        }
        eprintln!("{name}: {} inputs replayed", files.len());
    }
}

#[test]
fn every_target_has_a_cargo_fuzz_binary() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        let source = format!("fuzz_targets/{name}.rs");
        assert!(
            manifest.contains(&format!("path = \"{source}\"")),
            "{source} not in fuzz/Cargo.toml"
        );
        let text = fs::read_to_string(fuzz_dir().join(&source)).unwrap();
        assert!(
            text.contains(&format!("normscope::core::fuzzing::{name}(data)")),
            "{source}"
        );
    }
}

/// Found by `frame_bytes`: a decision grid whose resolution squared overflows
/// (2^32 squared wraps to 0 in release, matching an empty grid) was accepted,
/// or panicked with overflow checks on. Also a layer matrix with rows x cols
/// overflowing. Both must be refused with a message.
#[test]
fn a_frame_whose_sizes_overflow_is_refused() {
    let config: Config = "depth=2&width=4&batch=4".parse().unwrap();
    let mut scope = Scope::new(config).unwrap();
    let request = FrameRequest {
        layer: Some(1),
        decision: Some(8),
    };
    let frame = Frame::of(&mut scope, request);
    assert!(Frame::from_bytes(&frame.to_bytes()).is_ok());
    let huge = 1usize << (usize::BITS / 2);
    let mut grid = frame.clone();
    let decision = grid.decision.as_mut().unwrap();
    decision.grid.as_mut().unwrap().resolution = huge;
    decision.grid.as_mut().unwrap().probability.clear();
    let error = Frame::from_bytes(&grid.to_bytes()).unwrap_err().to_string();
    assert!(
        error.contains("decision regions have the wrong size"),
        "{error}"
    );
    let mut matrix = frame;
    let layer = matrix.matrix.as_mut().unwrap();
    (layer.rows, layer.cols) = (huge, huge);
    layer.values.clear();
    let error = Frame::from_bytes(&matrix.to_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("layer matrix has the wrong size"), "{error}");
}
