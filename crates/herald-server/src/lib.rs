//! Herald's application: the HTTP API and the delivery workers, built from a
//! [`Config`] by [`Application::build`].

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod keys;
pub mod metrics;
pub mod notify;
mod portal;
pub mod readiness;
pub mod recovery;
mod rejections;
pub mod retention;
pub mod schemas;
mod scope;
pub mod startup;
pub mod state;
pub mod worker;

pub use config::Config;
pub use startup::{open_store, Application, Seams};
