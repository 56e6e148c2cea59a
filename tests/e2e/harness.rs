//! The shared test rig: real nodes on loopback ports with temporary data
//! dirs, driven over HTTP, and named seed members.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kodeon::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The password every seed member uses.
pub const PASSWORD: &str = "correct horse battery";

/// A node running in this process.
pub struct TestNode {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The data directory (kept across restarts).
    pub dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    config: Config,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    http: reqwest::Client,
}

/// A registered member.
#[derive(Clone, Debug)]
pub struct Member {
    pub username: String,
    pub id: String,
    pub token: String,
}

/// A response: status and JSON body (Null when empty or not JSON).
pub struct Res {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Res {
    /// Asserts the `{"error", "field"}` shape with this status and field.
    #[track_caller]
    pub fn assert_error(&self, status: u16, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert!(
            self.body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "no error message: {}",
            self.body
        );
        if let Some(f) = field {
            assert_eq!(self.body["field"], f, "body: {}", self.body);
        }
    }

    /// Ids of a page's items.
    pub fn ids(&self) -> Vec<String> {
        self.body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|i| i["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Test defaults: dev mode, open registration, no rate limits.
pub fn test_config() -> Config {
    let mut c = Config::default();
    c.server.dev = true;
    c.registration.mode = node::RegistrationMode::Open;
    c.rate_limits.register_per_hour_per_ip = 0;
    c.rate_limits.login_per_minute_per_ip = 0;
    c.rate_limits.posts_per_minute_per_account = 0;
    c.storage.cache_capacity_mb = 16;
    c.server.metrics_token = METRICS_TOKEN.into();
    c
}

/// The token test nodes take for `/metrics`.
pub const METRICS_TOKEN: &str = "test-metrics-token";

impl TestNode {
    /// The node's `/metrics` text, scraped with the metrics token.
    pub async fn metrics(&self) -> String {
        let r = self
            .http
            .get(format!("{}/metrics", self.base))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("metrics");
        assert_eq!(r.status(), StatusCode::OK, "metrics");
        r.text().await.expect("text")
    }
}

impl TestNode {
    /// Starts a node with the test defaults.
    pub async fn start() -> TestNode {
        Self::start_with(|_| {}).await
    }

    /// Starts a node after `tweak` adjusts the config.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestNode {
        let temp = tempfile::tempdir().expect("tempdir");
        let mut config = test_config();
        config.data_dir = temp.path().to_path_buf();
        tweak(&mut config);
        let mut node = Self::launch(config).await;
        node._temp = Some(temp);
        node
    }

    /// Starts a node that federates: its domain is `localhost:PORT` (a
    /// host name, as real servers have; `ip_hosts.rs` federates nodes
    /// known by `127.0.0.1:PORT`) and failed deliveries are retried after
    /// a fraction of a second.
    pub async fn start_federated() -> TestNode {
        Self::start_with(|c| {
            c.server.domain = "localhost:0".into();
            c.federation.retry_base_ms = 200;
        })
        .await
    }

    /// Starts a federating node with libp2p gossip on a loopback port,
    /// bootstrapping to `bootstrap` (full multiaddrs); sync runs every
    /// second and Kademlia is off, so only bootstrap peers are dialled (a
    /// line stays a line).
    pub async fn start_gossip(bootstrap: &[String]) -> TestNode {
        let bootstrap = bootstrap.to_vec();
        Self::start_with(move |c| {
            c.server.domain = "localhost:0".into();
            c.federation.retry_base_ms = 200;
            c.p2p.listen = vec!["/ip4/127.0.0.1/tcp/0".into()];
            c.p2p.bootstrap = bootstrap;
            c.p2p.sync_interval_secs = 1;
            c.p2p.kademlia = false;
        })
        .await
    }

    /// `GET /api/kodeon/v1/p2p`.
    pub async fn p2p(&self) -> Value {
        let r = self.get("/p2p", None).await;
        assert_eq!(r.status, StatusCode::OK, "p2p: {}", r.body);
        r.body
    }

    /// The node's first full p2p multiaddr (`.../p2p/PEER_ID`).
    pub async fn p2p_addr(&self) -> String {
        self.p2p().await["listen_addrs"][0]
            .as_str()
            .expect("listen addr")
            .to_string()
    }

    async fn launch(mut config: Config) -> TestNode {
        // A restarted node keeps its port: other nodes know it by its URLs.
        let port = config
            .server
            .domain
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .unwrap_or(0);
        kodeon::install_tls_provider();
        if std::env::var_os("KODEON_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(
                    "info,kodeon_federation=debug",
                ))
                .with_test_writer()
                .try_init();
        }
        let listener = bind_retrying(port).await;
        let addr = listener.local_addr().expect("addr");
        config.server.domain = if config.server.domain.starts_with("localhost:") {
            format!("localhost:{}", addr.port())
        } else {
            addr.to_string()
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(kodeon::run(config.clone(), listener, async {
            let _ = stopped.await;
        }));
        let node = TestNode {
            base: format!("http://{addr}"),
            dir: config.data_dir.clone(),
            _temp: None,
            config,
            stop: Some(stop),
            task: Some(task),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = node.http.get(format!("{}/healthz", node.base)).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "node did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        node
    }

    /// Signs `username` (password [`PASSWORD`]) in to the admin panel
    /// through its own login form, as a browser would; returns the value
    /// of the panel's session cookie (API tokens are no panel cookies).
    pub async fn panel_login(&self, username: &str) -> String {
        let client = browser();
        self.form_sign_in(
            &client,
            "/admin/login",
            "kodeon_form",
            "kodeon_admin",
            username,
        )
        .await
    }

    /// Signs `login` (password [`PASSWORD`]) in through the sign-in form
    /// at `path`, as a browser would: the form first (its pre-session
    /// cookie `form_cookie` and its token), then the fields. Returns the
    /// value of the `session_cookie` it sets.
    pub async fn form_sign_in(
        &self,
        client: &reqwest::Client,
        path: &str,
        form_cookie: &str,
        session_cookie: &str,
        login: &str,
    ) -> String {
        let form = client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("sign-in page");
        let pre = set_cookie(&form, form_cookie).expect("pre-session cookie");
        let token = csrf(&form.text().await.expect("html"));
        let r = client
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("{form_cookie}={pre}"))
            .form(&[
                ("csrf", token.as_str()),
                ("login", login),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {login} at {path}"
        );
        set_cookie(&r, session_cookie).expect("a session cookie")
    }

    /// The node's host (`localhost:PORT` or `127.0.0.1:PORT`).
    pub fn domain(&self) -> &str {
        &self.config.server.domain
    }

    /// Stops the node and waits until it has released its store.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("join").expect("node ran cleanly");
        }
    }

    /// Stops the node and starts a new one on the same data dir.
    pub async fn restart(mut self) -> TestNode {
        self.stop().await;
        let temp = self._temp.take();
        let mut node = Self::launch(self.config.clone()).await;
        node._temp = temp;
        node
    }

    async fn send(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> Res {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let r = req.send().await.expect("request");
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res {
            status,
            body,
            headers,
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with('/')
            && !path.starts_with("/api")
            && !path.starts_with("/healthz")
            && !path.starts_with("/metrics")
        {
            format!("{}/api/kodeon/v1{path}", self.base)
        } else {
            format!("{}{path}", self.base)
        }
    }

    /// GET (paths not starting with /api are under /api/kodeon/v1).
    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.http.get(self.url(path)), token).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.send(self.http.post(self.url(path)).json(&body), token)
            .await
    }

    /// POST a raw body with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Res {
        self.send(
            self.http
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body),
            token,
        )
        .await
    }

    /// PATCH a JSON body.
    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.send(self.http.patch(self.url(path)).json(&body), token)
            .await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Res {
        self.send(self.http.delete(self.url(path)), token).await
    }

    /// Logs in to the API as `login` (a username or an email).
    pub async fn login(&self, login: &str, password: &str) -> Res {
        self.post(
            "/auth/login",
            None,
            json!({"login": login, "password": password}),
        )
        .await
    }

    /// Registers `name` (email `name@example.test`, the shared password).
    pub async fn register(&self, name: &str) -> Member {
        let r = self
            .post("/auth/register", None, json!({"username": name, "email": format!("{name}@example.test"), "password": PASSWORD}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "register {name}: {}", r.body);
        Member {
            username: name.to_string(),
            id: r.body["member"]["id"].as_str().expect("id").to_string(),
            token: r.body["token"].as_str().expect("token").to_string(),
        }
    }

    /// Registers `admin` and gives it the admin role (with the CLI, as an
    /// operator would).
    pub async fn register_admin(&self) -> Member {
        let admin = self.register("admin").await;
        crate::accounts::admin(
            &self.dir,
            &["promote", "--username", "admin", "--role", "admin"],
        )
        .await;
        admin
    }

    /// Adds a domain block (`{"domain", "severity", ...}`) as `admin`.
    pub async fn block_domain(&self, admin: &Member, block: Value) {
        let r = self
            .post("/admin/domain-blocks", Some(&admin.token), block)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }

    /// Posts `content` as `m` with extra fields; returns the post id.
    pub async fn post_as(&self, m: &Member, content: &str, extra: Value) -> String {
        let mut body = json!({"content": content});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self.post("/posts", Some(&m.token), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "post: {}", r.body);
        r.body["id"].as_str().expect("id").to_string()
    }

    /// `a` follows `b`.
    pub async fn follow(&self, a: &Member, b: &Member) -> Res {
        self.post(
            &format!("/members/{}/follow", b.username),
            Some(&a.token),
            json!({}),
        )
        .await
    }
}

impl Drop for TestNode {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds 127.0.0.1:`port` (0: any), retrying briefly while a previous
/// listener on the same port lets go.
async fn bind_retrying(port: u16) -> tokio::net::TcpListener {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(l) => return l,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("bind 127.0.0.1:{port}: {e}"),
        }
    }
}

/// An HTTP client that follows no redirects, as a browser's form flows
/// are checked.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The value a response's `Set-Cookie` gives `name`.
pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// The first form token of a page.
pub fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a form token")
        .to_string()
}

/// Polls `check` until it returns `Some` (10 s at most): for what must
/// happen soon, instead of sleeping and hoping.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `follower` (a member of `from`) follows `followee` (a member of `to`)
/// by handle over ActivityPub, and waits until `to` counts one follower
/// more and `from` sees the follow accepted.
pub async fn follow_across(from: &TestNode, follower: &Member, to: &TestNode, followee: &Member) {
    let handle = format!("{}@{}", followee.username, to.domain());
    let path = format!("/members/{}", followee.username);
    let before = to.get(&path, None).await.body["followers_count"]
        .as_i64()
        .unwrap_or(0);
    let r = from
        .follow(
            follower,
            &Member {
                username: handle.clone(),
                ..followee.clone()
            },
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    eventually(&format!("{handle} has a remote follower"), || async {
        let r = to.get(&path, None).await;
        (r.body["followers_count"].as_i64() == Some(before + 1)).then_some(())
    })
    .await;
    eventually(&format!("the follow of {handle} is accepted"), || async {
        let r = from
            .get(&format!("/members/{handle}"), Some(&follower.token))
            .await;
        (r.body["relationship"]["following"] == true).then_some(())
    })
    .await;
}

/// Asserts that a command (a `kodeon` subcommand) succeeded, showing what
/// it wrote to stderr when it did not.
pub fn assert_ran(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
