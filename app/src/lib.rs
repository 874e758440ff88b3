//! The helpdesk application, compiled twice: into the axum server (`ssr`) and into the WASM
//! client that hydrates the server-rendered pages (`hydrate`).

pub mod api;
pub mod error;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod model;
pub mod template;
#[cfg(feature = "ssr")]
pub mod server;
mod ui;

pub use ui::{App, shell};
