//! The browser face, compiled only for wasm32: the `#[wasm_bindgen]` facade
//! ([`api`]) and the plotters-canvas charts ([`charts`]). Nothing here computes
//! statistics; it reads them from the core and draws them.

pub mod api;
pub mod charts;
pub mod i18n;

/// The threaded build's `initThreadPool(n)` (wasm-bindgen-rayon): the worker
/// that trains calls it once before its first step (www/worker.js); the pool's
/// threads are Web Workers sharing the module's memory.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;
