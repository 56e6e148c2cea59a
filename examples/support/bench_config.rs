//! The config of a node the federation and gossip benchmarks start
//! (included with `#[path]`).

/// The config of a benchmark node in `data_dir`, served in dev mode at
/// `localhost:{port}`: open registrations, no rate limits, warnings only.
pub fn bench_config(data_dir: std::path::PathBuf, port: u16) -> kodeon::Config {
    let mut config = kodeon::Config {
        data_dir,
        ..kodeon::Config::default()
    };
    config.server.dev = true;
    config.server.domain = format!("localhost:{port}");
    config.registration.mode = node::RegistrationMode::Open;
    config.rate_limits.register_per_hour_per_ip = 0;
    config.rate_limits.login_per_minute_per_ip = 0;
    config.rate_limits.posts_per_minute_per_account = 0;
    config.log.level = "warn".into();
    config
}
