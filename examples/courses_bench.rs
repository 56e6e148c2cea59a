//! Courses at scale. Prints its figures; asserts only that the answers are
//! right.
//!
//! ```text
//! cargo run --release --features bench-seed --example courses_bench -- \
//!     [--members 4000] [--attempts 3] [--concurrency 256] [--certificates 1000] \
//!     [--signatures 300] [--courses 10000] [--requests 1000] [--settle 5] \
//!     [--engine fjall|sled]
//! ```
//!
//! Grading: `--members` members (seeded with the benchmark-only bulk
//! writer) enrol in a course whose quiz has 20 auto-graded questions (five
//! each of single choice, multiple choice, short answer and numeric) and
//! at most `--attempts` attempts, then each submits `--attempts` times
//! (`Node::submit_assessment`: the attempt started, its limit checked,
//! the answers graded and the attempt stored in one durable write),
//! `--concurrency` tasks at once. Target: ≥ 10,000 submissions/s. Each
//! submission waits for its write's fsync (group commit: one fsync for
//! every write waiting), about 10 ms on the development VM, so 10,000 a
//! second needs at least 100 in flight (Little's law): hence 256. Then
//! every member tries once more, all at once, and every try must be
//! refused (409 `attempts`); and a timed quiz is taken the two-step way
//! (`start_attempt`, then `submit_attempt`).
//!
//! Certificates: `--certificates` members complete a one-lesson course
//! that grants a certificate (`mark_lesson_done`: the completion and its
//! signed `OpenBadgeCredential` in one write); then, on one thread,
//! `--signatures` times each: signing a credential (both proofs, as the
//! node issues them), checking its `eddsa-rdfc-2022` proof, its
//! `eddsa-jcs-2022` proof, and the whole check (`verify_credential`).
//!
//! Catalogue: `--courses` published courses (bulk writer: three levels,
//! twelve categories, titles and descriptions from a small vocabulary),
//! then `--requests` catalogue queries of each kind, one at a time after
//! 50 of warm-up, through the node and over HTTP on loopback
//! (`GET /api/kodeon/v1/courses`). Target: p99 ≤ 10 ms.

use std::sync::Arc;
use std::time::{Duration, Instant};

use node::courses::{
    Answer, AssessmentInput, Course, CourseLevel, CourseQuery, CourseStatus, EnrolmentMode,
    LessonInput, NewCourse, QuestionInput,
};
use node::{Id, Node, NodeConfig, NodeError, StoreEngine, Viewer};
use serde_json::json;

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/serve.rs"]
mod serve;

struct Args {
    members: usize,
    attempts: u32,
    concurrency: usize,
    certificates: usize,
    signatures: usize,
    courses: usize,
    requests: usize,
    settle: u64,
    engine: StoreEngine,
}

fn args() -> Args {
    let mut a = Args {
        members: 4_000,
        attempts: 3,
        concurrency: 256,
        certificates: 1_000,
        signatures: 300,
        courses: 10_000,
        requests: 1_000,
        settle: 5,
        engine: StoreEngine::default(),
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i + 1 < argv.len() {
        let value = &argv[i + 1];
        match argv[i].as_str() {
            "--members" => a.members = value.parse().unwrap_or(a.members),
            "--attempts" => a.attempts = value.parse().unwrap_or(a.attempts),
            "--concurrency" => a.concurrency = value.parse().unwrap_or(a.concurrency),
            "--certificates" => a.certificates = value.parse().unwrap_or(a.certificates),
            "--signatures" => a.signatures = value.parse().unwrap_or(a.signatures),
            "--courses" => a.courses = value.parse().unwrap_or(a.courses),
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
    a.members = a.members.max(1);
    a.attempts = a.attempts.max(1);
    a.concurrency = a.concurrency.max(1);
    a.certificates = a.certificates.clamp(1, a.members);
    a.signatures = a.signatures.max(1);
    a.courses = a.courses.max(1);
    a.requests = a.requests.max(1);
    a
}

/// A deterministic stream of numbers (splitmix64).
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

/// CPU time of this process since `before`, per item (ms).
fn cpu_per(before: Option<Duration>, items: usize) -> f64 {
    match (before, cpu::process_cpu()) {
        (Some(b), Some(a)) => (a - b).as_secs_f64() * 1000.0 / items.max(1) as f64,
        _ => f64::NAN,
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
        "storage engine: {}; {} cores; load {}",
        a.engine.name(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load()
    );

    let t = Instant::now();
    let ids = node.bench_seed_members("m", a.members + 1).await?;
    let teacher = node.verify_login("m0", "benchmark-password").await?;
    let teacher = Viewer::Member(Box::new(teacher));
    let mut learners = Vec::with_capacity(a.members);
    for id in &ids[1..] {
        let token = node.issue_token(*id, "bench").await?.token;
        learners.push(node.authenticate(&token)?.0);
    }
    println!(
        "seed: {} members in {:.1} s",
        a.members,
        t.elapsed().as_secs_f64()
    );

    grading(&a, &node, &teacher, &learners).await?;
    certificates(&a, &node, &teacher, &learners).await?;
    catalogue(&a, &node, ids[0]).await
}

/// A published course of one module with one lesson, taught by
/// `teacher`; its id and its module's id.
async fn course_with_lesson(
    node: &Node,
    teacher: &Viewer,
    title: &str,
    certificate: bool,
) -> anyhow::Result<(Id, Id, Id)> {
    let course = node
        .create_course(
            teacher,
            NewCourse {
                title: title.into(),
                description: Some("A course for the benchmark.".into()),
                status: Some("published".into()),
                level: Some("intermediate".into()),
                category: Some("bench".into()),
                certificate,
                ..NewCourse::default()
            },
        )
        .await?
        .course
        .id;
    let module = node.add_module(teacher, course, "Everything").await?.id;
    let lesson = node
        .add_lesson(
            teacher,
            module,
            LessonInput {
                title: "Read this".into(),
                body: "# Read this\n\nAll of it.".into(),
                minutes: 5,
            },
        )
        .await?
        .id;
    Ok((course, module, lesson))
}

/// Enrols every one of `members` in `course`, `concurrency` at once.
async fn enrol_all(
    node: &Arc<Node>,
    members: &[Viewer],
    course: Id,
    concurrency: usize,
) -> anyhow::Result<()> {
    let members = Arc::new(members.to_vec());
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (node, members) = (node.clone(), members.clone());
            tokio::spawn(async move {
                let mut i = w;
                while i < members.len() {
                    node.enrol_in_course(&members[i], course).await?;
                    i += concurrency;
                }
                Ok::<_, NodeError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// Twenty auto-graded questions, one point each: five single choice
/// (answer 2), five multiple choice (0 and 3), five short answers
/// ("Jakarta"), five numeric (2.5 ± 0.01).
fn quiz(title: &str, max_attempts: u32, time_limit_secs: Option<u32>) -> AssessmentInput {
    let question = |kind: &str, n: usize| QuestionInput {
        kind: kind.into(),
        prompt: format!("Question {n}: pick or write the right answer."),
        ..QuestionInput::default()
    };
    let choices: Vec<String> = ["alpha", "beta", "gamma", "delta"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    let questions = (0..20)
        .map(|n| match n % 4 {
            0 => QuestionInput {
                choices: choices.clone(),
                answer: Some(json!(2)),
                ..question("single", n)
            },
            1 => QuestionInput {
                choices: choices.clone(),
                answer: Some(json!([0, 3])),
                ..question("multiple", n)
            },
            2 => QuestionInput {
                answer: Some(json!("Jakarta")),
                accepted: vec!["DKI Jakarta".into()],
                ..question("short", n)
            },
            _ => QuestionInput {
                answer: Some(json!(2.5)),
                tolerance: Some(0.01),
                ..question("numeric", n)
            },
        })
        .collect();
    AssessmentInput {
        title: title.into(),
        passing_score: Some(70),
        max_attempts: Some(max_attempts),
        time_limit_secs,
        required: Some(true),
        questions,
        ..AssessmentInput::default()
    }
}

/// Answers to [`quiz`]: question `n` right unless `wrong_every` divides
/// `n + seed` (0: all right).
fn answers(seed: usize, wrong_every: usize) -> Vec<Option<Answer>> {
    (0..20)
        .map(|n| {
            let wrong = wrong_every > 0 && (n + seed).is_multiple_of(wrong_every);
            Some(match (n % 4, wrong) {
                (0, false) => Answer::Number(2.0),
                (0, true) => Answer::Number(1.0),
                (1, false) => Answer::Choices(vec![3, 0]),
                (1, true) => Answer::Choices(vec![0]),
                (2, false) => Answer::Text(" dki  JAKARTA ".into()),
                (2, true) => Answer::Text("Bandung".into()),
                (_, false) => Answer::Number(2.505),
                (_, true) => Answer::Number(3.0),
            })
        })
        .collect()
}

/// Submissions of the 20-question quiz, attempt limits under concurrency,
/// and the timed two-step path.
async fn grading(
    a: &Args,
    node: &Arc<Node>,
    teacher: &Viewer,
    learners: &[Viewer],
) -> anyhow::Result<()> {
    let (course, module, _) = course_with_lesson(node, teacher, "Quizzes", false).await?;
    let untimed = node
        .add_assessment(teacher, module, quiz("Quiz", a.attempts, None))
        .await?
        .id;
    let timed = node
        .add_assessment(teacher, module, quiz("Timed quiz", 1, Some(600)))
        .await?
        .id;
    let t = Instant::now();
    enrol_all(node, learners, course, a.concurrency).await?;
    println!(
        "enrolments: {} in {:.2} s",
        learners.len(),
        t.elapsed().as_secs_f64()
    );

    let learners = Arc::new(learners.to_vec());
    let attempts = a.attempts as usize;
    let concurrency = a.concurrency;
    let cpu_before = cpu::process_cpu();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (node, learners) = (node.clone(), learners.clone());
            tokio::spawn(async move {
                let (mut passed, mut failed) = (0usize, 0usize);
                for k in 0..attempts {
                    let mut i = w;
                    while i < learners.len() {
                        let outcome = node
                            .submit_assessment(&learners[i], untimed, answers(i + k, 3))
                            .await?;
                        match outcome.passed {
                            Some(true) => passed += 1,
                            Some(false) => failed += 1,
                            None => anyhow::bail!("attempt not graded at once"),
                        }
                        i += concurrency;
                    }
                }
                Ok::<_, anyhow::Error>((passed, failed))
            })
        })
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for task in tasks {
        let (p, f) = task.await??;
        passed += p;
        failed += f;
    }
    let elapsed = started.elapsed();
    let total = passed + failed;
    println!(
        "submissions (20 questions, started, graded and stored in one durable write), {concurrency} tasks: {total} in {:.2} s = {:.0}/s, CPU {:.3} ms each  [target >= 10,000/s]; {passed} passed, {failed} failed",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        cpu_per(cpu_before, total),
    );
    anyhow::ensure!(total == learners.len() * attempts, "{total} submissions");

    // One more each, all at once: every one is over the limit.
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (node, learners) = (node.clone(), learners.clone());
            tokio::spawn(async move {
                let mut refused = 0usize;
                let mut i = w;
                while i < learners.len() {
                    match node
                        .submit_assessment(&learners[i], untimed, answers(i, 0))
                        .await
                    {
                        Err(NodeError::Conflict { field, .. }) if field == "attempts" => {
                            refused += 1
                        }
                        other => anyhow::bail!("a submission over the limit: {other:?}"),
                    }
                    i += concurrency;
                }
                Ok::<_, anyhow::Error>(refused)
            })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        refused += task.await??;
    }
    println!(
        "over the limit of {attempts}: {refused} of {} refused (409 attempts) in {:.2} s",
        learners.len(),
        started.elapsed().as_secs_f64()
    );
    for (i, learner) in learners.iter().enumerate().step_by(97) {
        let mine = node.my_attempts(learner, untimed)?;
        anyhow::ensure!(
            mine.len() == attempts,
            "member {i}: {} attempts",
            mine.len()
        );
    }

    // The timed quiz: start, then submit (two durable writes).
    let cpu_before = cpu::process_cpu();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (node, learners) = (node.clone(), learners.clone());
            tokio::spawn(async move {
                let mut n = 0usize;
                let mut i = w;
                while i < learners.len() {
                    let attempt = node.start_attempt(&learners[i], timed).await?;
                    anyhow::ensure!(attempt.deadline.is_some(), "no deadline");
                    let outcome = node
                        .submit_attempt(&learners[i], attempt.attempt, answers(i, 4))
                        .await?;
                    anyhow::ensure!(outcome.score.is_some(), "not graded");
                    n += 1;
                    i += concurrency;
                }
                Ok::<_, anyhow::Error>(n)
            })
        })
        .collect();
    let mut timed_total = 0;
    for task in tasks {
        timed_total += task.await??;
    }
    let elapsed = started.elapsed();
    println!(
        "timed quiz, start then submit (two durable writes), {concurrency} tasks: {timed_total} in {:.2} s = {:.0} submissions/s, CPU {:.3} ms each",
        elapsed.as_secs_f64(),
        timed_total as f64 / elapsed.as_secs_f64(),
        cpu_per(cpu_before, timed_total),
    );
    Ok(())
}

/// Completions that issue certificates, then signing and verifying on one
/// thread.
async fn certificates(
    a: &Args,
    node: &Arc<Node>,
    teacher: &Viewer,
    learners: &[Viewer],
) -> anyhow::Result<()> {
    let (course, _, lesson) = course_with_lesson(node, teacher, "Certified", true).await?;
    let learners = Arc::new(learners[..a.certificates].to_vec());
    enrol_all(node, &learners, course, a.concurrency).await?;
    let concurrency = a.concurrency;
    let cpu_before = cpu::process_cpu();
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|w| {
            let (node, learners) = (node.clone(), learners.clone());
            tokio::spawn(async move {
                let mut i = w;
                while i < learners.len() {
                    let progress = node.mark_lesson_done(&learners[i], lesson).await?;
                    anyhow::ensure!(progress.percent == 100, "not complete");
                    i += concurrency;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed();
    println!(
        "completions issuing a signed certificate (one durable write each), {concurrency} tasks: {} in {:.2} s = {:.0}/s, CPU {:.2} ms each",
        learners.len(),
        elapsed.as_secs_f64(),
        learners.len() as f64 / elapsed.as_secs_f64(),
        cpu_per(cpu_before, learners.len()),
    );
    let mine = node.my_certificates(&learners[0])?;
    let certificate = mine
        .first()
        .ok_or_else(|| anyhow::anyhow!("no certificate issued"))?;
    let credential = certificate.credential.clone();
    anyhow::ensure!(
        node.check_certificate(certificate.id)?.1.valid(),
        "the node's own check fails"
    );

    // One thread: signing as the node does (both proofs).
    let key = identity::Ed25519Keypair::generate();
    let did = key.public().to_did_key();
    let n = a.signatures;
    let cpu_before = cpu::process_cpu();
    let started = Instant::now();
    let mut signed = credential.clone();
    for _ in 0..n {
        protocol::credentials::sign::<protocol::credentials::CredentialError>(
            &mut signed,
            &did,
            "2026-01-01T00:00:00Z",
            true,
            |m| Ok(key.sign(m)),
        )?;
    }
    let per = started.elapsed().as_secs_f64() / n as f64;
    println!(
        "signing a certificate (eddsa-rdfc-2022 and eddsa-jcs-2022), one thread: {:.2} ms each = {:.0}/s, CPU {:.2} ms each",
        per * 1000.0,
        1.0 / per,
        cpu_per(cpu_before, n),
    );

    // One thread: each proof of the certificate, then the whole check.
    let proofs = credential
        .get("proof")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    let issuer = protocol::credentials::verify::issuer_id(&credential)
        .ok_or_else(|| anyhow::anyhow!("no issuer"))?
        .to_string();
    let issuer_key = identity::PublicKey::from_did_key(&issuer)?;
    for proof in &proofs {
        let proof = proof
            .as_object()
            .ok_or_else(|| anyhow::anyhow!("a proof is not an object"))?;
        let suite = proof
            .get("cryptosuite")
            .and_then(|s| s.as_str())
            .unwrap_or("?")
            .to_string();
        let cpu_before = cpu::process_cpu();
        let started = Instant::now();
        for _ in 0..n {
            match suite.as_str() {
                protocol::credentials::rdfc::CRYPTOSUITE => {
                    protocol::credentials::rdfc::verify_proof(
                        &credential,
                        proof,
                        &issuer_key,
                        &protocol::credentials::contexts::Bundled,
                    )?
                }
                _ => {
                    protocol::data_integrity::verify_proof_object(&credential, proof, &issuer_key)?
                }
            }
        }
        let per = started.elapsed().as_secs_f64() / n as f64;
        println!(
            "verifying the {suite} proof, one thread: {:.3} ms each = {:.0}/s, CPU {:.3} ms each",
            per * 1000.0,
            1.0 / per,
            cpu_per(cpu_before, n),
        );
    }
    let now = jiff::Timestamp::now();
    let cpu_before = cpu::process_cpu();
    let started = Instant::now();
    for _ in 0..n {
        let report = protocol::credentials::verify::verify_credential(
            &credential,
            now,
            &protocol::credentials::contexts::Bundled,
        );
        anyhow::ensure!(report.valid(), "the certificate does not verify");
    }
    let per = started.elapsed().as_secs_f64() / n as f64;
    println!(
        "verifying a certificate (shape, both proofs, dates), one thread: {:.2} ms each = {:.0}/s, CPU {:.2} ms each",
        per * 1000.0,
        1.0 / per,
        cpu_per(cpu_before, n),
    );
    Ok(())
}

const WORDS: [&str; 24] = [
    "rust",
    "python",
    "gardening",
    "pottery",
    "welding",
    "finance",
    "history",
    "chemistry",
    "painting",
    "guitar",
    "statistics",
    "nutrition",
    "carpentry",
    "photography",
    "writing",
    "astronomy",
    "cooking",
    "databases",
    "networks",
    "spanish",
    "drawing",
    "yoga",
    "robotics",
    "economics",
];
const CATEGORIES: [&str; 12] = [
    "code", "craft", "music", "art", "science", "language", "health", "business", "home",
    "history", "maths", "sport",
];

/// `count` published courses titled and described from [`WORDS`], in one
/// of [`CATEGORIES`] (none for a tenth), of every level.
fn spread_courses(rng: &mut Rng, creator: Id, count: usize) -> Vec<Course> {
    (0..count)
        .map(|n| {
            let (w1, w2) = (WORDS[rng.below(WORDS.len())], WORDS[rng.below(WORDS.len())]);
            let description = format!(
                "A course about {w1} and {w2} for people who like to learn by doing. \
                 Each week brings a short reading, a worked example and a quiz; \
                 the last week is a small project of your own, reviewed by the instructors."
            );
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            Course {
                id: Id::from_bytes([0; 16]),
                title: format!("{w1} for everyone, part {n}"),
                description_html: format!("<p>{description}</p>"),
                description,
                level: CourseLevel::ALL[rng.below(3)],
                duration_minutes: Some(600),
                duration_text: None,
                category: (n % 10 != 0).then(|| CATEGORIES[rng.below(CATEGORIES.len())].into()),
                tags: vec![w1.into(), w2.into()],
                creator,
                instructors: vec![creator],
                group: None,
                prerequisites: Vec::new(),
                status: CourseStatus::Published,
                enrolment: EnrolmentMode::Open,
                enrolment_opens: None,
                enrolment_closes: None,
                capacity: None,
                price: None,
                certificate: true,
                modules: Vec::new(),
                created_at: now,
                updated_at: now,
            }
        })
        .collect()
}

/// A catalogue query timed: its label, `q`, level and category.
type QueryKind = (
    &'static str,
    Option<&'static str>,
    Option<CourseLevel>,
    Option<&'static str>,
);

/// Seeds `--courses` courses and times the catalogue's queries through the
/// node and over HTTP.
async fn catalogue(a: &Args, node: &Arc<Node>, creator: Id) -> anyhow::Result<()> {
    let mut rng = Rng(2026);
    let t = Instant::now();
    node.bench_seed_courses(spread_courses(&mut rng, creator, a.courses))
        .await?;
    println!(
        "seed: {} courses in {:.1} s",
        a.courses,
        t.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(a.settle)).await;

    let mut settings = web::WebSettings::default();
    settings.rate_limits.posts_per_minute_per_account = 0;
    let base = serve::serve_router(web::router(node.clone(), settings)).await?;
    let client = reqwest::Client::new();
    let kinds: [QueryKind; 7] = [
        ("no filter", None, None, None),
        ("level", None, Some(CourseLevel::Advanced), None),
        ("category", None, None, Some("music")),
        (
            "level and category",
            None,
            Some(CourseLevel::Beginner),
            Some("art"),
        ),
        ("q (a word of 1 in 12)", Some("pottery"), None, None),
        (
            "q and level (a word of 1 in 12, a level of 3)",
            Some("pottery"),
            Some(CourseLevel::Advanced),
            None,
        ),
        ("q (a word no course holds)", Some("knitting"), None, None),
    ];
    for (label, q, level, category) in kinds {
        let query = CourseQuery {
            q: q.map(str::to_string),
            level,
            category: category.map(str::to_string),
            limit: None,
        };
        let mut times = Vec::with_capacity(a.requests);
        let mut returned = 0usize;
        for i in 0..a.requests + 50 {
            let started = Instant::now();
            let page = node.courses(&query)?;
            let elapsed = started.elapsed();
            if i >= 50 {
                times.push(elapsed);
                returned += page.len();
            }
        }
        let n = times.len();
        let (p50, p99, max) = percentiles(times);
        println!(
            "catalogue {label}, node, 20 a page, {} courses: {n} queries, {:.1} courses a page: p50 {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms  [target p99 <= 10 ms]",
            a.courses,
            returned as f64 / n as f64,
        );

        let mut url = format!("{base}/api/kodeon/v1/courses?");
        if let Some(q) = q {
            url.push_str(&format!("q={q}&"));
        }
        if let Some(level) = level {
            url.push_str(&format!("level={}&", level.as_str()));
        }
        if let Some(category) = category {
            url.push_str(&format!("category={category}&"));
        }
        let mut times = Vec::with_capacity(a.requests);
        let mut cpu_before = None;
        let mut returned = 0usize;
        for i in 0..a.requests + 50 {
            if i == 50 {
                cpu_before = cpu::process_cpu();
            }
            let started = Instant::now();
            let r = client.get(&url).send().await?;
            anyhow::ensure!(r.status().is_success(), "{url}: {}", r.status());
            let body = r.bytes().await?;
            let elapsed = started.elapsed();
            if i >= 50 {
                times.push(elapsed);
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                returned += v.as_array().map_or(0, Vec::len);
            }
        }
        let n = times.len();
        let cpu = cpu_per(cpu_before, n);
        let (p50, p99, max) = percentiles(times);
        println!(
            "catalogue {label}, HTTP, 20 a page, {} courses: {n} requests, {:.1} courses a page: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms, CPU {cpu:.2} ms a request (server and client), load {}  [target p99 <= 10 ms]",
            a.courses,
            returned as f64 / n as f64,
            load(),
        );
        if label != "q (a word no course holds)" {
            anyhow::ensure!(returned > 0, "{label}: no courses returned");
        }
    }
    Ok(())
}
