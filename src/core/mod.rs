//! The numeric core: pure Rust, no browser crate. Builds and tests natively.
//!
//! Data flows one way: [`config::Config`] -> [`scope::Scope`] (dataset, network,
//! optimizer) -> [`stats::Stats`] -> the faces (the JS facade, the charts).

pub mod activation;
pub mod buffers;
pub mod collapse;
pub mod compare;
pub mod config;
pub mod data;
pub mod diagnosis;
pub mod error;
pub mod frame;
pub mod fuzzing;
pub mod heldout;
pub mod histogram;
pub mod history;
pub mod init;
pub mod linear;
pub mod loss;
pub mod matrix;
pub mod memory;
pub mod messages;
pub mod network;
pub mod norm;
pub mod optim;
pub mod profile;
pub mod scope;
pub mod snapshot;
pub mod stats;
pub mod theory;
pub mod timeline;
pub mod torch_script;
pub mod views;
