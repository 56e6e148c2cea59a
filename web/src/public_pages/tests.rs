//! The icon and robots.txt (router tests, no socket), and the generator
//! of `web/templates/favicon.ico`: the mark of `favicon.svg` drawn again
//! at 32×32 and compared pixel for pixel with the committed file
//! (`KODEON_WRITE_FAVICON=1 cargo test -p kodeon-web favicon` rewrites it).

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use node::{Node, NodeConfig};
use tower::ServiceExt;

use crate::{router, WebSettings};

fn app() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open");
    (router(Arc::new(node), WebSettings::default()), dir)
}

/// GET `uri`: status, headers, body.
async fn get(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header("accept", "text/html,*/*")
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let body = to_bytes(res.into_body(), 1 << 20).await.expect("body");
    (status, headers, body.to_vec())
}

/// The cache lifetime a response allows, in seconds.
fn max_age(headers: &axum::http::HeaderMap) -> u64 {
    headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("max-age=").nth(1))
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The "K" of `favicon.svg`, as a polygon in its 32×32 view box.
const K: [(f64, f64); 12] = [
    (9.0, 7.0),
    (13.5, 7.0),
    (13.5, 14.4),
    (20.2, 7.0),
    (25.6, 7.0),
    (17.7, 15.7),
    (26.0, 25.0),
    (20.5, 25.0),
    (14.7, 18.4),
    (13.5, 19.7),
    (13.5, 25.0),
    (9.0, 25.0),
];
/// The admin stylesheet's `--accent`.
const ACCENT: [u8; 3] = [0x4a, 0x3f, 0xc1];
/// The corner radius of the background square.
const RADIUS: f64 = 7.0;

/// The SVG path data of [`K`].
fn k_path() -> String {
    let mut d = String::new();
    for (i, (x, y)) in K.iter().enumerate() {
        d.push_str(if i == 0 { "M" } else { "L" });
        d.push_str(&format!("{x} {y}"));
    }
    d.push('Z');
    d
}

fn inside_k(x: f64, y: f64) -> bool {
    // Even-odd ray casting.
    let mut inside = false;
    let mut previous = K[K.len() - 1];
    for &(xi, yi) in &K {
        let (xj, yj) = previous;
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        previous = (xi, yi);
    }
    inside
}

fn inside_square(x: f64, y: f64) -> bool {
    let cx = x.clamp(RADIUS, 32.0 - RADIUS);
    let cy = y.clamp(RADIUS, 32.0 - RADIUS);
    (x - cx).powi(2) + (y - cy).powi(2) <= RADIUS * RADIUS
}

/// The mark at 32×32, RGBA, 4×4 samples per pixel.
fn draw_mark() -> Vec<u8> {
    let mut out = Vec::with_capacity(32 * 32 * 4);
    for py in 0..32 {
        for px in 0..32 {
            let (mut rgb, mut opaque) = ([0u32; 3], 0u32);
            for sy in 0..4 {
                for sx in 0..4 {
                    let x = f64::from(px) + (f64::from(sx) + 0.5) / 4.0;
                    let y = f64::from(py) + (f64::from(sy) + 0.5) / 4.0;
                    let colour = if inside_k(x, y) {
                        [255, 255, 255]
                    } else if inside_square(x, y) {
                        ACCENT
                    } else {
                        continue;
                    };
                    opaque += 1;
                    for c in 0..3 {
                        rgb[c] += u32::from(colour[c]);
                    }
                }
            }
            for c in rgb {
                out.push(c.checked_div(opaque).unwrap_or(0) as u8);
            }
            out.push((opaque * 255 / 16) as u8);
        }
    }
    out
}

/// A one-image ICO holding `png` (PNG-in-ICO, read by every browser).
fn ico_of(png: &[u8]) -> Vec<u8> {
    let mut ico = vec![0, 0, 1, 0, 1, 0];
    ico.extend_from_slice(&[32, 32, 0, 0, 1, 0, 32, 0]);
    ico.extend_from_slice(&(png.len() as u32).to_le_bytes());
    ico.extend_from_slice(&22u32.to_le_bytes());
    ico.extend_from_slice(png);
    ico
}

/// The pixels of the single 32×32 PNG inside an ICO file.
fn ico_pixels(ico: &[u8]) -> Vec<u8> {
    assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0], "an ICO with one image");
    assert_eq!((ico[6], ico[7]), (32, 32), "32×32");
    let size = u32::from_le_bytes([ico[14], ico[15], ico[16], ico[17]]) as usize;
    let offset = u32::from_le_bytes([ico[18], ico[19], ico[20], ico[21]]) as usize;
    let png = &ico[offset..offset + size];
    let image = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .expect("a PNG inside")
        .to_rgba8();
    assert_eq!(image.dimensions(), (32, 32));
    image.into_raw()
}

#[test]
fn favicon_ico_is_the_svg_mark() {
    let svg = include_str!("../../templates/favicon.svg");
    assert!(svg.contains(&format!("d=\"{}\"", k_path())), "{svg}");
    assert!(svg.contains("fill=\"#4a3fc1\""));
    let css = include_str!("../../templates/admin/admin.css");
    assert!(css.contains("--accent:#4a3fc1"), "the panel's colour");
    let pixels = draw_mark();
    if std::env::var_os("KODEON_WRITE_FAVICON").is_some() {
        let mut png = Vec::new();
        image::RgbaImage::from_raw(32, 32, pixels.clone())
            .expect("32x32")
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/favicon.ico");
        std::fs::write(path, ico_of(&png)).expect("write favicon.ico");
    }
    let committed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/favicon.ico"
    ))
    .expect("favicon.ico");
    assert_eq!(ico_pixels(&committed), pixels);
    // The middle of the stem is white, a corner transparent, the
    // background the accent colour.
    let at = |x: usize, y: usize| &pixels[(y * 32 + x) * 4..(y * 32 + x) * 4 + 4];
    assert_eq!(at(11, 16), [255, 255, 255, 255]);
    assert_eq!(at(0, 0)[3], 0);
    assert_eq!(at(4, 16), [0x4a, 0x3f, 0xc1, 255]);
}

#[tokio::test]
async fn the_icons_are_served_with_long_cache_headers() {
    let (app, _dir) = app();
    let (status, headers, body) = get(&app, "/favicon.ico").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/x-icon");
    assert!(max_age(&headers) >= 7 * 86_400, "{headers:?}");
    assert_eq!(ico_pixels(&body), draw_mark());

    let (status, headers, body) = get(&app, "/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(max_age(&headers) >= 7 * 86_400, "{headers:?}");
    assert!(String::from_utf8_lossy(&body).starts_with("<svg"));
}

#[tokio::test]
async fn public_pages_and_the_admin_panel_link_the_icon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Arc::new(Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open"));
    let app = router(node.clone(), WebSettings::default());
    let (status, _, setup) = get(&app, "/admin/setup").await;
    assert_eq!(status, StatusCode::OK);
    node.create_member(
        node::members::NewMember {
            username: "root".into(),
            email: "root@k.test".into(),
            password: "password123".into(),
            ..Default::default()
        },
        node::model::Role::Admin,
    )
    .await
    .expect("admin");
    let session = node
        .login_to_panel("root", "password123")
        .await
        .expect("panel login")
        .0
        .token;
    let dashboard = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/admin")
                .header(header::COOKIE, format!("kodeon_admin={session}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(dashboard.status(), StatusCode::OK);
    let dashboard = to_bytes(dashboard.into_body(), 1 << 20)
        .await
        .expect("body")
        .to_vec();
    let mut pages = vec![("/admin/setup", setup), ("/admin", dashboard)];
    for page in ["/", "/@root", "/admin/login"] {
        let (status, _, body) = get(&app, page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages.push((page, body));
    }
    for (page, body) in pages {
        let html = String::from_utf8_lossy(&body);
        assert!(
            html.contains(r#"<link rel="icon" href="/favicon.svg" type="image/svg+xml">"#),
            "{page}: {html}"
        );
        assert!(
            html.contains(r#"<link rel="icon" href="/favicon.ico" sizes="32x32">"#),
            "{page}"
        );
    }
}

#[tokio::test]
async fn robots_txt_keeps_crawlers_off_the_panel_oauth_and_the_apis() {
    let (app, _dir) = app();
    let (status, headers, body) = get(&app, "/robots.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/plain")));
    let text = String::from_utf8_lossy(&body);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for rule in [
        "User-agent: *",
        "Disallow: /admin",
        "Disallow: /oauth",
        "Disallow: /api/",
        "Allow: /",
    ] {
        assert!(lines.contains(&rule), "{rule}: {text}");
    }
    // Nothing keeps the public pages out.
    assert!(!lines.contains(&"Disallow: /"), "{text}");
}
