//! The config parser and query normalization (strict and lenient).
//! The body is `normscope::core::fuzzing::config_query`, which tests/fuzz_corpus.rs replays.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| normscope::core::fuzzing::config_query(data));
