//! Everything that runs only on the server: storage, services and request context.
//! Gated behind `ssr` in one place so none of it can reach the WASM build.

pub mod accounts;
pub mod activity;
pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod authoring;
pub mod clock;
pub mod contact;
pub mod ctx;
pub mod customers;
pub mod db;
pub mod events;
pub mod identity;
pub mod inbound;
pub mod kb;
pub mod kb_files;
pub mod kb_images;
pub mod macros;
pub mod mail;
pub mod outbound;
pub mod password;
pub mod privacy;
pub mod requests;
pub mod search;
pub mod seed;
pub mod sessions;
pub mod staff;
pub mod state;
pub mod throttle;
pub mod tickets;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod users;
pub mod workspace;
