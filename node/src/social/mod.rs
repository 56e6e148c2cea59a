//! The social graph: follows (with requests for locked accounts), blocks, mutes.

mod block;
mod follow;
mod lists;
