//! The ranking engine at scale. Prints its figures; asserts nothing.
//!
//! ```text
//! cargo run --release --features bench-seed --example ranking_bench -- \
//!     [--members 10000] [--follows 30] [--groups 50] [--events 2000] \
//!     [--courses 2000] [--posts 50000] [--likes 100000] [--requests 300] \
//!     [--engine fjall|sled]
//! ```
//!
//! Seeds a node with the benchmark-only bulk writers: `--members`
//! members (two skills and a town each), each following `--follows`
//! others at random and joining three of `--groups` groups, `--events`
//! upcoming events and `--courses` published courses tagged with the
//! same skills, `--posts` public posts over the last six days (one or two
//! of 200 tags, a third with one of 500 links) and `--likes` likes. Then
//! times `recommendations` of each kind for `--requests` random members
//! (20 items each; target p99 ≤ 20 ms) and the trends computation
//! (`compute_trends`, uncached).

use std::sync::Arc;
use std::time::{Duration, Instant};

use node::community_events::{
    CommunityEvent, EventFormat, EventStatus, EventType, Location, RegistrationMode,
};
use node::courses::{Course, CourseLevel, CourseStatus, EnrolmentMode};
use node::groups::NewGroup;
use node::ranking::RecommendationKind;
use node::{Id, Node, NodeConfig, StoreEngine, Viewer};

const SKILLS: [&str; 24] = [
    "rust",
    "python",
    "go",
    "java",
    "design",
    "data",
    "devops",
    "security",
    "ml",
    "web",
    "mobile",
    "cloud",
    "sql",
    "testing",
    "ux",
    "writing",
    "teaching",
    "music",
    "gardening",
    "cooking",
    "photography",
    "finance",
    "marketing",
    "robotics",
];
const TOWNS: [&str; 10] = [
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Yogyakarta",
    "Medan",
    "Semarang",
    "Makassar",
    "Denpasar",
    "Malang",
    "Bogor",
];
const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

struct Args {
    members: usize,
    follows: usize,
    groups: usize,
    events: usize,
    courses: usize,
    posts: usize,
    likes: usize,
    requests: usize,
    engine: StoreEngine,
}

fn args() -> Args {
    let mut a = Args {
        members: 10_000,
        follows: 30,
        groups: 50,
        events: 2_000,
        courses: 2_000,
        posts: 50_000,
        likes: 100_000,
        requests: 300,
        engine: StoreEngine::default(),
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        let n = value.parse::<usize>().ok();
        match argv[i].as_str() {
            "--members" => a.members = n.unwrap_or(a.members),
            "--follows" => a.follows = n.unwrap_or(a.follows),
            "--groups" => a.groups = n.unwrap_or(a.groups),
            "--events" => a.events = n.unwrap_or(a.events),
            "--courses" => a.courses = n.unwrap_or(a.courses),
            "--posts" => a.posts = n.unwrap_or(a.posts),
            "--likes" => a.likes = n.unwrap_or(a.likes),
            "--requests" => a.requests = n.unwrap_or(a.requests),
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
    a
}

/// splitmix64: a reproducible spread.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    fn skill(&mut self) -> String {
        SKILLS[self.below(SKILLS.len())].to_string()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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

fn event(rng: &mut Rng, n: usize, organiser: Id, group: Option<Id>) -> CommunityEvent {
    let now = now_ms();
    let start = now + HOUR + rng.below(90) as i64 * DAY;
    CommunityEvent {
        id: Id::from_bytes([0; 16]),
        title: format!("Meetup {n}"),
        description: "Talks and demos.".into(),
        description_html: "<p>Talks and demos.</p>".into(),
        kind: EventType::Meetup,
        start,
        end: start + 3 * HOUR,
        timezone: "UTC".into(),
        format: EventFormat::Offline,
        location: Some(Location {
            name: format!("Hall {n}"),
            locality: TOWNS[rng.below(TOWNS.len())].into(),
            country: "ID".into(),
            ..Location::default()
        }),
        online_url: None,
        stream_url: None,
        capacity: Some(50),
        registration: RegistrationMode::Open,
        registration_opens: None,
        registration_closes: None,
        status: EventStatus::Open,
        category: Some("tech".into()),
        tags: vec![rng.skill(), rng.skill()],
        organiser,
        group,
        speakers: Vec::new(),
        sponsors: Vec::new(),
        materials: Vec::new(),
        sequence: 0,
        reminders_sent: Vec::new(),
        remote: None,
        created_at: now,
        updated_at: now,
    }
}

fn course(rng: &mut Rng, n: usize, creator: Id, group: Option<Id>) -> Course {
    let now = now_ms();
    Course {
        id: Id::from_bytes([0; 16]),
        title: format!("Course {n}"),
        description: "Learn by doing.".into(),
        description_html: "<p>Learn by doing.</p>".into(),
        level: CourseLevel::ALL[rng.below(3)],
        duration_minutes: Some(600),
        duration_text: None,
        category: None,
        tags: vec![rng.skill(), rng.skill()],
        creator,
        instructors: vec![creator],
        group,
        prerequisites: Vec::new(),
        status: CourseStatus::Published,
        enrolment: EnrolmentMode::Open,
        enrolment_opens: None,
        enrolment_closes: None,
        capacity: None,
        price: None,
        certificate: false,
        modules: Vec::new(),
        created_at: now,
        updated_at: now,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kodeon::install_tls_provider();
    let a = args();
    let dir = tempfile::tempdir()?;
    let mut config = NodeConfig::new(dir.path(), "bench.test");
    config.engine = a.engine;
    let node = Arc::new(Node::open(config)?);
    println!(
        "storage engine: {}; load before: {}",
        a.engine.name(),
        load()
    );
    let mut rng = Rng(2026);

    let t = Instant::now();
    let members = node.bench_seed_members("m", a.members).await?;
    let profiles: Vec<(Id, Vec<String>, String)> = members
        .iter()
        .map(|id| {
            let skills = vec![rng.skill(), rng.skill()];
            (*id, skills, TOWNS[rng.below(TOWNS.len())].to_string())
        })
        .collect();
    node.bench_seed_profiles(&profiles).await?;
    let mut edges = Vec::with_capacity(a.members * a.follows);
    for m in &members {
        for _ in 0..a.follows {
            let other = members[rng.below(members.len())];
            if other != *m {
                edges.push((*m, other));
            }
        }
    }
    node.bench_seed_follows(&edges).await?;
    println!(
        "seeded {} members with skills and towns, {} follows in {:.1} s",
        members.len(),
        edges.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let owner = Viewer::Member(Box::new(
        node.find_member("m0")?
            .ok_or_else(|| anyhow::anyhow!("m0"))?,
    ));
    let mut groups = Vec::with_capacity(a.groups);
    for g in 0..a.groups {
        let made = node
            .create_group(
                &owner,
                NewGroup {
                    name: format!("group{g}"),
                    tags: vec![rng.skill()],
                    ..NewGroup::default()
                },
            )
            .await?;
        groups.push(made.id);
    }
    let mut joins = Vec::with_capacity(a.members * 3);
    if !groups.is_empty() {
        for m in &members {
            for _ in 0..3 {
                joins.push((*m, groups[rng.below(groups.len())]));
            }
        }
    }
    node.bench_seed_follows(&joins).await?;
    println!(
        "made {} groups, {} memberships in {:.1} s",
        groups.len(),
        joins.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let pick_group = |rng: &mut Rng| {
        (!groups.is_empty() && rng.below(4) == 0).then(|| groups[rng.below(groups.len())])
    };
    let events: Vec<CommunityEvent> = (0..a.events)
        .map(|n| {
            let organiser = members[rng.below(members.len())];
            let group = pick_group(&mut rng);
            event(&mut rng, n, organiser, group)
        })
        .collect();
    node.bench_seed_events(events).await?;
    let courses: Vec<Course> = (0..a.courses)
        .map(|n| {
            let creator = members[rng.below(members.len())];
            let group = pick_group(&mut rng);
            course(&mut rng, n, creator, group)
        })
        .collect();
    node.bench_seed_courses(courses).await?;
    println!(
        "seeded {} events, {} courses in {:.1} s",
        a.events,
        a.courses,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let now = now_ms();
    let posts: Vec<node::ranking::SeedPost> = (0..a.posts)
        .map(|n| {
            let author = members[rng.below(members.len())];
            let created = now - rng.below(6 * 24) as i64 * HOUR;
            let mut tags = vec![format!("tag{}", rng.below(200))];
            if n % 2 == 0 {
                tags.push(format!("tag{}", rng.below(200)));
            }
            let link = if n % 3 == 0 {
                format!(
                    " <a href=\"https://news.example/{}\">read</a>",
                    rng.below(500)
                )
            } else {
                String::new()
            };
            (author, created, tags, format!("<p>Post {n}{link}</p>"))
        })
        .collect();
    let post_ids = node.bench_seed_shared_posts(posts).await?;
    let likes: Vec<(Id, Id)> = (0..a.likes)
        .map(|_| {
            (
                members[rng.below(members.len())],
                post_ids[rng.below(post_ids.len())],
            )
        })
        .collect();
    node.bench_seed_likes(&likes).await?;
    println!(
        "seeded {} posts, {} likes in {:.1} s",
        post_ids.len(),
        likes.len(),
        t.elapsed().as_secs_f64()
    );

    println!("load before timing: {}", load());
    for kind in [
        RecommendationKind::People,
        RecommendationKind::Groups,
        RecommendationKind::Events,
        RecommendationKind::Courses,
    ] {
        let mut times = Vec::with_capacity(a.requests);
        let mut items = 0usize;
        for i in 0..a.requests + 20 {
            let who = format!("m{}", rng.below(members.len()));
            let viewer = Viewer::Member(Box::new(
                node.find_member(&who)?
                    .ok_or_else(|| anyhow::anyhow!("member {who}"))?,
            ));
            let t = Instant::now();
            let recs = node.recommendations(&viewer, kind, 20)?;
            let took = t.elapsed();
            if i >= 20 {
                times.push(took);
                items += recs.len();
            }
        }
        let (p50, p99, max) = percentiles(times);
        println!(
            "recommendations {kind:?}: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms ({:.1} items each, {} requests)",
            items as f64 / a.requests.max(1) as f64,
            a.requests
        );
    }

    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let trends = node.compute_trends(now_ms())?;
        runs.push(t.elapsed());
        last = Some(trends);
    }
    let (p50, _, max) = percentiles(runs);
    if let Some(t) = last {
        println!(
            "trends: {} posts read, {} tags, {} links, {} posts trending; median {p50:.0} ms, slowest {max:.0} ms of 3",
            t.scanned_posts,
            t.tags.len(),
            t.links.len(),
            t.posts.len()
        );
        if let Some(top) = t.tags.first() {
            println!("top tag #{}: {}", top.name, top.explanation.words);
        }
    }
    println!("load after: {}", load());
    Ok(())
}
