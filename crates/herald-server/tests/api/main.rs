//! Behaviour tests over real HTTP: the application on port 0 with a real
//! SQLite file, and a real receiver.

#![allow(clippy::unwrap_used)]

mod helpers;

/// Registers each listed test twice: `sqlite::name` and `postgres::name`,
/// so one suite checks both stores.
#[macro_export]
macro_rules! both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::helpers::BACKEND.scope($crate::helpers::Backend::Sqlite, super::$name()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::helpers::on_postgres(super::$name()).await
                }
            )*
        }
    };
}

mod api_errors;
mod batch;
mod catalog;
mod dead_letters;
mod delivery;
mod delivery_auth;
mod destinations;
mod durability;
mod egress;
mod faults;
mod flow;
mod handover;
mod limits;
mod metrics;
mod openapi;
mod operations;
mod portal;
mod portal_browser;
mod portal_screens;
mod profiles;
mod publishing;
mod receiving;
mod reconcile;
mod recoveries;
mod retention;
mod retries;
mod rotation;
mod schema;
mod secrets;
mod stats;
mod tokens;
