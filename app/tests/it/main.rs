//! The application's service tests on both backends, one module per area, linked into a
//! single binary (one link of the whole application instead of one per file).

mod attachments;
mod authoring;
mod categories;
mod data_model;
mod help_center;
mod imap;
mod insights;
mod inbound;
mod mail;
mod migrations;
mod outbound;
mod portal_activity;
mod workspace;
