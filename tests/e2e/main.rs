//! End-to-end tests: real Kodeon nodes on loopback ports, driven over HTTP.

mod harness;

mod accounts;
mod admin_panel;
mod backup;
mod bad_input;
mod cli;
mod course_federation;
mod discovery;
mod events;
mod fake_remote;
mod federation;
mod federation_security;
mod feeds;
mod gossip;
mod gossip_events;
mod gossip_records;
mod groups;
mod handles;
mod inbox_statuses;
mod ip_hosts;
mod lemmy_groups;
mod mastodon;
mod mastodon_groups;
mod members_app;
mod node_sign_in;
mod overload;
mod posts;
mod privacy;
mod public_pages;
mod remote_events;
mod remote_events_seats;
mod restart;
mod search;
mod social;
mod system;
