//! The server's integration tests, one module per area, linked into a single binary: each
//! test binary links the whole application, so one of them saves minutes and gigabytes.

mod support;

mod accounts;
mod api;
mod articles;
mod attachments;
mod auth;
mod cli;
mod http;
mod live;
mod portal;
mod privacy;
mod requests;
mod workspace;
