//! The binary frame decoder a page runs on a worker's bytes.
//! The body is `normscope::core::fuzzing::frame_bytes`, which tests/fuzz_corpus.rs replays.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| normscope::core::fuzzing::frame_bytes(data));
