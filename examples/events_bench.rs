//! Events at scale. Prints its figures; asserts only that the answers are
//! right.
//!
//! ```text
//! cargo run --release --features bench-seed --example events_bench -- \
//!     [--members 10000] [--per-member 2] [--seat-events 100] [--capacity 120] \
//!     [--events 100000] [--concurrency 64] [--requests 1000] [--settle 10] \
//!     [--engine fjall|sled]
//! ```
//!
//! Registrations: seeds `--members` members with the benchmark-only bulk
//! writer, has the first make `--seat-events` open events of `--capacity`
//! seats each, then has every other member register for `--per-member`
//! of them over HTTP on loopback (`POST /api/kodeon/v1/events/{id}/register`,
//! `--concurrency` clients at once, keep-alive): each 200 is a durable
//! registration whose capacity, waitlist and overlap checks ran inside
//! its write. With the defaults each event gets about 200 registrations
//! for 120 seats, so both seats and waitlists fill. Target: ≥ 1,000
//! registrations/s. Then checks every event's counts.
//!
//! Queries: seeds `--events` events with the bulk writer, over the next
//! 180 days around 400 places spread over the inhabited latitudes (a
//! seventh online, a tenth hybrid), waits `--settle` seconds for the
//! store's background work on the bulk write (flushes, compactions) to
//! end, and times over HTTP, signed in, one request at a time after 50 of
//! warm-up: `near` a random one of those
//! places within 50 km (the default radius), the plain upcoming list,
//! `online=true`, and `near` within 1,000 km (too many cells: the
//! start-time scan). Target: `near` p99 ≤ 5 ms at 100,000 events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use node::community_events::{
    CommunityEvent, EventFormat, EventStatus, EventType, Location, NewEvent, RegistrationMode,
    TimeInput,
};
use node::{Id, Node, NodeConfig, StoreEngine, Viewer};

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/serve.rs"]
mod serve;

struct Args {
    members: usize,
    per_member: usize,
    seat_events: usize,
    capacity: i64,
    events: usize,
    concurrency: usize,
    requests: usize,
    settle: u64,
    engine: StoreEngine,
}

fn args() -> Args {
    let mut a = Args {
        members: 10_000,
        per_member: 2,
        seat_events: 100,
        capacity: 120,
        events: 100_000,
        concurrency: 64,
        requests: 1_000,
        settle: 10,
        engine: StoreEngine::default(),
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => a.members = value.parse().unwrap_or(a.members),
            "--per-member" => a.per_member = value.parse().unwrap_or(a.per_member),
            "--seat-events" => a.seat_events = value.parse().unwrap_or(a.seat_events),
            "--capacity" => a.capacity = value.parse().unwrap_or(a.capacity),
            "--events" => a.events = value.parse().unwrap_or(a.events),
            "--concurrency" => a.concurrency = value.parse().unwrap_or(a.concurrency),
            "--requests" => a.requests = value.parse().unwrap_or(a.requests),
            "--settle" => a.settle = value.parse().unwrap_or(a.settle),
            "--engine" => {
                a.engine = StoreEngine::ALL
                    .into_iter()
                    .find(|e| e.name() == value)
                    .unwrap_or_default()
            }
            other => eprintln!("ignoring {other}"),
        }
        i += 2;
    }
    a.members = a.members.max(2);
    a.seat_events = a.seat_events.max(1);
    a.per_member = a.per_member.clamp(1, a.seat_events);
    a
}

/// A deterministic stream of numbers in [0, 1) (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        ((self.next() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kodeon::install_tls_provider();
    let a = args();
    let dir = tempfile::tempdir()?;
    let mut config = NodeConfig::new(dir.path(), "bench.test");
    config.engine = a.engine;
    let node = Arc::new(Node::open(config)?);
    println!("storage engine: {}; load {}", a.engine.name(), load());

    let t = Instant::now();
    let ids = node.bench_seed_members("m", a.members).await?;
    let organiser = node.verify_login("m0", "benchmark-password").await?;
    let organiser = Viewer::Member(Box::new(organiser));
    let mut tokens = Vec::with_capacity(ids.len() - 1);
    for id in &ids[1..] {
        tokens.push(node.issue_token(*id, "bench").await?.token);
    }
    let first = now_ms() + 7 * DAY;
    let mut seat_events = Vec::with_capacity(a.seat_events);
    for n in 0..a.seat_events {
        let start = first + n as i64 * 3 * HOUR;
        let made = node
            .create_event(
                &organiser,
                NewEvent {
                    title: format!("Workshop {n}"),
                    start: Some(TimeInput::Ms(start)),
                    end: Some(TimeInput::Ms(start + 2 * HOUR)),
                    timezone: "Europe/Berlin".into(),
                    format: Some("online".into()),
                    online_url: Some("https://meet.example/bench".into()),
                    capacity: Some(a.capacity),
                    ..NewEvent::default()
                },
            )
            .await?;
        seat_events.push(made.event.id);
    }
    println!(
        "seed: {} members, {} tokens, {} events of {} seats in {:.1} s",
        a.members,
        tokens.len(),
        seat_events.len(),
        a.capacity,
        t.elapsed().as_secs_f64()
    );

    let mut settings = web::WebSettings::default();
    settings.rate_limits.posts_per_minute_per_account = 0;
    let base = serve::serve_router(web::router(node.clone(), settings)).await?;
    registrations(&a, &node, &organiser, &base, tokens, &seat_events).await?;
    queries(&a, &node, &base, &ids).await
}

/// Every member but the organiser registers for `--per-member` events
/// over HTTP; then every event's counts are checked.
async fn registrations(
    a: &Args,
    node: &Arc<Node>,
    organiser: &Viewer,
    base: &str,
    tokens: Vec<String>,
    events: &[Id],
) -> anyhow::Result<()> {
    // Member i registers for events i, i + step, i + 2·step... (mod the
    // number of events): spread evenly, never the same one twice.
    let step = (events.len() / a.per_member).max(1);
    let urls: Arc<Vec<String>> = Arc::new(
        events
            .iter()
            .map(|id| format!("{base}/api/kodeon/v1/events/{id}/register"))
            .collect(),
    );
    let tokens = Arc::new(tokens);
    let per_member = a.per_member;
    let started = Instant::now();
    let tasks: Vec<_> = (0..a.concurrency)
        .map(|w| {
            let (tokens, urls) = (tokens.clone(), urls.clone());
            let concurrency = a.concurrency;
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let (mut seated, mut waiting) = (0usize, 0usize);
                let mut i = w;
                while i < tokens.len() {
                    for k in 0..per_member {
                        let url = &urls[(i + k * step) % urls.len()];
                        let r = client.post(url).bearer_auth(&tokens[i]).send().await?;
                        anyhow::ensure!(r.status().is_success(), "register: {}", r.status());
                        let body: serde_json::Value = r.json().await?;
                        match body["state"].as_str() {
                            Some("registered") => seated += 1,
                            Some("waitlisted") => waiting += 1,
                            other => anyhow::bail!("register answered {other:?}"),
                        }
                    }
                    i += concurrency;
                }
                Ok::<_, anyhow::Error>((seated, waiting))
            })
        })
        .collect();
    let (mut seated, mut waiting) = (0, 0);
    for task in tasks {
        let (s, w) = task.await??;
        seated += s;
        waiting += w;
    }
    let elapsed = started.elapsed();
    let total = seated + waiting;
    println!(
        "registrations over HTTP, durable, {} clients: {total} in {:.2} s = {:.0}/s  [target >= 1,000/s]; {seated} seated, {waiting} waitlisted",
        a.concurrency,
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
    );

    // Each event: its seats full up to capacity, the rest waiting.
    let (mut counted_seats, mut counted_waiting) = (0, 0);
    for id in events {
        let view = node.event(organiser, *id)?;
        let asked = view.registered_count + view.waitlisted_count;
        anyhow::ensure!(
            view.registered_count == asked.min(a.capacity)
                && view.waitlisted_count == (asked - a.capacity).max(0),
            "event {id}: {} registered, {} waiting, capacity {}",
            view.registered_count,
            view.waitlisted_count,
            a.capacity
        );
        counted_seats += view.registered_count;
        counted_waiting += view.waitlisted_count;
    }
    anyhow::ensure!(
        counted_seats == seated as i64 && counted_waiting == waiting as i64,
        "the events count {counted_seats} seated and {counted_waiting} waiting"
    );
    Ok(())
}

/// About 400 places between 50° S and 65° N where events gather.
fn places(rng: &mut Rng) -> Vec<(f64, f64)> {
    (0..400)
        .map(|_| (-50.0 + rng.next() * 115.0, -180.0 + rng.next() * 360.0))
        .collect()
}

/// `count` open events over the next 180 days: most offline within about
/// 40 km of one of `places`, a seventh online, a tenth hybrid.
fn spread_events(
    rng: &mut Rng,
    places: &[(f64, f64)],
    organiser: Id,
    count: usize,
) -> Vec<CommunityEvent> {
    let now = now_ms();
    let description = "An evening of short talks and soldering: bring a project, \
        a laptop and questions. Beginners welcome; snacks provided. We finish with \
        a round of demos and a walk to the usual place nearby."
        .to_string();
    let html = format!("<p>{description}</p>");
    (0..count)
        .map(|n| {
            let start = now + HOUR + (rng.next() * 180.0 * DAY as f64) as i64;
            let format = match n % 70 {
                0..=9 => EventFormat::Online,
                10..=16 => EventFormat::Hybrid,
                _ => EventFormat::Offline,
            };
            let location = (format != EventFormat::Online).then(|| {
                let (lat, lon) = places[rng.below(places.len())];
                let lon = lon + (rng.next() - 0.5) * 0.8;
                Location {
                    name: format!("Hall {n}"),
                    locality: "Somewhere".into(),
                    country: "XX".into(),
                    lat: Some(lat + (rng.next() - 0.5) * 0.7),
                    lon: Some((lon + 180.0).rem_euclid(360.0) - 180.0),
                    ..Location::default()
                }
            });
            CommunityEvent {
                id: Id::from_bytes([0; 16]),
                title: format!("Meetup {n}"),
                description: description.clone(),
                description_html: html.clone(),
                kind: EventType::Meetup,
                start,
                end: start + 3 * HOUR,
                timezone: "UTC".into(),
                format,
                location,
                online_url: (format != EventFormat::Offline)
                    .then(|| format!("https://meet.example/{n}")),
                stream_url: None,
                capacity: Some(50),
                registration: RegistrationMode::Open,
                registration_opens: None,
                registration_closes: None,
                status: EventStatus::Open,
                category: Some("tech".into()),
                tags: vec!["bench".into()],
                organiser,
                group: None,
                speakers: Vec::new(),
                sponsors: Vec::new(),
                materials: Vec::new(),
                sequence: 0,
                reminders_sent: Vec::new(),
                remote: None,
                created_at: now,
                updated_at: now,
            }
        })
        .collect()
}

/// The machine's load averages (1, 5 and 15 minutes).
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// p50, p99 and the slowest of `times` (ms).
fn percentiles(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let at = |p: f64| {
        times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.99), at(1.0))
}

/// Seeds `--events` events and times the upcoming list over HTTP.
async fn queries(a: &Args, node: &Arc<Node>, base: &str, ids: &[Id]) -> anyhow::Result<()> {
    let mut rng = Rng(2026);
    let places = places(&mut rng);
    let t = Instant::now();
    let events = spread_events(&mut rng, &places, ids[0], a.events);
    node.bench_seed_events(events).await?;
    println!(
        "seed: {} events around {} places in {:.1} s",
        a.events,
        places.len(),
        t.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(a.settle)).await;
    let reader = node.issue_token(ids[ids.len() - 1], "bench").await?.token;
    let client = reqwest::Client::new();
    let api = format!("{base}/api/kodeon/v1/events");
    let kinds: [(&str, Option<f64>); 4] = [
        ("near, 50 km", Some(50.0)),
        ("upcoming", None),
        ("online=true", None),
        ("near, 1,000 km (start-time scan)", Some(1_000.0)),
    ];
    for (label, radius) in kinds {
        let mut times = Vec::with_capacity(a.requests);
        let mut cpu_before = None;
        let mut returned = 0usize;
        for i in 0..a.requests + 50 {
            let url = match (label, radius) {
                ("online=true", _) => format!("{api}?online=true"),
                (_, Some(r)) => {
                    let (lat, lon) = places[rng.below(places.len())];
                    format!("{api}?near={lat:.4},{lon:.4}&radius_km={r}")
                }
                _ => api.clone(),
            };
            if i == 50 {
                cpu_before = cpu::process_cpu();
            }
            let started = Instant::now();
            let r = client.get(&url).bearer_auth(&reader).send().await?;
            anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
            let body = r.bytes().await?;
            let elapsed = started.elapsed();
            if i >= 50 {
                times.push(elapsed);
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                returned += v["items"].as_array().map_or(0, Vec::len);
            }
        }
        let n = times.len();
        let cpu = match (cpu_before, cpu::process_cpu()) {
            (Some(before), Some(after)) => (after - before).as_secs_f64() * 1000.0 / n as f64,
            _ => f64::NAN,
        };
        let (p50, p99, max) = percentiles(times);
        println!(
            "events {label} over HTTP, 20 a page, {} events: {n} requests, {:.1} events a page on average: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, CPU {cpu:.2} ms a request (server and client), load {}  [target near p99 <= 5 ms]",
            a.events,
            returned as f64 / n as f64,
            load(),
        );
        anyhow::ensure!(returned > 0, "{label}: no events returned");
    }
    Ok(())
}
