//! Serving HTTP connections within limits, so that cheap connections
//! cannot cost the node its file descriptors.
//!
//! `axum::serve` accepts every connection and never times one out (it sets
//! no timer, so hyper's header-read timeout is off): ~20,000 idle
//! connections once exhausted the node's file descriptors, and `/healthz`
//! stopped answering. This loop serves each connection with hyper's HTTP/1
//! directly and:
//!
//! - gives a client [`ConnectionLimits::header_timeout`] to send a
//!   request's headers, from the moment it connects or its previous
//!   response ended, so a connection that sends nothing (idle keep-alive
//!   included) or dribbles its headers (slowloris) is closed;
//! - admits at most [`ConnectionLimits::max`] connections, and
//!   [`ConnectionLimits::per_ip`] from one address (but a reverse proxy's,
//!   [`ConnectionLimits::proxies`], which every client comes through);
//! - when all are taken, closes the oldest connection that has not sent a
//!   request yet to make room for the new one. A real client sends its
//!   request within a round trip of connecting, while an idle flood's
//!   connections wait: so idle connections, from however many addresses,
//!   only push each other out, and `/healthz` and everyone else still get
//!   in;
//! - keeps [`ConnectionLimits::reserved`] more slots for the operator, for
//!   when every ordinary slot is busy with a request or a stream (nothing
//!   to push out): a connection admitted on one may only ask for
//!   `/healthz`, `/metrics` or `/admin…` (anything else is a `503`), has
//!   [`RESERVED_HEADER_TIMEOUT`] to ask, is closed after one response, and
//!   each address may hold [`RESERVED_PER_IP`] of them. (A separate admin
//!   listener would also do, but needs a second port that operators and
//!   their proxies must know about; the reserve works with the one
//!   listener every install already has.)
//! - past all that sheds the connection at once (a `503` written without
//!   reading, then closed), so it holds a descriptor for microseconds.
//!
//! Streams (SSE, WebSocket) are ordinary connections here, and are counted
//! against their own, lower limits by `web`.
//!
//! [`raise_open_file_limit`] lifts the soft descriptor limit to the hard
//! one at start, and [`effective_max`] keeps the connection limit below it.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Notify};
use tower::ServiceExt as _;

/// Reserved slots one address may hold at once: enough for a health check
/// and an operator's browser, too few for one client to take the reserve.
pub const RESERVED_PER_IP: usize = 2;

/// Time a connection on a reserved slot has to send its request: health
/// checkers and browsers send theirs at once.
pub const RESERVED_HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// How long connections may finish their responses after shutdown begins;
/// then they are closed (a stream would otherwise keep the node running).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Descriptors kept free for everything but incoming connections: the
/// store's files, federation's outgoing connections, p2p peers, media.
const FD_HEADROOM: u64 = 512;

/// The largest request head (and read buffer) of a connection. hyper's
/// default is ~400 kB; nginx answers 400 past 32 kB of headers.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// What was written to a shed connection before closing it.
const SHED_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 5\r\ncontent-type: text/plain\r\ncontent-length: 18\r\n\r\nserver overloaded\n";

/// Connection limits (the binary maps `[server]` onto these). 0 disables
/// a count limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Open connections at most (see [`effective_max`]).
    pub max: usize,
    /// Open connections from one client IP at most.
    pub per_ip: usize,
    /// Extra slots for `/healthz`, `/metrics` and `/admin` when the others
    /// are full (one request each).
    pub reserved: usize,
    /// Time a client has to send a request's headers, counted from the
    /// connection or the end of its previous response.
    pub header_timeout: Duration,
    /// Addresses of reverse proxies in front of the node: every client
    /// comes through them, so they are not limited per IP (only in all).
    pub proxies: Vec<IpAddr>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max: 8192,
            per_ip: 256,
            reserved: 32,
            header_timeout: Duration::from_secs(15),
            proxies: local_proxies(),
        }
    }
}

/// The default proxy addresses: loopback, where a reverse proxy on the
/// same host connects from.
pub fn local_proxies() -> Vec<IpAddr> {
    vec![
        IpAddr::from([127, 0, 0, 1]),
        IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]),
    ]
}

/// Raises the soft limit on open files to the hard limit (Linux; elsewhere
/// nothing changes) and returns the soft limit now in force, if known.
/// Distributions start services with a soft limit of 1,024 and a hard one
/// of 500,000 or more.
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return None;
        }
        let target = if limit.rlim_max == libc::RLIM_INFINITY {
            1 << 20
        } else {
            limit.rlim_max
        };
        if limit.rlim_cur < target {
            let raised = libc::rlimit {
                rlim_cur: target,
                rlim_max: limit.rlim_max,
            };
            // SAFETY: setrlimit reads the struct we own.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                return Some(target);
            }
        }
        Some(limit.rlim_cur)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The limits to serve with: `max` (and `per_ip`) lowered so that `max +
/// reserved` connections leave [`FD_HEADROOM`] descriptors (or half of
/// them, when the limit is small) for everything else. 0 for `max` means
/// "as many as the descriptors allow".
pub fn effective_max(limits: ConnectionLimits, open_files: Option<u64>) -> ConnectionLimits {
    let Some(files) = open_files else {
        return limits;
    };
    let usable = files.saturating_sub(FD_HEADROOM).max(files / 2);
    let usable = usize::try_from(usable).unwrap_or(usize::MAX);
    let fits = usable.saturating_sub(limits.reserved).max(1);
    let max = if limits.max == 0 {
        fits
    } else {
        limits.max.min(fits)
    };
    ConnectionLimits {
        max,
        per_ip: if limits.per_ip == 0 {
            0
        } else {
            limits.per_ip.min(max)
        },
        ..limits
    }
}

/// Which slot a connection holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Ordinary,
    Reserved,
}

/// The connection counts, per kind of slot and per address, and the
/// connections on ordinary slots that have not sent a request yet (by
/// admission order, oldest first), each with the signal that closes it.
#[derive(Debug, Default)]
struct Counts {
    ordinary: usize,
    reserved: usize,
    per_ip: HashMap<IpAddr, (usize, usize)>,
    waiting: BTreeMap<u64, Arc<Notify>>,
    admitted: u64,
}

/// Admits connections within the limits.
#[derive(Debug)]
struct Gate {
    limits: ConnectionLimits,
    counts: Mutex<Counts>,
}

/// A connection's slot, given back when dropped, that is when the socket
/// is closed (it lives in the socket's wrapper, which hyper hands on to
/// an upgraded WebSocket).
#[derive(Debug)]
struct Admission {
    gate: Arc<Gate>,
    ip: IpAddr,
    slot: Slot,
    /// Its place in [`Counts::waiting`].
    id: u64,
    /// Notified when it must make room, until its first request.
    evict: Option<Arc<Notify>>,
}

impl Gate {
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Admission> {
        let l = &self.limits;
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let (from_ip, reserved_by_ip) = counts.per_ip.get(&ip).copied().unwrap_or((0, 0));
        let under = |limit: usize, count: usize| limit == 0 || count < limit;
        let proxy = l.proxies.contains(&ip);
        let ip_may = proxy || under(l.per_ip, from_ip);
        let ordinary = if ip_may && under(l.max, counts.ordinary) {
            true
        } else if let Some((_, oldest)) = ip_may.then(|| counts.waiting.pop_first()).flatten() {
            // It gives its slot back when its task has closed it, a moment
            // from now: until then the count is one over.
            oldest.notify_one();
            true
        } else {
            false
        };
        let slot = if ordinary {
            counts.ordinary += 1;
            counts.per_ip.entry(ip).or_default().0 += 1;
            Slot::Ordinary
        } else if counts.reserved < l.reserved && (proxy || reserved_by_ip < RESERVED_PER_IP) {
            counts.reserved += 1;
            counts.per_ip.entry(ip).or_default().1 += 1;
            Slot::Reserved
        } else {
            return None;
        };
        counts.admitted += 1;
        let id = counts.admitted;
        let evict = (slot == Slot::Ordinary).then(|| Arc::new(Notify::new()));
        if let Some(evict) = &evict {
            counts.waiting.insert(id, evict.clone());
        }
        Some(Admission {
            gate: self.clone(),
            ip,
            slot,
            id,
            evict,
        })
    }

    /// Connection `id` sent a request: it is no longer pushed out.
    fn started(&self, id: u64) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.waiting.remove(&id);
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut counts = self.gate.counts.lock().unwrap_or_else(|e| e.into_inner());
        let Counts {
            ordinary,
            reserved,
            per_ip,
            waiting,
            ..
        } = &mut *counts;
        waiting.remove(&self.id);
        let (total, by_ip) = match self.slot {
            Slot::Ordinary => (ordinary, 0),
            Slot::Reserved => (reserved, 1),
        };
        *total = total.saturating_sub(1);
        if let Some(entry) = per_ip.get_mut(&self.ip) {
            let n = if by_ip == 0 {
                &mut entry.0
            } else {
                &mut entry.1
            };
            *n = n.saturating_sub(1);
            if *entry == (0, 0) {
                per_ip.remove(&self.ip);
            }
        }
    }
}

/// A socket with its slot: the slot is freed when the socket is dropped.
struct Admitted {
    stream: TcpStream,
    _admission: Admission,
}

impl AsyncRead for Admitted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Admitted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Whether a reserved slot may serve `path`.
fn reserved_path(path: &str) -> bool {
    path == "/healthz" || path == "/metrics" || path == "/admin" || path.starts_with("/admin/")
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes,
/// then lets open connections finish for a moment and closes them.
/// Handlers see the client's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let header_timeout = limits.header_timeout;
    let gate = Arc::new(Gate {
        limits,
        counts: Mutex::new(Counts::default()),
    });
    let (stop, stopping) = watch::channel(false);
    // Every connection task holds a sender; when all are gone, all ended.
    let (alive, mut all_ended) = mpsc::channel::<Infallible>(1);
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (EMFILE) or a connection reset
                    // before accept: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Some(admission) = gate.admit(addr.ip()) else {
            // Shed: answer without reading and close. The write cannot
            // block (a fresh socket's send buffer is empty).
            let _ = stream.try_write(SHED_RESPONSE);
            continue;
        };
        // Streaming events are small writes; without TCP_NODELAY Nagle's
        // algorithm holds some back ~40 ms waiting for an ACK.
        let _ = stream.set_nodelay(true);
        let reserved = admission.slot == Slot::Reserved;
        let (id, evict) = (admission.id, admission.evict.clone());
        let io = TokioIo::new(Admitted {
            stream,
            _admission: admission,
        });
        let service = TowerToHyperService::new(tower::service_fn({
            let (app, gate) = (app.clone(), gate.clone());
            move |req: Request<Incoming>| {
                gate.started(id);
                handle(app.clone(), addr, reserved, req)
            }
        }));
        let mut stopping = stopping.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(if reserved {
                    header_timeout.min(RESERVED_HEADER_TIMEOUT)
                } else {
                    header_timeout
                })
                .max_buf_size(MAX_HEAD_BYTES)
                .keep_alive(!reserved);
            let mut conn = pin!(builder.serve_connection(io, service).with_upgrades());
            let evicted = async {
                match &evict {
                    Some(evict) => evict.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = conn.as_mut() => {}
                // Dropping the connection closes its socket.
                _ = evicted => {}
                _ = async { stopping.wait_for(|s| *s).await.map(|_| ()) } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn.as_mut()).await;
                }
            }
            drop(alive);
        });
    }
    let _ = stop.send(true);
    drop(alive);
    let _ = all_ended.recv().await;
    Ok(())
}

/// One request: the router, with the client's address; on a reserved slot
/// only the operator's routes, and the connection closes after it.
async fn handle(
    app: Router,
    addr: SocketAddr,
    reserved: bool,
    mut req: Request<Incoming>,
) -> Result<Response<axum::body::Body>, Infallible> {
    if reserved && !reserved_path(req.uri().path()) {
        let mut res = Response::new(axum::body::Body::from("server overloaded\n"));
        *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return Ok(res);
    }
    req.extensions_mut().insert(ConnectInfo(addr));
    let mut res = app.oneshot(req.map(axum::body::Body::new)).await?;
    if reserved {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(max: usize, per_ip: usize, reserved: usize) -> Arc<Gate> {
        Arc::new(Gate {
            limits: ConnectionLimits {
                max,
                per_ip,
                reserved,
                proxies: vec![IpAddr::from([10, 0, 0, 9])],
                ..ConnectionLimits::default()
            },
            counts: Mutex::new(Counts::default()),
        })
    }

    /// Whether `a` was told to make room.
    fn told(a: &Admission) -> bool {
        let notify = a.evict.clone().expect("an ordinary slot");
        futures_util::FutureExt::now_or_never(notify.notified()).is_some()
    }

    #[test]
    fn the_gate_admits_pushes_out_the_idle_reserves_then_sheds() {
        let g = gate(3, 2, 3);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let a1 = g.admit(a).expect("a1");
        let a2 = g.admit(a).expect("a2");
        assert_eq!((a1.slot, a2.slot), (Slot::Ordinary, Slot::Ordinary));
        // a is at its per-IP limit: reserved slots, two, then shed.
        let a3 = g.admit(a).expect("a3");
        let a4 = g.admit(a).expect("a4");
        assert_eq!((a3.slot, a4.slot), (Slot::Reserved, Slot::Reserved));
        assert!(g.admit(a).is_none());
        // b takes the last ordinary slot; then, all being taken, the next
        // pushes out the oldest connection that has sent no request (a1).
        let b1 = g.admit(b).expect("b1");
        g.started(a2.id);
        g.started(b1.id);
        let b2 = g.admit(b).expect("b2");
        assert_eq!((b1.slot, b2.slot), (Slot::Ordinary, Slot::Ordinary));
        assert!(told(&a1) && !told(&a2) && !told(&b1));
        drop(a1);
        // Every ordinary slot is busy now (b2 is past its per-IP limit
        // too): the last reserved slot, then nothing.
        g.started(b2.id);
        let c = IpAddr::from([10, 0, 0, 3]);
        let c1 = g.admit(c).expect("c1");
        assert_eq!(c1.slot, Slot::Reserved);
        assert!(g.admit(c).is_none(), "everything is busy");
        // A closed connection frees its slot.
        drop(b1);
        assert_eq!(g.admit(c).map(|x| x.slot), Some(Slot::Ordinary));
        drop((a2, a3, a4, b2, c1));
        // A proxy is limited only in all: past the 3 slots, it pushes out
        // its own oldest idle connections.
        let proxy = IpAddr::from([10, 0, 0, 9]);
        let taken: Vec<_> = (0..5).filter_map(|_| g.admit(proxy)).collect();
        assert!(taken.iter().all(|x| x.slot == Slot::Ordinary));
        assert_eq!(taken.len(), 5);
        assert!(told(&taken[0]) && told(&taken[1]) && !told(&taken[2]));
        drop(taken);
        let counts = g.counts.lock().expect("lock");
        assert_eq!((counts.ordinary, counts.reserved), (0, 0));
        assert!(counts.per_ip.is_empty() && counts.waiting.is_empty());
    }

    #[test]
    fn limits_stay_under_the_descriptor_limit() {
        let d = ConnectionLimits::default();
        assert_eq!(effective_max(d.clone(), None), d);
        assert_eq!(effective_max(d.clone(), Some(1 << 20)).max, 8192);
        // 1,024 descriptors: half for connections, the reserve included.
        let small = effective_max(d.clone(), Some(1024));
        assert_eq!(small.max + small.reserved, 512);
        assert_eq!(small.per_ip, 256);
        let unlimited = ConnectionLimits { max: 0, ..d };
        assert_eq!(
            effective_max(unlimited, Some(65_536)).max,
            65_536 - 512 - 32
        );
    }

    #[test]
    fn the_reserve_serves_the_operator_routes_only() {
        assert!(reserved_path("/healthz") && reserved_path("/admin"));
        assert!(reserved_path("/admin/members/1") && reserved_path("/metrics"));
        assert!(!reserved_path("/administrator") && !reserved_path("/api/v1/timelines/public"));
    }
}
