//! Image checks and processing (CPU-bound: run it off the async runtime).
//!
//! Memory is checked before anything big is allocated. [`inspect`] reads
//! only the header (dimensions and the colour type the decoder will produce)
//! and estimates what processing will hold at its peak ([`Plan::memory`]):
//! the decoded pixels (width × height × bytes per pixel of that colour type,
//! so a 16-bit RGBA image counts 8 bytes a pixel), the decoder's own working
//! memory, a conversion copy where one is needed, and the small rest. An
//! image whose estimate exceeds [`MAX_DECODE_MEMORY`] is refused without
//! being decoded: a 522 kB PNG declaring 8192×8192 16-bit RGBA (512 MiB of
//! pixels) took 1.6 GB before this check. [`process`] then decodes with the
//! decoder's own allocations capped, converts 16-bit images to 8 bits
//! (dropping the 16-bit buffer), and encodes the original and the preview
//! straight into their files, so no further full-size copy is made.
//!
//! The caller reserves [`Plan::memory`] from the node's
//! [`DecodeBudget`](super::budget::DecodeBudget) before calling [`process`].

use std::io::{BufWriter, Cursor, Write};
use std::path::Path;

use image::{ColorType, DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::error::{NodeError, NodeResult};

/// Largest accepted upload.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Most memory that processing one image may need, by [`Plan::memory`]'s
/// estimate: 128 MiB. A 12-megapixel phone photo (4000×3000 RGB, 36 MB of
/// pixels) needs about 46 MB as a baseline JPEG and 82 MB as a progressive
/// one; a 33-megapixel baseline JPEG (Mastodon's upper bound) about 110 MB.
/// An 8192×8192 16-bit RGBA PNG would need over 512 MiB and is refused.
pub const MAX_DECODE_MEMORY: u64 = 128 * MIB;
/// Largest accepted width or height.
const MAX_SIDE: u32 = 8192;
/// Previews fit in this box.
const PREVIEW_SIDE: u32 = 400;
const MIB: u64 = 1024 * 1024;
/// Room for what every image needs besides its pixels: decoder row buffers
/// and tables, the preview (at most 400×400, 4 bytes a pixel), the blurhash
/// thumbnail, encoder state and file buffers.
const SLACK: u64 = 4 * MIB;

/// What [`inspect`] learnt from an upload's header.
#[derive(Debug, Clone)]
pub struct Plan {
    format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The colour type the decoder produces.
    pub color: ColorType,
    /// Bytes of the decoded pixels.
    pub decoded_bytes: u64,
    /// Estimated peak memory of [`process`] for this image, in bytes.
    pub memory: u64,
}

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

fn unsupported() -> NodeError {
    NodeError::invalid("file", "is not a supported image (PNG, JPEG, WebP or GIF)")
}

fn undecodable(e: ImageError) -> NodeError {
    match e {
        ImageError::Limits(l) => NodeError::too_large("file", format!("image: {l}")),
        e => NodeError::invalid("file", format!("cannot be decoded: {e}")),
    }
}

/// Checks an upload from its header alone: type, size, dimensions and the
/// memory decoding it would take. Allocates at most about the size of
/// `bytes` (the JPEG decoder keeps a copy; a PNG's metadata chunks, an ICC
/// profile decompressed, count against the same limit).
pub fn inspect(bytes: &[u8]) -> NodeResult<Plan> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(NodeError::too_large(
            "file",
            format!("at most {} MiB", MAX_UPLOAD_BYTES as u64 / MIB),
        ));
    }
    let format = image::guess_format(bytes).map_err(|_| unsupported())?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(unsupported());
    }
    let input = bytes.len() as u64;
    let decoder = decoder(bytes, format, input + SLACK)?;
    let (width, height) = decoder.dimensions();
    let color = decoder.color_type();
    let decoded_bytes = decoder.total_bytes();
    drop(decoder);
    let pixels = u64::from(width) * u64::from(height);
    // The decoder's own working memory beside the output buffer: up to the
    // size of the file (a copy of it, or the chunks it reads whole), and:
    let scratch = input
        + match format {
            // every DCT coefficient if progressive;
            ImageFormat::Jpeg => jpeg_coefficient_bytes(bytes, pixels),
            // the first frame beside the canvas when their sizes differ;
            ImageFormat::Gif => pixels * 4,
            ImageFormat::WebP => webp_scratch(bytes, pixels),
            _ => 0,
        };
    // 16-bit images become 8-bit (half their size) before anything else;
    // JPEG's encoder takes only RGB or grey, so alpha means a copy.
    let conversion = if color.bytes_per_pixel() > color.channel_count() {
        decoded_bytes / 2
    } else if format == ImageFormat::Jpeg && color.has_alpha() {
        pixels * 3
    } else {
        0
    };
    let memory = decoded_bytes + scratch + conversion + SLACK;
    if memory > MAX_DECODE_MEMORY {
        return Err(NodeError::too_large(
            "file",
            format!(
                "a {width}×{height} {color:?} image needs about {} MiB to process; \
                 at most {} MiB (a JPEG photo of about 40 megapixels, 20 if progressive)",
                memory.div_ceil(MIB),
                MAX_DECODE_MEMORY / MIB
            ),
        ));
    }
    Ok(Plan {
        format,
        width,
        height,
        color,
        decoded_bytes,
        memory,
    })
}

/// A decoder that has read the header, with dimensions and the decoder's
/// own allocations limited.
fn decoder(
    bytes: &[u8],
    format: ImageFormat,
    max_alloc: u64,
) -> NodeResult<impl ImageDecoder + '_> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    reader.into_decoder().map_err(undecodable)
}

/// Working memory zune-jpeg needs for a progressive JPEG: every DCT
/// coefficient of every component (2 bytes each, at the component's sampled
/// size rounded up to whole MCUs). A baseline JPEG is decoded one row of
/// MCUs at a time: 0. When no frame header is found, the worst case is
/// assumed (four full-size components).
fn jpeg_coefficient_bytes(bytes: &[u8], pixels: u64) -> u64 {
    let worst = pixels * 4 * 2 + MIB;
    let mut i = 2;
    while let Some(&[0xFF, marker]) = bytes.get(i..i + 2) {
        match marker {
            // Fill bytes, and markers without a length.
            0xFF => i += 1,
            0x01 | 0xD0..=0xD8 => i += 2,
            // Start of scan or end of image before any frame header.
            0xD9 | 0xDA => return worst,
            _ => {
                let Some(len) = bytes.get(i + 2..i + 4) else {
                    return worst;
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                let Some(segment) = bytes.get(i + 4..i + 2 + len.max(2)) else {
                    return worst;
                };
                match marker {
                    // Progressive frames (Huffman and arithmetic).
                    0xC2 | 0xC6 | 0xCA | 0xCE => {
                        return progressive_coefficients(segment).unwrap_or(worst)
                    }
                    // Other frame headers (not DHT C4, JPG C8, DAC CC).
                    0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => return 0,
                    _ => i += 2 + len,
                }
            }
        }
    }
    worst
}

/// Coefficient bytes of a progressive frame header's components.
fn progressive_coefficients(sof: &[u8]) -> Option<u64> {
    let height = u64::from(u16::from_be_bytes([*sof.get(1)?, *sof.get(2)?]));
    let width = u64::from(u16::from_be_bytes([*sof.get(3)?, *sof.get(4)?]));
    let count = usize::from(*sof.get(5)?);
    let sampling: Vec<(u64, u64)> = (0..count)
        .map(|c| {
            let hv = *sof.get(7 + 3 * c)?;
            Some((u64::from(hv >> 4).max(1), u64::from(hv & 15).max(1)))
        })
        .collect::<Option<_>>()?;
    let h_max = sampling.iter().map(|s| s.0).max()?;
    let v_max = sampling.iter().map(|s| s.1).max()?;
    let (mcus_x, mcus_y) = (width.div_ceil(8 * h_max), height.div_ceil(8 * v_max));
    Some(
        sampling
            .iter()
            .map(|(h, v)| (mcus_x * 8 * h) * (mcus_y * 8 * v) * 2)
            .sum(),
    )
}

/// Working memory of image-webp: lossy frames are decoded to YUV planes
/// (1.5 bytes a pixel, padded to macroblocks); lossless ones to 4 bytes a
/// pixel; an extended file (alpha, animation) may hold a frame, its alpha
/// plane and the canvas at once.
fn webp_scratch(bytes: &[u8], pixels: u64) -> u64 {
    match bytes.get(12..16) {
        Some(b"VP8 ") => pixels * 2,
        Some(b"VP8L") => pixels * 5,
        _ => pixels * 16,
    }
}

/// Decodes, re-encodes and stores an upload as `dir/STEM.ext` and
/// `dir/STEM_small.ext`, within `plan.memory` (see the module doc).
pub fn process(bytes: &[u8], plan: &Plan, dir: &Path, stem: &str) -> NodeResult<Processed> {
    // JPEG stays JPEG (photos); everything else is stored as PNG (GIFs lose animation).
    let (out_format, content_type, extension) = match plan.format {
        ImageFormat::Jpeg => (ImageFormat::Jpeg, "image/jpeg", "jpg"),
        _ => (ImageFormat::Png, "image/png", "png"),
    };
    // The decoder's own allocations stay within what was reserved for them.
    let decoder = decoder(bytes, plan.format, plan.memory - plan.decoded_bytes)?;
    if decoder.total_bytes() != plan.decoded_bytes {
        return Err(NodeError::invalid("file", "changed while being read"));
    }
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    // Eight bits a channel are plenty for the web; the 16-bit buffer goes.
    image = match image {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_) => image,
        DynamicImage::ImageLuma16(_) => DynamicImage::ImageLuma8(image.to_luma8()),
        DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLumaA8(image.to_luma_alpha8()),
        DynamicImage::ImageRgb16(_) => DynamicImage::ImageRgb8(image.to_rgb8()),
        _ => DynamicImage::ImageRgba8(image.to_rgba8()),
    };
    let (width, height) = (image.width(), image.height());
    let preview = image.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE);
    // From the preview: the same picture at 32 px, without a second pass
    // over the full image.
    let tiny = preview.thumbnail(32, 32).to_rgba8();
    let blurhash = blurhash::encode(4, 3, tiny.width(), tiny.height(), tiny.as_raw())
        .map_err(|e| NodeError::Internal(format!("blurhash: {e:?}")))?;
    std::fs::create_dir_all(dir).map_err(|e| NodeError::Internal(format!("media dir: {e}")))?;
    let size = write_atomically(&dir.join(format!("{stem}.{extension}")), |w| {
        encode(&image, out_format, w)
    })?;
    drop(image);
    write_atomically(&dir.join(format!("{stem}_small.{extension}")), |w| {
        encode(&preview, out_format, w)
    })?;
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

/// Encodes pixels only: no metadata survives. JPEG's encoder writes as it
/// goes (and converts images with alpha to RGB itself); PNGs are streamed
/// through `png`'s stream writer, since its `write_image_data` (which
/// `image` uses) builds the whole compressed image in memory first.
fn encode(
    image: &DynamicImage,
    format: ImageFormat,
    out: &mut BufWriter<std::fs::File>,
) -> NodeResult<()> {
    let failed = |e: &dyn std::fmt::Display| NodeError::Internal(format!("encoding: {e}"));
    if format == ImageFormat::Jpeg {
        return image.write_to(out, format).map_err(|e| failed(&e));
    }
    let color = match image.color() {
        ColorType::L8 => png::ColorType::Grayscale,
        ColorType::La8 => png::ColorType::GrayscaleAlpha,
        ColorType::Rgb8 => png::ColorType::Rgb,
        ColorType::Rgba8 => png::ColorType::Rgba,
        other => return Err(failed(&format!("{other:?} is not stored"))),
    };
    let mut encoder = png::Encoder::new(out, image.width(), image.height());
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    let mut writer = encoder.write_header().map_err(|e| failed(&e))?;
    let mut stream = writer.stream_writer().map_err(|e| failed(&e))?;
    stream.write_all(image.as_bytes()).map_err(|e| failed(&e))?;
    stream.finish().map_err(|e| failed(&e))?;
    writer.finish().map_err(|e| failed(&e))
}

/// Writes a file through a temporary one, fsync and rename; returns its size.
fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<std::fs::File>) -> NodeResult<()>,
) -> NodeResult<u64> {
    let tmp = path.with_extension("tmp");
    let io_error =
        |e: std::io::Error| NodeError::Internal(format!("writing {}: {e}", path.display()));
    let result = (|| -> NodeResult<u64> {
        let mut out = BufWriter::new(std::fs::File::create(&tmp).map_err(io_error)?);
        fill(&mut out)?;
        out.flush().map_err(io_error)?;
        let file = out.into_inner().map_err(|e| io_error(e.into_error()))?;
        file.sync_all().map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        std::fs::rename(&tmp, path).map_err(io_error)?;
        Ok(size)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
