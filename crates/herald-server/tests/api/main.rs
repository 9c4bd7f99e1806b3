//! Behaviour tests over real HTTP: the application on port 0 with a real
//! SQLite file, and a real receiver.

#![allow(clippy::unwrap_used)]

mod helpers;

mod api_errors;
mod catalog;
mod delivery;
mod durability;
mod publishing;
mod retries;
