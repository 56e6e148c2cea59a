//! Images made in code for tests (the unit tests and `node/tests/` share
//! this file).

/// A PNG declaring `width`×`height` 16-bit RGBA, every pixel zero: the
/// decompression bomb of the security report. Its zlib stream is one
/// literal and then matches of 258 bytes at distance 1 coded in 2 bits
/// each, so 8192×8192 (512 MiB of pixels) fits in 520 kB.
pub fn zero_rgba16_png(width: u32, height: u32) -> Vec<u8> {
    let raw = u64::from(height) * (1 + u64::from(width) * 8);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]); // 16 bits, RGBA, deflate, no filter/interlace
    chunk(&mut png, b"IHDR", &ihdr);
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(deflate_zeros(raw));
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    let adler = (((raw % 65521) as u32) << 16) | 1;
    zlib.extend_from_slice(&adler.to_be_bytes());
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// `png` with an ICC profile chunk that inflates to `n` zero bytes, put
/// right after the header chunk.
pub fn with_icc_profile_of_zeros(png: &[u8], n: u64) -> Vec<u8> {
    let mut iccp = b"x\0\0".to_vec(); // name, compression method 0
    iccp.extend_from_slice(&[0x78, 0x01]);
    iccp.extend(deflate_zeros(n));
    iccp.extend_from_slice(&((((n % 65521) as u32) << 16) | 1).to_be_bytes());
    let after_ihdr = 8 + 8 + 13 + 4;
    let mut out = png[..after_ihdr].to_vec();
    chunk(&mut out, b"iCCP", &iccp);
    out.extend_from_slice(&png[after_ihdr..]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Bits, least significant first (deflate's order).
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u64, count: u32) {
        self.acc |= value << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code, most significant bit first.
    fn code(&mut self, code: u64, len: u32) {
        for i in (0..len).rev() {
            self.put((code >> i) & 1, 1);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// One dynamic-Huffman deflate block of `n` zero bytes. Literal/length
/// codes: 285 (length 258) = `0`, literal 0 = `10`, end of block = `11`;
/// distance codes 0 (distance 1) = `0` and 1 = `1`.
fn deflate_zeros(n: u64) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(1, 1); // final block
    b.put(2, 2); // dynamic Huffman
    b.put(286 - 257, 5);
    b.put(2 - 1, 5);
    b.put(18 - 4, 4);
    // Code-length code: 18 = `0`, 1 = `10`, 2 = `11`.
    let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1];
    for symbol in order {
        let len = match symbol {
            18 => 1,
            1 | 2 => 2,
            _ => 0,
        };
        b.put(len, 3);
    }
    let zeros = |b: &mut Bits, run: u64| {
        b.code(0, 1);
        b.put(run - 11, 7);
    };
    b.code(0b11, 2); // literal 0: length 2
    zeros(&mut b, 138); // literals 1..=138
    zeros(&mut b, 117); // literals 139..=255
    b.code(0b11, 2); // end of block: length 2
    zeros(&mut b, 28); // lengths 257..=284
    b.code(0b10, 2); // length 258: length 1
    b.code(0b10, 2); // distance codes 0 and 1: length 1
    b.code(0b10, 2);
    b.code(0b10, 2); // the first zero, as a literal
    let mut left = n.saturating_sub(1);
    while left >= 258 {
        b.code(0, 1); // length 258
        b.code(0, 1); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        b.code(0b10, 2);
    }
    b.code(0b11, 2); // end of block
    b.finish()
}
