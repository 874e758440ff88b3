//! Server functions, grouped by the area of the product that calls them. Each one authorizes,
//! calls a plain service function in `crate::server` and hands back its result.

pub mod account;
pub mod admin;
pub mod agent;
pub mod articles;
pub mod auth;
pub mod customers;
pub mod portal;
pub mod requests;
pub mod uploads;
