//! What image uploads allocate, measured by a counting global allocator
//! (its own test binary, so nothing else runs in it; the tests take turns).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use kodeon_node::members::NewMember;
use kodeon_node::{Node, NodeConfig, NodeError, Viewer};

#[allow(dead_code)]
#[path = "../src/media/test_images.rs"]
mod test_images;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = CURRENT.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only
// sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                grew(new_size - layout.size());
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests measure one process-wide peak: one at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MIB: usize = 1024 * 1024;

/// The most that was allocated at once while `f` ran, above what was
/// allocated when it started.
async fn peak_during<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    let start = CURRENT.load(Relaxed);
    PEAK.store(start, Relaxed);
    let out = f.await;
    (out, PEAK.load(Relaxed).saturating_sub(start))
}

async fn node_with_member() -> (Arc<Node>, Viewer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open");
    let m = node
        .register(NewMember {
            username: "alice".into(),
            email: "alice@k.test".into(),
            password: "password123".into(),
            ..NewMember::default()
        })
        .await
        .expect("register");
    (Arc::new(node), Viewer::Member(Box::new(m)), dir)
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// The report's 522 kB PNG (8192×8192, 16-bit RGBA) took 1.6 GB; it is
/// now refused from its header, having allocated next to nothing.
#[tokio::test]
async fn the_decompression_bomb_allocates_next_to_nothing() {
    let _turn = TURN.lock().await;
    let (node, alice, _dir) = node_with_member().await;
    let bomb = test_images::zero_rgba16_png(8192, 8192);
    let (result, peak) = peak_during(node.upload_media(&alice, bomb, None)).await;
    println!("bomb: refused={} peak={} KiB", result.is_err(), peak / 1024);
    assert!(
        matches!(&result, Err(NodeError::TooLarge { field, .. }) if field == "file"),
        "{:?}",
        result.map(|m| m.id)
    );
    assert!(peak < 4 * MIB, "{peak} bytes allocated");
}

/// A 16×16 PNG whose ICC profile inflates to 64 MiB: the profile is cut
/// off at about the file's size.
#[tokio::test]
async fn a_metadata_bomb_allocates_next_to_nothing() {
    let _turn = TURN.lock().await;
    let (node, alice, _dir) = node_with_member().await;
    let small = test_images::zero_rgba16_png(16, 16);
    let bomb = test_images::with_icc_profile_of_zeros(&small, 64 * MIB as u64);
    let limit = bomb.len() + 4 * MIB;
    let (result, peak) = peak_during(node.upload_media(&alice, bomb, None)).await;
    println!(
        "ICC bomb: accepted={} peak={} KiB",
        result.is_ok(),
        peak / 1024
    );
    assert!(peak < 2 * limit, "{peak} bytes allocated");
}

/// Each kind of image stays within the estimate its reservation is based
/// on (measured peak ≤ `Plan::memory`).
#[tokio::test]
async fn processing_stays_within_its_estimate() {
    let _turn = TURN.lock().await;
    let (node, alice, _dir) = node_with_member().await;
    let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(4000, 3000, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8])
    }));
    let smooth = DynamicImage::ImageRgb8(RgbImage::from_fn(4000, 3000, |x, y| {
        Rgb([(x / 16) as u8, (y / 12) as u8, 200])
    }));
    let noise = DynamicImage::ImageRgba8(RgbaImage::from_fn(1200, 900, |x, y| {
        let h = x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503);
        Rgba(h.to_le_bytes())
    }));
    let small = DynamicImage::ImageRgba8(RgbaImage::from_fn(800, 600, |x, y| {
        Rgba([(x % 256) as u8, (y % 256) as u8, 9, 255])
    }));
    let cases = [
        ("12 MP JPEG", encode(&photo, ImageFormat::Jpeg)),
        ("12 MP PNG", encode(&smooth, ImageFormat::Png)),
        ("noisy RGBA PNG", encode(&noise, ImageFormat::Png)),
        ("16-bit RGBA PNG", test_images::zero_rgba16_png(2000, 1500)),
        ("GIF", encode(&small, ImageFormat::Gif)),
        ("lossless WebP", encode(&small, ImageFormat::WebP)),
    ];
    for (what, bytes) in cases {
        let plan = kodeon_node::media::inspect(&bytes).expect(what);
        let started = std::time::Instant::now();
        let (result, peak) = peak_during(node.upload_media(&alice, bytes, None)).await;
        result.expect(what);
        println!(
            "{what}: {}×{} {:?}, estimate {} KiB, peak {} KiB, {} ms",
            plan.width,
            plan.height,
            plan.color,
            plan.memory / 1024,
            peak / 1024,
            started.elapsed().as_millis()
        );
        assert!(
            peak as u64 <= plan.memory,
            "{what}: peak {peak} > estimate {}",
            plan.memory
        );
    }
}

/// Eight uploads at once, each needing ~55 MiB: without the node's budget
/// all eight decoded together (~440 MiB); with it, what is decoded at once
/// stays within its 256 MiB.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_uploads_stay_within_the_node_budget() {
    let _turn = TURN.lock().await;
    let (node, alice, _dir) = node_with_member().await;
    let image = DynamicImage::ImageRgba8(RgbaImage::from_fn(4000, 3000, |x, y| {
        Rgba([(x % 256) as u8, (y % 256) as u8, 7, 255])
    }));
    let png = encode(&image, ImageFormat::Png);
    drop(image);
    let plan = kodeon_node::media::inspect(&png).expect("plan");
    assert!(plan.memory > 48 * MIB as u64);
    let uploads: Vec<Vec<u8>> = (0..8).map(|_| png.clone()).collect();
    let inputs: usize = uploads.iter().map(Vec::len).sum();
    let (results, peak) = peak_during(async {
        let tasks: Vec<_> = uploads
            .into_iter()
            .map(|bytes| {
                let (node, alice) = (node.clone(), alice.clone());
                tokio::spawn(async move { node.upload_media(&alice, bytes, None).await })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.expect("task"));
        }
        results
    })
    .await;
    println!(
        "8 concurrent uploads of {} KiB each: peak {} MiB (estimate {} MiB each)",
        png.len() / 1024,
        peak / MIB,
        plan.memory / MIB as u64
    );
    assert!(results.iter().all(Result::is_ok));
    let budget = kodeon_node::media::DECODE_BUDGET_BYTES as usize;
    assert!(
        peak <= budget + inputs,
        "peak {} MiB over the budget",
        peak / MIB
    );
}
