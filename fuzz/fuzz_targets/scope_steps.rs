//! A Scope built from a small config drawn from the bytes, stepped, and every export taken.
//! The body is `normscope::core::fuzzing::scope_steps`, which tests/fuzz_corpus.rs replays.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| normscope::core::fuzzing::scope_steps(data));
