//! The browser face, compiled only for wasm32: the `#[wasm_bindgen]` facade
//! ([`api`]) and the plotters-canvas charts ([`charts`]). Nothing here computes
//! statistics; it reads them from the core and draws them.

pub mod api;
pub mod charts;
