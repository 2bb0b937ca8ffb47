//! Reference implementation of a CA's online business system (see issue 3).

pub mod audit;
pub mod channels;
pub mod clock;
pub mod domain;
pub mod error;
pub mod http;
pub mod invoice_pdf;
pub mod ocr;
pub mod pki;
pub mod providers;
pub mod sandbox_flow;
pub mod secrets;
pub mod server;
pub mod state;
pub mod store;
pub mod workflow;
