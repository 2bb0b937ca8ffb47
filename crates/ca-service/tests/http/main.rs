//! HTTP integration tests against the real `certdesk-ca` binary on loopback, each with
//! its own SQLite data dir.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::field_reassign_with_default
)]

mod common;
mod pkix;

mod agreements;
mod applications;
mod at_rest;
mod audit;
mod auth;
mod clock;
mod close;
mod counter;
mod counter_documents;
mod counter_keyed;
mod counter_review;
mod documents;
mod download;
mod hostile;
mod invoices;
mod lifecycle;
mod lifecycle_certs;
mod making;
mod numbers;
mod operators;
mod payments;
mod production;
mod rejections;
mod review;
mod schemathesis;
mod squatting;
mod stock;
