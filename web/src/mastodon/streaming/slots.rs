//! How many streams may be open at once, per client IP and in all. A
//! stream holds a connection, a file descriptor and a subscription to every
//! node event for as long as the client likes, and every event is rendered
//! for each stream that may see it: 1,000 anonymous listeners turned one
//! large post into 2.4 GB sent. Past a limit a new stream is a 429.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::error::ApiError;
use crate::StreamLimits;

/// The open streams, counted per IP and in all. Cloning the `Arc` is
/// shallow; a [`StreamSlot`] gives its place back when dropped.
#[derive(Debug)]
pub struct StreamSlots {
    limits: StreamLimits,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// One open stream's place; dropping it (the stream ended) frees it.
#[derive(Debug)]
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    ip: IpAddr,
}

impl StreamSlots {
    /// Slots within `limits` (0: no limit).
    pub fn new(limits: StreamLimits) -> Self {
        StreamSlots {
            limits,
            open: Mutex::new(Open::default()),
        }
    }

    /// Takes a slot for a stream from `ip`, or answers 429 when that IP
    /// or the node has as many streams open as allowed.
    pub fn open(self: &Arc<Self>, ip: IpAddr) -> Result<StreamSlot, ApiError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let from_ip = open.per_ip.get(&ip).copied().unwrap_or(0);
        let over = |limit: usize, count: usize| limit != 0 && count >= limit;
        // Every client of a reverse proxy has its address.
        let proxy = self.limits.proxies.contains(&ip);
        if !proxy && over(self.limits.per_ip, from_ip) {
            return Err(too_many(format!(
                "too many streams open from this address (at most {})",
                self.limits.per_ip
            )));
        }
        if over(self.limits.total, open.total) {
            return Err(too_many(format!(
                "too many streams open on this node (at most {})",
                self.limits.total
            )));
        }
        open.total += 1;
        *open.per_ip.entry(ip).or_insert(0) += 1;
        Ok(StreamSlot {
            slots: self.clone(),
            ip,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.per_ip.remove(&self.ip);
            }
        }
    }
}

fn too_many(message: String) -> ApiError {
    ApiError {
        message,
        ..ApiError::rate_limited(5)
    }
}
