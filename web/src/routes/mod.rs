//! Route tables, one module per area of the JSON API (docs/API.md).

pub mod attestations;
pub mod auth;
pub mod calendar;
pub mod certificates;
pub mod course_content;
pub mod courses;
pub mod discovery;
pub mod events;
pub mod federation_admin;
pub mod feeds;
pub mod gamification;
pub mod groups;
pub mod inbox;
pub mod insights;
pub mod learning_paths;
pub mod members;
pub mod notifications;
pub mod p2p;
pub mod posts;
pub mod ranking;
pub mod reports;
pub mod sign_in_tickets;
pub mod system;
#[cfg(test)]
mod test_api;
pub mod trust;
