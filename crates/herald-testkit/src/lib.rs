//! Test support shared by Herald's crates.
#![allow(clippy::unwrap_used)]

pub mod browser;
pub mod disk;
pub mod oauth;
pub mod receiver;

pub use receiver::{Received, Reply, TestReceiver};
pub mod proxy;
pub mod smtp;
pub mod streaming;
pub mod tls;

pub use browser::{Browser, Locator};
pub use disk::{PowerCutDisk, SmallDisk};
pub use oauth::TokenServer;
pub use proxy::{ConnectProxy, ProxyProtocol, TcpProxy};
pub use smtp::{Mail, TestSmtp};
pub use streaming::StreamingReceiver;
pub use tls::MtlsReceiver;
