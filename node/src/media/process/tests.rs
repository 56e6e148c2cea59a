use super::*;
use crate::media::test_images::{with_icc_profile_of_zeros, zero_rgba16_png};
use image::{Rgb, RgbImage};

fn jpeg_with_exif() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(640, 480, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    }));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).expect("encode");
    let jpeg = out.into_inner();
    // Splice an APP1 "Exif" segment with a fake GPS marker after SOI.
    let payload = b"Exif\0\0GPS-SECRET-LOCATION";
    let len = (payload.len() + 2) as u16;
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
    with_exif.extend_from_slice(&len.to_be_bytes());
    with_exif.extend_from_slice(payload);
    with_exif.extend_from_slice(&jpeg[2..]);
    with_exif
}

fn check_and_process(bytes: &[u8], dir: &Path, stem: &str) -> NodeResult<Processed> {
    process(bytes, &inspect(bytes)?, dir, stem)
}

#[test]
fn exif_is_stripped_and_preview_made() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = jpeg_with_exif();
    assert!(input.windows(10).any(|w| w == b"GPS-SECRET"));
    let p = check_and_process(&input, dir.path(), "x").expect("process");
    assert_eq!(
        (p.width, p.height, p.content_type),
        (640, 480, "image/jpeg")
    );
    assert_eq!((p.preview_width, p.preview_height), (400, 300));
    assert!(!p.blurhash.is_empty());
    let stored = std::fs::read(dir.path().join("x.jpg")).expect("stored");
    assert_eq!(p.size, stored.len() as u64);
    assert!(
        !stored.windows(10).any(|w| w == b"GPS-SECRET"),
        "EXIF survived"
    );
    assert!(dir.path().join("x_small.jpg").exists());
    assert!(!dir.path().join("x.tmp").exists());
}

#[test]
fn non_images_and_oversized_uploads_are_refused() {
    assert!(
        matches!(inspect(b"<svg></svg>"), Err(NodeError::Invalid { field, .. }) if field == "file")
    );
    let big = vec![0u8; MAX_UPLOAD_BYTES + 1];
    assert!(matches!(inspect(&big), Err(NodeError::TooLarge { .. })));
}

/// The report's file: 522 kB declaring 8192×8192 16-bit RGBA. Its pixels
/// are within 8192 a side, so the old check let it through to a 512 MiB
/// decode (1.6 GB at the peak); now the header's colour type counts.
/// (`node/tests/media_memory.rs` measures that nothing big is allocated.)
#[test]
fn the_decompression_bomb_is_refused_from_its_header() {
    let bomb = zero_rgba16_png(8192, 8192);
    assert!(bomb.len() < 600_000, "{} bytes", bomb.len());
    match inspect(&bomb) {
        Err(NodeError::TooLarge { field, message }) => {
            assert_eq!(field, "file");
            assert!(message.contains("8192×8192 Rgba16"), "{message}");
            assert!(message.contains("needs about 773 MiB"), "{message}");
        }
        other => panic!("accepted: {:?}", other.map(|p| p.memory)),
    }
    // The same kind of file, small, is a valid image (the bomb is real).
    let small = zero_rgba16_png(300, 200);
    let plan = inspect(&small).expect("small");
    assert_eq!(
        (plan.width, plan.height, plan.color),
        (300, 200, ColorType::Rgba16)
    );
    assert_eq!(plan.decoded_bytes, 300 * 200 * 8);
}

#[test]
fn sixteen_bit_images_are_stored_with_eight_bits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = check_and_process(&zero_rgba16_png(300, 200), dir.path(), "s").expect("process");
    assert_eq!((p.width, p.height, p.content_type), (300, 200, "image/png"));
    let stored = image::open(dir.path().join("s.png")).expect("stored");
    assert_eq!(stored.color(), ColorType::Rgba8);
    assert_eq!((stored.width(), stored.height()), (300, 200));
}

/// Memory is counted from the colour type, not the pixels alone: the same
/// 4096×4096 is accepted in 8-bit grey and refused in 8-bit RGBA.
#[test]
fn the_limit_is_on_bytes_not_pixels() {
    let encode = |image: DynamicImage| {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("encode");
        out.into_inner()
    };
    let grey = encode(DynamicImage::new_luma8(4096, 4096));
    let plan = inspect(&grey).expect("16 MiB of grey");
    assert_eq!(plan.decoded_bytes, 16 * MIB);
    assert_eq!(plan.memory, 16 * MIB + grey.len() as u64 + SLACK);
    let rgba = encode(DynamicImage::new_rgba8(6000, 6000));
    assert!(matches!(inspect(&rgba), Err(NodeError::TooLarge { .. })));
}

/// A phone photo, 4000×3000 RGB, fits: 36 MB of pixels plus a copy of the
/// file (baseline) and, if progressive, its coefficients.
#[test]
fn a_twelve_megapixel_photo_fits() {
    let photo = DynamicImage::ImageRgb8(RgbImage::from_fn(4000, 3000, |x, y| {
        Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
    }));
    let mut out = Cursor::new(Vec::new());
    photo.write_to(&mut out, ImageFormat::Jpeg).expect("encode");
    let jpeg = out.into_inner();
    let plan = inspect(&jpeg).expect("a phone photo");
    assert_eq!(plan.decoded_bytes, 36_000_000);
    assert_eq!(plan.memory, 36_000_000 + jpeg.len() as u64 + SLACK);
    // Had it been progressive (4:2:0), 36 MB of coefficients more: still in.
    let sof2 = [
        8, 0x0B, 0xB8, 0x0F, 0xA0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ];
    let coefficients = progressive_coefficients(&sof2).expect("frame header");
    assert_eq!(coefficients, 36_096_000);
    assert!(plan.memory + coefficients < MAX_DECODE_MEMORY);
    // The same frame header in a file: counted.
    let mut progressive = vec![0xFF, 0xD8, 0xFF, 0xC2, 0, 17];
    progressive.extend_from_slice(&sof2);
    assert_eq!(
        jpeg_coefficient_bytes(&progressive, 12_000_000),
        coefficients
    );
    assert_eq!(jpeg_coefficient_bytes(&jpeg, 12_000_000), 0, "baseline");
}

/// A metadata bomb: a small image whose ICC profile inflates to 64 MiB.
/// Headers are read with the decoder's allocations limited to about the
/// file's size, so the profile is cut off there (`png` then drops it and
/// reads the image; profiles are not kept anyway).
/// `node/tests/media_memory.rs` checks that the 64 MiB are never allocated.
#[test]
fn metadata_is_read_within_the_size_of_the_file() {
    let small = zero_rgba16_png(16, 16);
    let bomb = with_icc_profile_of_zeros(&small, 64 * MIB);
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let plan = inspect(&bomb).expect("the image without its profile");
    assert_eq!((plan.width, plan.height), (16, 16));
    let dir = tempfile::tempdir().expect("tempdir");
    let p = process(&bomb, &plan, dir.path(), "m").expect("process");
    assert_eq!((p.width, p.height), (16, 16));
}
