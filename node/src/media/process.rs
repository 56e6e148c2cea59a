//! Image checks and processing (CPU-bound: run it off the async runtime).

use std::io::{Cursor, Write};
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;

/// Largest accepted upload.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest accepted width or height.
const MAX_SIDE: u32 = 8192;
/// Previews fit in this box.
const PREVIEW_SIDE: u32 = 400;

/// What processing produced.
pub struct Processed {
    pub content_type: &'static str,
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
    pub preview_width: u32,
    pub preview_height: u32,
    pub size: u64,
    pub blurhash: String,
}

/// Checks, re-encodes and stores an upload as `dir/ID.ext` and `dir/ID_small.ext`.
pub fn process(bytes: &[u8], dir: &Path, id: Id) -> NodeResult<Processed> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(NodeError::too_large(
            "file",
            format!("at most {} MiB", MAX_UPLOAD_BYTES / 1024 / 1024),
        ));
    }
    let format = image::guess_format(bytes).map_err(|_| {
        NodeError::invalid("file", "is not a supported image (PNG, JPEG, WebP or GIF)")
    })?;
    // JPEG stays JPEG (photos); everything else is stored as PNG (GIFs lose animation).
    let (out_format, content_type, extension) = match format {
        ImageFormat::Jpeg => (ImageFormat::Jpeg, "image/jpeg", "jpg"),
        ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif => {
            (ImageFormat::Png, "image/png", "png")
        }
        _ => {
            return Err(NodeError::invalid(
                "file",
                "is not a supported image (PNG, JPEG, WebP or GIF)",
            ))
        }
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let image = reader
        .decode()
        .map_err(|e| NodeError::invalid("file", format!("cannot be decoded: {e}")))?;
    let (width, height) = (image.width(), image.height());
    let preview = image.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE);
    let tiny = image.thumbnail(32, 32).to_rgba8();
    let blurhash = blurhash::encode(4, 3, tiny.width(), tiny.height(), tiny.as_raw())
        .map_err(|e| NodeError::Internal(format!("blurhash: {e:?}")))?;
    std::fs::create_dir_all(dir).map_err(|e| NodeError::Internal(format!("media dir: {e}")))?;
    let original = encode(&image, out_format)?;
    let size = original.len() as u64;
    write_atomically(&dir.join(format!("{id}.{extension}")), &original)?;
    write_atomically(
        &dir.join(format!("{id}_small.{extension}")),
        &encode(&preview, out_format)?,
    )?;
    Ok(Processed {
        content_type,
        extension,
        width,
        height,
        preview_width: preview.width(),
        preview_height: preview.height(),
        size,
        blurhash,
    })
}

/// Encodes pixels only: no metadata survives.
fn encode(image: &DynamicImage, format: ImageFormat) -> NodeResult<Vec<u8>> {
    let image = if format == ImageFormat::Jpeg {
        DynamicImage::ImageRgb8(image.to_rgb8())
    } else {
        image.clone()
    };
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .map_err(|e| NodeError::Internal(format!("encoding: {e}")))?;
    Ok(out.into_inner())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> NodeResult<()> {
    let tmp = path.with_extension("tmp");
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| NodeError::Internal(format!("writing {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn exif_is_stripped_and_preview_made() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = jpeg_with_exif();
        assert!(input.windows(10).any(|w| w == b"GPS-SECRET"));
        let id = crate::id::IdGenerator::default().next();
        let p = process(&input, dir.path(), id).expect("process");
        assert_eq!(
            (p.width, p.height, p.content_type),
            (640, 480, "image/jpeg")
        );
        assert_eq!((p.preview_width, p.preview_height), (400, 300));
        assert!(!p.blurhash.is_empty());
        let stored = std::fs::read(dir.path().join(format!("{id}.jpg"))).expect("stored");
        assert!(
            !stored.windows(10).any(|w| w == b"GPS-SECRET"),
            "EXIF survived"
        );
        assert!(dir.path().join(format!("{id}_small.jpg")).exists());
    }

    #[test]
    fn non_images_and_oversized_uploads_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let id = crate::id::IdGenerator::default().next();
        assert!(
            matches!(process(b"<svg></svg>", dir.path(), id), Err(NodeError::Invalid { field, .. }) if field == "file")
        );
        let big = vec![0u8; MAX_UPLOAD_BYTES + 1];
        assert!(matches!(
            process(&big, dir.path(), id),
            Err(NodeError::TooLarge { .. })
        ));
    }
}
