//! Serving a router on loopback and reading a store's size, shared by the
//! benchmarks (included with `#[path]`).

use std::path::Path;

/// Serves `router` on a free loopback port, as `kodeon::run` does (no
/// Nagle delay on small writes; client addresses for per-IP limits), and
/// returns its base URL.
#[allow(dead_code)]
pub async fn serve_router(router: axum::Router) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Ok(format!("http://{addr}"))
}

/// Bytes allocated on disk under `path` (blocks, as `du` counts them).
#[allow(dead_code)]
pub fn allocated(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_dir() {
        return Ok(meta.blocks() * 512);
    }
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        total += allocated(&entry?.path())?;
    }
    Ok(total)
}
