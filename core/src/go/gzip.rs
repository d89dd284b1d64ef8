//! Gzip compression byte-identical to Go's `compress/gzip` at `BestCompression`.
//!
//! Helm v4 stores releases gzipped (`pkg/storage/driver/util.go`, `encodeRelease`):
//!
//! ```go
//! w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
//! w.Write(data) // one Write of the whole input
//! w.Close()
//! ```
//!
//! DEFLATE output is not canonical: every compressor picks its own matches, block
//! boundaries and Huffman codes. To produce the very bytes Helm produces, this module is a
//! faithful port of the parts of Go's `compress/flate` used at level 9 (`deflate.go`:
//! `compressor` with `fillDeflate`, `findMatch`, `deflate`, `writeBlock`, `close`;
//! `huffman_bit_writer.go`: `writeBlock`, `generateCodegen`, `dynamicSize`, `fixedSize`,
//! `storedSize`, the header writers and `writeTokens`; `huffman_code.go`: `generate`,
//! `bitCounts`, `assignEncodingAndSize`; `token.go`) and of the header and trailer of
//! `compress/gzip`. Functions are named after their Go counterparts.
//!
//! Checked against Go 1.25.7 (which Helm v4.1.x is built with) and Go 1.26: the two
//! `compress/flate` and `compress/gzip` sources differ only in the order of struct fields.
//!
//! Flux's artifacts (`fluxcd/pkg/tar`, source-controller's storage) use
//! `gzip.NewWriter`, the default level 6, and write the tar stream in many pieces (512-byte
//! headers, 32 KiB chunks of file data). [`GzipWriter`] is that: levels 4 to 9 (the lazy
//! matching levels, which differ only in the `good`/`lazy`/`nice`/`chain` parameters) and
//! any sequence of `Write` calls followed by `Close`, each `Write` running Go's
//! `compressor.write` loop, so the window slides exactly when Go's does. `Flush`,
//! dictionaries, `Reset` and the levels 0 to 3 are not ported. Go's code
//! panics on broken internal invariants; here every index is checked and such a state (which
//! the differential tests never reach) makes [`compress_best`] fall back to a valid gzip
//! stream of stored blocks instead of panicking.

// ---------------------------------------------------------------------------------------
// deflate.go constants (level 9 only).
// ---------------------------------------------------------------------------------------

const WINDOW_SIZE: usize = 1 << 15;
const WINDOW_MASK: usize = WINDOW_SIZE - 1;
/// The smallest match length per RFC 1951 section 3.2.5 (`baseMatchLength`).
const BASE_MATCH_LENGTH: usize = 3;
/// The smallest match length the compressor emits (`minMatchLength`).
const MIN_MATCH_LENGTH: usize = 4;
const MAX_MATCH_LENGTH: usize = 258;
const BASE_MATCH_OFFSET: usize = 1;
/// Go's `maxFlateBlockTokens`: a block is written after this many tokens.
const MAX_FLATE_BLOCK_TOKENS: usize = 1 << 14;
const MAX_STORE_BLOCK_SIZE: usize = 65535;
const HASH_BITS: u32 = 17;
const HASH_SIZE: usize = 1 << HASH_BITS;
const HASH_MASK: u32 = (1 << HASH_BITS) - 1;
const MAX_HASH_OFFSET: i64 = 1 << 24;
/// Go's `math.MaxInt32`, used for `blockStart` after the window slid past it.
const MAX_INT32: i64 = i32::MAX as i64;

/// One row of Go's `levels` table for the lazy-matching levels 4..=9 (all with
/// `fastSkipHashing == skipNever`, so the branches of `deflate` for levels 2 and 3 are dead
/// and are left out). `good` is kept for `findMatch`, but `deflate` always calls it with
/// `prevLength == minMatchLength - 1`, so it has no effect.
#[derive(Debug, Clone, Copy)]
struct LevelParams {
    good: usize,
    lazy: usize,
    nice: usize,
    chain: usize,
}

/// `levels[9]`: {9, good 32, lazy 258, nice 258, chain 4096, skipNever}.
const LEVEL_BEST: LevelParams = LevelParams {
    good: 32,
    lazy: 258,
    nice: 258,
    chain: 4096,
};

/// `levels[6]` (what `DefaultCompression` means): {6, good 8, lazy 16, nice 128, chain 128,
/// skipNever}.
const LEVEL_DEFAULT: LevelParams = LevelParams {
    good: 8,
    lazy: 16,
    nice: 128,
    chain: 128,
};

const HASHMUL: u32 = 0x1e35_a7bd;

// ---------------------------------------------------------------------------------------
// token.go
// ---------------------------------------------------------------------------------------

const LENGTH_SHIFT: u32 = 22;
const OFFSET_MASK: u32 = (1 << LENGTH_SHIFT) - 1;
const MATCH_TYPE: u32 = 1 << 30;

/// `literalToken`.
fn literal_token(literal: u8) -> u32 {
    u32::from(literal)
}

/// `matchToken`: `xlength` is `length - 3` (0..=255), `xoffset` is `offset - 1`.
fn match_token(xlength: u32, xoffset: u32) -> u32 {
    MATCH_TYPE + (xlength << LENGTH_SHIFT) + xoffset
}

/// `lengthCodes`: the length code (minus 257) of `length - 3`.
const LENGTH_CODES: [u8; 256] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14,
    14, 15, 15, 15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17, 18, 18, 18,
    18, 18, 18, 18, 18, 19, 19, 19, 19, 19, 19, 19, 19, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
    20, 20, 20, 20, 20, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 21, 22, 22, 22,
    22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23,
    23, 23, 23, 23, 23, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
    24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
    25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 26, 26, 26,
    26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26,
    26, 26, 26, 26, 26, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27,
    27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 28,
];

/// `offsetCodes`.
const OFFSET_CODES: [u8; 256] = [
    0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9,
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11,
    11, 11, 11, 11, 11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
    12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13, 13, 13, 13,
    13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13,
    14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
    14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
    14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15,
];

/// `token.length()`: the `xlength` (length - 3) of a match token; always `< 256`.
fn token_length(t: u32) -> u8 {
    // The xlength field is 8 bits wide (bits 22..30); the mask makes the `as` exact.
    ((t.wrapping_sub(MATCH_TYPE) >> LENGTH_SHIFT) & 0xff) as u8
}

/// `token.offset()`: the `xoffset` (offset - 1) of a match token.
fn token_offset(t: u32) -> u32 {
    t & OFFSET_MASK
}

/// `lengthCode`: the length code minus 257 for an xlength.
fn length_code(xlength: u8) -> usize {
    usize::from(LENGTH_CODES[usize::from(xlength)])
}

/// `offsetCode`: the distance code for an xoffset (< 2^22).
fn offset_code(off: u32) -> usize {
    // Each index below is masked to 8 bits, which equals Go's value for off < 2^22.
    let code = if off < 256 {
        OFFSET_CODES[(off & 0xff) as usize]
    } else if off >> 7 < 256 {
        OFFSET_CODES[((off >> 7) & 0xff) as usize] + 14
    } else {
        OFFSET_CODES[((off >> 14) & 0xff) as usize] + 28
    };
    usize::from(code)
}

// ---------------------------------------------------------------------------------------
// huffman_bit_writer.go constants
// ---------------------------------------------------------------------------------------

/// `maxNumLit` (inflate.go): 256 literals, the end-of-block marker and 29 length codes.
const MAX_NUM_LIT: usize = 286;
const OFFSET_CODE_COUNT: usize = 30;
const END_BLOCK_MARKER: u32 = 256;
const LENGTH_CODES_START: usize = 257;
const CODEGEN_CODE_COUNT: usize = 19;
const BAD_CODE: u8 = 255;

/// `lengthExtraBits`, indexed by length code minus 257.
const LENGTH_EXTRA_BITS: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/// `lengthBase`, indexed by length code minus 257 (in xlength units).
const LENGTH_BASE: [u32; 29] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128,
    160, 192, 224, 255,
];

/// `offsetExtraBits`.
const OFFSET_EXTRA_BITS: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// `offsetBase` (in xoffset units).
const OFFSET_BASE: [u32; 30] = [
    0x000000, 0x000001, 0x000002, 0x000003, 0x000004, 0x000006, 0x000008, 0x00000c, 0x000010,
    0x000018, 0x000020, 0x000030, 0x000040, 0x000060, 0x000080, 0x0000c0, 0x000100, 0x000180,
    0x000200, 0x000300, 0x000400, 0x000600, 0x000800, 0x000c00, 0x001000, 0x001800, 0x002000,
    0x003000, 0x004000, 0x006000,
];

/// `codegenOrder`: the order in which the code length code lengths are written.
const CODEGEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// A broken internal invariant. Go panics in these places (or cannot reach them); the port
/// reports it so that [`compress_best`] can fall back instead of panicking.
#[derive(Debug, Clone, Copy)]
struct Bug;

type Res<T> = Result<T, Bug>;

// ---------------------------------------------------------------------------------------
// gzip.go
// ---------------------------------------------------------------------------------------

/// Gzip `data` exactly as Go's compress/gzip does at BestCompression with a zero header.
///
/// The result equals, byte for byte, what Go writes for
/// `gzip.NewWriterLevel(&buf, gzip.BestCompression)`, one `Write(data)` and `Close()`: the
/// header `1f 8b 08 00 00 00 00 00 02 ff` (no name, comment or extra field, MTIME 0,
/// XFL 2 for best compression, OS 255 "unknown"), the raw DEFLATE stream of
/// [`deflate_best`], and the trailer with the CRC-32 (IEEE) and the input length modulo
/// 2^32, both little endian.
pub fn compress_best(data: &[u8]) -> Vec<u8> {
    let deflated = deflate_best(data);
    let mut out = Vec::with_capacity(deflated.len() + 18);
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    out.extend_from_slice(&deflated);
    let mut crc = flate2::Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    // ISIZE is the input size modulo 2^32 (RFC 1952 section 2.3.1); Go's `z.size` wraps too.
    out.extend_from_slice(&((data.len() as u64 & 0xffff_ffff) as u32).to_le_bytes());
    out
}

/// The raw DEFLATE stream (RFC 1951) that Go's `flate.NewWriter(w, flate.BestCompression)`
/// writes for one `Write(data)` followed by `Close()`.
///
/// Like Go's, the stream always ends with an empty stored block carrying BFINAL.
pub fn deflate_best(data: &[u8]) -> Vec<u8> {
    match deflate_go(data) {
        Ok(out) => out,
        // Unreachable in practice (see the module docs): a valid stream, not Go's bytes.
        Err(Bug) => deflate_stored(data),
    }
}

/// `Writer.Write` (one call) and `Writer.Close` of Go's `flate.Writer` at level 9.
fn deflate_go(data: &[u8]) -> Res<Vec<u8>> {
    let mut d = Compressor::new(data.len(), LEVEL_BEST);
    // compressor.write: step, then fill, until all input is in the window.
    let mut b = data;
    while !b.is_empty() {
        d.deflate()?;
        let n = d.fill_deflate(b)?;
        if n == 0 {
            // Go would loop forever; cannot happen since deflate() leaves
            // index > windowEnd - (minMatchLength + maxMatchLength).
            return Err(Bug);
        }
        b = b.get(n..).ok_or(Bug)?;
    }
    // compressor.close
    d.sync = true;
    d.deflate()?;
    d.w.bw.write_stored_header(0, true);
    d.w.bw.flush();
    Ok(d.w.bw.out)
}

/// An internal invariant of the compressor port broke (Go would panic there). Never seen
/// in the differential tests; reported instead of panicking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("gzip: internal error in the compressor")]
pub struct GzipError;

/// Go's `gzip.Writer` at the default level (`gzip.NewWriter(w)`, level 6) or at
/// `BestCompression`, fed by any number of `Write` calls and closed by [`finish`].
///
/// Go's deflate output depends on how the input is cut into `Write` calls (the window
/// slides at the start of a `Write` once it is full enough, and a block that straddles a
/// slide can no longer be stored raw), so callers reproducing a Go program must write the
/// same pieces in the same order.
///
/// [`finish`]: GzipWriter::finish
pub struct GzipWriter {
    d: Compressor,
    crc: flate2::Crc,
    /// The input length modulo 2^32 (Go's `z.size`).
    size: u32,
    /// XFL: 2 at best compression, 0 at the default level.
    xfl: u8,
    failed: bool,
}

impl GzipWriter {
    /// `gzip.NewWriter(w)`: level `DefaultCompression` (6), no name, comment or extra
    /// field, MTIME 0, OS 255.
    pub fn new_default() -> Self {
        Self::with_level(LEVEL_DEFAULT, 0)
    }

    /// `gzip.NewWriterLevel(w, gzip.BestCompression)`.
    pub fn new_best() -> Self {
        Self::with_level(LEVEL_BEST, 2)
    }

    fn with_level(level: LevelParams, xfl: u8) -> Self {
        GzipWriter {
            d: Compressor::new(64 * 1024, level),
            crc: flate2::Crc::new(),
            size: 0,
            xfl,
            failed: false,
        }
    }

    /// One `Write(data)` call: Go's `compressor.write` loop (`step`, then `fill`, until the
    /// input is in the window).
    pub fn write(&mut self, data: &[u8]) {
        if self.failed {
            return;
        }
        self.crc.update(data);
        // Go's z.size is a uint32 that wraps.
        self.size = self
            .size
            .wrapping_add((data.len() as u64 & 0xffff_ffff) as u32);
        if self.write_deflate(data).is_err() {
            self.failed = true;
        }
    }

    fn write_deflate(&mut self, data: &[u8]) -> Res<()> {
        let mut b = data;
        while !b.is_empty() {
            self.d.deflate()?;
            let n = self.d.fill_deflate(b)?;
            if n == 0 {
                return Err(Bug);
            }
            b = b.get(n..).ok_or(Bug)?;
        }
        Ok(())
    }

    /// `Close`: the final block, then the header, stream and trailer as one byte vector.
    pub fn finish(mut self) -> Result<Vec<u8>, GzipError> {
        if self.failed {
            return Err(GzipError);
        }
        self.d.sync = true;
        self.d.deflate().map_err(|Bug| GzipError)?;
        self.d.w.bw.write_stored_header(0, true);
        self.d.w.bw.flush();
        let body = std::mem::take(&mut self.d.w.bw.out);
        let mut out = Vec::with_capacity(body.len() + 18);
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, self.xfl, 255]);
        out.extend_from_slice(&body);
        out.extend_from_slice(&self.crc.sum().to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        Ok(out)
    }
}

/// A fallback encoder for the unreachable `Bug` case: stored blocks only.
fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let mut w = BitWriter::new(data.len() + data.len() / MAX_STORE_BLOCK_SIZE * 5 + 10);
    for chunk in data.chunks(MAX_STORE_BLOCK_SIZE) {
        w.write_stored_header(chunk.len(), false);
        w.write_bytes(chunk);
    }
    w.write_stored_header(0, true);
    w.flush();
    w.out
}

// ---------------------------------------------------------------------------------------
// deflate.go: compressor
// ---------------------------------------------------------------------------------------

/// Go's `compressor` as initialised by `init` and `initDeflate` for a level in 4..=9.
struct Compressor {
    /// The `compressionLevel` parameters.
    level: LevelParams,
    w: HuffmanBitWriter,
    /// Input window of `2 * windowSize` bytes; unprocessed data is `window[index..window_end]`.
    window: Vec<u8>,
    index: usize,
    window_end: usize,
    /// Window index where the current tokens start; `MAX_INT32` after the window slid past.
    block_start: i64,
    /// If true, `window[index - 1]` still has to be processed.
    byte_available: bool,
    sync: bool,
    tokens: Vec<u32>,
    length: usize,
    offset: usize,
    max_insert_index: i64,
    chain_head: i64,
    /// `hashHead[hash]`: the largest input index (plus `hash_offset`) with that hash.
    hash_head: Vec<u32>,
    /// `hashPrev[i & windowMask]`: the previous index (plus `hash_offset`) with i's hash.
    hash_prev: Vec<u32>,
    hash_offset: i64,
}

impl Compressor {
    fn new(input_len: usize, level: LevelParams) -> Self {
        Compressor {
            level,
            w: HuffmanBitWriter::new(input_len / 2 + 64),
            window: vec![0; 2 * WINDOW_SIZE],
            index: 0,
            window_end: 0,
            block_start: 0,
            byte_available: false,
            sync: false,
            tokens: Vec::with_capacity(MAX_FLATE_BLOCK_TOKENS + 1),
            length: MIN_MATCH_LENGTH - 1,
            offset: 0,
            max_insert_index: 0,
            chain_head: -1,
            hash_head: vec![0; HASH_SIZE],
            hash_prev: vec![0; WINDOW_SIZE],
            hash_offset: 1,
        }
    }

    /// `fillDeflate`: slide the window by `windowSize` when needed, then copy input into it.
    fn fill_deflate(&mut self, b: &[u8]) -> Res<usize> {
        if self.index >= 2 * WINDOW_SIZE - (MIN_MATCH_LENGTH + MAX_MATCH_LENGTH) {
            // Shift the window by windowSize.
            self.window.copy_within(WINDOW_SIZE..2 * WINDOW_SIZE, 0);
            self.index -= WINDOW_SIZE;
            self.window_end = self.window_end.checked_sub(WINDOW_SIZE).ok_or(Bug)?;
            if self.block_start >= WINDOW_SIZE as i64 {
                self.block_start -= WINDOW_SIZE as i64;
            } else {
                self.block_start = MAX_INT32;
            }
            self.hash_offset += WINDOW_SIZE as i64;
            if self.hash_offset > MAX_HASH_OFFSET {
                let delta = self.hash_offset - 1;
                self.hash_offset -= delta;
                self.chain_head -= delta;
                for v in self.hash_prev.iter_mut().chain(self.hash_head.iter_mut()) {
                    if i64::from(*v) > delta {
                        *v = u32::try_from(i64::from(*v) - delta).map_err(|_| Bug)?;
                    } else {
                        *v = 0;
                    }
                }
            }
        }
        let dst = self.window.get_mut(self.window_end..).ok_or(Bug)?;
        let n = dst.len().min(b.len());
        dst.get_mut(..n)
            .ok_or(Bug)?
            .copy_from_slice(b.get(..n).ok_or(Bug)?);
        self.window_end += n;
        Ok(n)
    }

    /// `compressor.writeBlock`: write the queued tokens, offering the window bytes they
    /// cover for a stored block.
    fn write_block(&mut self, index: usize) -> Res<()> {
        if index > 0 {
            let window = if self.block_start <= index as i64 {
                let start = usize::try_from(self.block_start).map_err(|_| Bug)?;
                Some(self.window.get(start..index).ok_or(Bug)?)
            } else {
                None
            };
            self.block_start = index as i64;
            self.w.write_block(&self.tokens, false, window)?;
        }
        Ok(())
    }

    /// `hash4` of the four window bytes at `pos`, masked (`& hashMask`).
    fn hash_at(&self, pos: usize) -> Res<usize> {
        match self.window.get(pos..pos + MIN_MATCH_LENGTH) {
            Some(&[b0, b1, b2, b3]) => Ok(hash4([b0, b1, b2, b3])),
            _ => Err(Bug),
        }
    }

    /// `findMatch`: try to find a match at `pos` longer than `prev_length`, looking at most
    /// at `chain` candidates. Returns `(length, offset)` if one was found.
    fn find_match(
        &self,
        pos: usize,
        prev_head: i64,
        prev_length: usize,
        lookahead: usize,
    ) -> Res<Option<(usize, usize)>> {
        let min_match_look = MAX_MATCH_LENGTH.min(lookahead);
        let win = self.window.get(..pos + min_match_look).ok_or(Bug)?;

        // We quit when we get a match that's at least nice long.
        let nice = self.level.nice.min(win.len() - pos);

        // If we've got a match that's good enough, only look in 1/4 the chain.
        let mut tries = self.level.chain;
        let mut length = prev_length;
        if length >= self.level.good {
            tries >>= 2;
        }

        let mut found = None;
        let mut w_end = *win.get(pos + length).ok_or(Bug)?;
        let w_pos = win.get(pos..).ok_or(Bug)?;
        let min_index = pos as i64 - WINDOW_SIZE as i64;

        let mut i = prev_head;
        while tries > 0 {
            let iu = usize::try_from(i).map_err(|_| Bug)?;
            if w_end == *win.get(iu + length).ok_or(Bug)? {
                let cand = win.get(iu..iu + min_match_look).ok_or(Bug)?;
                let n = match_len(cand, w_pos);
                if n > length && (n > MIN_MATCH_LENGTH || pos - iu <= 4096) {
                    length = n;
                    found = Some((n, pos - iu));
                    if n >= nice {
                        // The match is good enough that we don't try to find a better one.
                        break;
                    }
                    w_end = *win.get(pos + n).ok_or(Bug)?;
                }
            }
            if i == min_index {
                // hashPrev[i & windowMask] has already been overwritten, so stop now.
                break;
            }
            i = i64::from(*self.hash_prev.get(iu & WINDOW_MASK).ok_or(Bug)?) - self.hash_offset;
            if i < min_index || i < 0 {
                break;
            }
            tries -= 1;
        }
        Ok(found)
    }

    /// Inserts window position `pos` into the hash chains (the body shared by `deflate`'s
    /// hash update and its insertion loop after a match); returns the previous chain head.
    fn insert_hash(&mut self, pos: usize) -> Res<u32> {
        let hash = self.hash_at(pos)?;
        let hh = self.hash_head.get_mut(hash).ok_or(Bug)?;
        let prev = *hh;
        *hh = u32::try_from(pos as i64 + self.hash_offset).map_err(|_| Bug)?;
        *self.hash_prev.get_mut(pos & WINDOW_MASK).ok_or(Bug)? = prev;
        Ok(prev)
    }

    /// `deflate` (the `step` of levels 2..9), with the settings of levels 4..=9: lazy matching.
    fn deflate(&mut self) -> Res<()> {
        let lookahead = self.window_end.checked_sub(self.index).ok_or(Bug)?;
        if lookahead < MIN_MATCH_LENGTH + MAX_MATCH_LENGTH && !self.sync {
            return Ok(());
        }

        self.max_insert_index = self.window_end as i64 - (MIN_MATCH_LENGTH as i64 - 1);

        loop {
            let lookahead = self.window_end.checked_sub(self.index).ok_or(Bug)?;
            if lookahead < MIN_MATCH_LENGTH + MAX_MATCH_LENGTH {
                if !self.sync {
                    break;
                }
                if lookahead == 0 {
                    // Flush current output block if any.
                    if self.byte_available {
                        // There is still one pending token that needs to be flushed.
                        let lit = *self.window.get(self.index.wrapping_sub(1)).ok_or(Bug)?;
                        self.tokens.push(literal_token(lit));
                        self.byte_available = false;
                    }
                    if !self.tokens.is_empty() {
                        self.write_block(self.index)?;
                        self.tokens.clear();
                    }
                    break;
                }
            }
            if (self.index as i64) < self.max_insert_index {
                // Update the hash.
                self.chain_head = i64::from(self.insert_hash(self.index)?);
            }
            let prev_length = self.length;
            let prev_offset = self.offset;
            self.length = MIN_MATCH_LENGTH - 1;
            self.offset = 0;
            let min_index = self.index.saturating_sub(WINDOW_SIZE) as i64;

            let head = self.chain_head - self.hash_offset;
            if head >= min_index && lookahead > prev_length && prev_length < self.level.lazy {
                let found = self.find_match(self.index, head, MIN_MATCH_LENGTH - 1, lookahead)?;
                if let Some((new_length, new_offset)) = found {
                    self.length = new_length;
                    self.offset = new_offset;
                }
            }
            if prev_length >= MIN_MATCH_LENGTH && self.length <= prev_length {
                // There was a match at the previous step, and the current match is not
                // better. Output the previous match.
                let xlength = u32::try_from(prev_length - BASE_MATCH_LENGTH).map_err(|_| Bug)?;
                let xoffset = prev_offset.checked_sub(BASE_MATCH_OFFSET).ok_or(Bug)?;
                let xoffset = u32::try_from(xoffset).map_err(|_| Bug)?;
                self.tokens.push(match_token(xlength, xoffset));
                // Insert in the hash table all strings up to the end of the match. index
                // and index-1 are already inserted. If there is not enough lookahead, the
                // last two strings are not inserted into the hash table.
                let new_index = self.index + prev_length - 1;
                let mut index = self.index + 1;
                while index < new_index {
                    if (index as i64) < self.max_insert_index {
                        self.insert_hash(index)?;
                    }
                    index += 1;
                }
                self.index = index;
                self.byte_available = false;
                self.length = MIN_MATCH_LENGTH - 1;
                if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                    // The block includes the current character.
                    self.write_block(self.index)?;
                    self.tokens.clear();
                }
            } else {
                if self.byte_available {
                    let i = self.index.checked_sub(1).ok_or(Bug)?;
                    let lit = *self.window.get(i).ok_or(Bug)?;
                    self.tokens.push(literal_token(lit));
                    if self.tokens.len() == MAX_FLATE_BLOCK_TOKENS {
                        self.write_block(i + 1)?;
                        self.tokens.clear();
                    }
                }
                self.index += 1;
                self.byte_available = true;
            }
        }
        Ok(())
    }
}

/// `hash4`: a hash of four bytes (big-endian word times `hashmul`, top 17 bits).
fn hash4(b: [u8; 4]) -> usize {
    let h = u32::from_be_bytes(b).wrapping_mul(HASHMUL) >> (32 - HASH_BITS);
    (h & HASH_MASK) as usize
}

/// `matchLen`: the number of equal leading bytes of `a` and `b` (at most `a.len()`).
fn match_len(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in ca.by_ref().zip(cb.by_ref()) {
        let (Ok(x), Ok(y)) = (<[u8; 8]>::try_from(x), <[u8; 8]>::try_from(y)) else {
            break;
        };
        let diff = u64::from_le_bytes(x) ^ u64::from_le_bytes(y);
        if diff != 0 {
            return n + (diff.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + a
        .get(n..)
        .unwrap_or_default()
        .iter()
        .zip(b.get(n..).unwrap_or_default())
        .take_while(|(x, y)| x == y)
        .count()
}

// ---------------------------------------------------------------------------------------
// huffman_code.go
// ---------------------------------------------------------------------------------------

/// `hcode`: a Huffman code (bit-reversed, ready to write) and its length in bits.
#[derive(Debug, Clone, Copy, Default)]
struct HCode {
    code: u16,
    len: u16,
}

/// `literalNode`.
#[derive(Debug, Clone, Copy)]
struct LiteralNode {
    literal: u16,
    freq: i32,
}

/// `levelInfo`: the state of the constructed tree for a given depth.
#[derive(Debug, Clone, Copy, Default)]
struct LevelInfo {
    level: i32,
    last_freq: i32,
    next_char_freq: i32,
    next_pair_freq: i32,
    needed: i32,
}

/// `huffmanEncoder`.
struct HuffmanEncoder {
    codes: Vec<HCode>,
}

const MAX_BITS_LIMIT: usize = 16;

impl HuffmanEncoder {
    fn new(size: usize) -> Self {
        HuffmanEncoder {
            codes: vec![HCode::default(); size],
        }
    }

    /// `generateFixedLiteralEncoding`.
    fn fixed_literal() -> Self {
        let mut h = HuffmanEncoder::new(MAX_NUM_LIT);
        for (ch, c) in (0u16..).zip(h.codes.iter_mut()) {
            let (bits, size) = match ch {
                0..=143 => (ch + 48, 8),
                144..=255 => (ch + 400 - 144, 9),
                256..=279 => (ch - 256, 7),
                _ => (ch + 192 - 280, 8),
            };
            *c = HCode {
                code: reverse_bits(bits, size),
                len: size,
            };
        }
        h
    }

    /// `generateFixedOffsetEncoding`.
    fn fixed_offset() -> Self {
        let mut h = HuffmanEncoder::new(OFFSET_CODE_COUNT);
        for (ch, c) in (0u16..).zip(h.codes.iter_mut()) {
            *c = HCode {
                code: reverse_bits(ch, 5),
                len: 5,
            };
        }
        h
    }

    /// `bitLength`: the number of bits `freq` takes with this code.
    fn bit_length(&self, freq: &[i32]) -> i64 {
        freq.iter()
            .zip(&self.codes)
            .filter(|(f, _)| **f != 0)
            .map(|(f, c)| i64::from(*f) * i64::from(c.len))
            .sum()
    }

    /// `generate`: make this the minimum code, limited to `max_bits`, for `freq`.
    fn generate(&mut self, freq: &[i32], max_bits: i32) -> Res<()> {
        let mut list = Vec::with_capacity(freq.len() + 1);
        for ((i, &f), c) in (0u16..).zip(freq).zip(self.codes.iter_mut()) {
            if f != 0 {
                list.push(LiteralNode {
                    literal: i,
                    freq: f,
                });
            } else {
                c.len = 0;
            }
        }
        if list.len() <= 2 {
            // Handle the small cases here, because they are awkward for the general case
            // code. With two or fewer literals, everything has bit length 1.
            for (i, node) in (0u16..).zip(&list) {
                let c = self.codes.get_mut(usize::from(node.literal)).ok_or(Bug)?;
                *c = HCode { code: i, len: 1 };
            }
            return Ok(());
        }
        // Go's byFreq order: by frequency, ties by literal. Literals are distinct, so this
        // is a total order and any sort gives Go's (unstable sort.Sort) result.
        list.sort_unstable_by_key(|n| (n.freq, n.literal));

        // Get the number of literals for each bit count.
        let bit_count = bit_counts(&list, max_bits)?;
        // And do the assignment.
        self.assign_encoding_and_size(&bit_count, &mut list)
    }

    /// `assignEncodingAndSize`: give the leaves their lengths and codes (RFC 1951 3.2.2).
    fn assign_encoding_and_size(&mut self, bit_count: &[i32], list: &mut [LiteralNode]) -> Res<()> {
        let mut code: u16 = 0;
        let mut list = list;
        for (n, &bits) in bit_count.iter().enumerate() {
            code = code.wrapping_shl(1);
            if n == 0 || bits == 0 {
                continue;
            }
            // The literals list[len(list)-bits] .. list[len(list)-1] are encoded using
            // "bits" bits, and get the values code, code + 1, .... The code values are
            // assigned in literal order (not frequency order).
            let bits = usize::try_from(bits).map_err(|_| Bug)?;
            let split = list.len().checked_sub(bits).ok_or(Bug)?;
            let (rest, chunk) = std::mem::take(&mut list).split_at_mut(split);
            chunk.sort_unstable_by_key(|n| n.literal);
            let len = u16::try_from(n).map_err(|_| Bug)?;
            for node in chunk.iter() {
                let c = self.codes.get_mut(usize::from(node.literal)).ok_or(Bug)?;
                *c = HCode {
                    code: reverse_bits(code, len),
                    len,
                };
                code = code.wrapping_add(1);
            }
            list = rest;
        }
        Ok(())
    }
}

/// `bitCounts`: the number of literals for each code length (package-merge as in Go).
///
/// `list` holds the literals with non-zero frequency in increasing frequency order,
/// at least three of them. Go appends a sentinel `maxNode()` (frequency `MaxInt32`); reads
/// past the end here yield that frequency.
fn bit_counts(list: &[LiteralNode], max_bits: i32) -> Res<Vec<i32>> {
    if max_bits >= MAX_BITS_LIMIT as i32 {
        return Err(Bug);
    }
    let freq_at = |k: i32| -> i32 {
        usize::try_from(k)
            .ok()
            .and_then(|k| list.get(k))
            .map_or(i32::MAX, |n| n.freq)
    };
    let n = i32::try_from(list.len()).map_err(|_| Bug)?;
    if n < 3 {
        return Err(Bug);
    }
    // The tree can't have greater depth than n - 1, no matter what.
    let max_bits = max_bits.min(n - 1);
    let mb = usize::try_from(max_bits).map_err(|_| Bug)?;

    // A bogus "Level 0" whose sole purpose is so that level1.prev.needed == 0.
    let mut levels = [LevelInfo::default(); MAX_BITS_LIMIT];
    // leaf_counts[i][j]: the number of literals at the left of the level j ancestor of the
    // rightmost node at level i.
    let mut leaf_counts = [[0i32; MAX_BITS_LIMIT]; MAX_BITS_LIMIT];

    for level in 1..=mb {
        // For every level, the first two items are the first two characters.
        let info = levels.get_mut(level).ok_or(Bug)?;
        *info = LevelInfo {
            level: level as i32,
            last_freq: freq_at(1),
            next_char_freq: freq_at(2),
            next_pair_freq: freq_at(0).wrapping_add(freq_at(1)),
            needed: 0,
        };
        if level == 1 {
            info.next_pair_freq = i32::MAX;
        }
        *leaf_counts
            .get_mut(level)
            .and_then(|r| r.get_mut(level))
            .ok_or(Bug)? = 2;
    }

    // We need a total of 2*n - 2 items at top level and have already generated 2.
    levels.get_mut(mb).ok_or(Bug)?.needed = 2 * n - 4;

    let mut level = mb;
    loop {
        let l = *levels.get(level).ok_or(Bug)?;
        if l.next_pair_freq == i32::MAX && l.next_char_freq == i32::MAX {
            // We've run out of both leaves and pairs. End all calculations for this level.
            // To make sure we never come back to this level or any lower level, set
            // nextPairFreq impossibly large.
            levels.get_mut(level).ok_or(Bug)?.needed = 0;
            levels.get_mut(level + 1).ok_or(Bug)?.next_pair_freq = i32::MAX;
            level += 1;
            continue;
        }

        let prev_freq = l.last_freq;
        let mut l = l;
        if l.next_char_freq < l.next_pair_freq {
            // The next item on this row is a leaf node.
            let row = leaf_counts.get_mut(level).ok_or(Bug)?;
            let cell = row.get_mut(level).ok_or(Bug)?;
            let nn = *cell + 1;
            l.last_freq = l.next_char_freq;
            // Lower leafCounts are the same of the previous node.
            *cell = nn;
            l.next_char_freq = freq_at(nn);
        } else {
            // The next item on this row is a pair from the previous row. nextPairFreq
            // isn't valid until we generate two more values in the level below.
            l.last_freq = l.next_pair_freq;
            // Take leaf counts from the lower level, except counts[level] remains the same.
            let below = level.checked_sub(1).ok_or(Bug)?;
            let (lower, upper) = leaf_counts.split_at_mut(level);
            let src = lower.get(below).and_then(|r| r.get(..level)).ok_or(Bug)?;
            let dst = upper
                .first_mut()
                .and_then(|r| r.get_mut(..level))
                .ok_or(Bug)?;
            dst.copy_from_slice(src);
            levels.get_mut(below).ok_or(Bug)?.needed = 2;
        }

        l.needed -= 1;
        *levels.get_mut(level).ok_or(Bug)? = l;
        if l.needed == 0 {
            // We've done everything we need to do for this level. Continue calculating one
            // level up. Fill in nextPairFreq of that level with the sum of the two nodes
            // we've just calculated on this level.
            if l.level == max_bits {
                // All done!
                break;
            }
            levels.get_mut(level + 1).ok_or(Bug)?.next_pair_freq =
                prev_freq.wrapping_add(l.last_freq);
            level += 1;
        } else {
            // If we stole from below, move down temporarily to replenish it.
            while levels
                .get(level.checked_sub(1).ok_or(Bug)?)
                .ok_or(Bug)?
                .needed
                > 0
            {
                level -= 1;
            }
        }
    }

    // Something is wrong if at the end the top level is null or hasn't used all leaves.
    let counts = leaf_counts.get(mb).ok_or(Bug)?;
    if counts.get(mb) != Some(&n) {
        return Err(Bug);
    }

    let mut bit_count = vec![0i32; mb + 1];
    for (bits, level) in (1..=mb).zip((1..=mb).rev()) {
        // The number of literals requiring at least "bits" bits to encode.
        bit_count[bits] = counts[level] - counts[level - 1];
    }
    Ok(bit_count)
}

/// `reverseBits`: the low `bit_length` bits of `number`, reversed.
fn reverse_bits(number: u16, bit_length: u16) -> u16 {
    // Go's `number << (16 - bitLength)` is 0 for a shift of 16; checked_shl gives None.
    number
        .checked_shl(u32::from(16u16.saturating_sub(bit_length)))
        .unwrap_or(0)
        .reverse_bits()
}

// ---------------------------------------------------------------------------------------
// huffman_bit_writer.go
// ---------------------------------------------------------------------------------------

/// The bit-level output of `huffmanBitWriter`: Go buffers 6 bytes of bits at a time and
/// writes 240-byte chunks; the bytes produced are the same as appending here directly.
struct BitWriter {
    out: Vec<u8>,
    bits: u64,
    nbits: u32,
}

impl BitWriter {
    fn new(capacity: usize) -> Self {
        BitWriter {
            out: Vec::with_capacity(capacity),
            bits: 0,
            nbits: 0,
        }
    }

    /// `writeBits` (and `writeCode`): append the low `nb` bits of `b` (nb <= 16).
    fn write_bits(&mut self, b: u32, nb: u32) {
        self.bits |= u64::from(b) << (self.nbits & 63);
        self.nbits += nb;
        if self.nbits >= 48 {
            self.out.extend_from_slice(&self.bits.to_le_bytes()[..6]);
            self.bits >>= 48;
            self.nbits -= 48;
        }
    }

    fn write_code(&mut self, c: HCode) {
        self.write_bits(u32::from(c.code), u32::from(c.len));
    }

    /// `flush`: write out the pending bits, padding the last byte with zeros.
    fn flush(&mut self) {
        while self.nbits != 0 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.nbits = self.nbits.saturating_sub(8);
        }
        self.bits = 0;
    }

    /// `writeBytes`: append raw bytes; the bit buffer is byte aligned here.
    fn write_bytes(&mut self, bytes: &[u8]) {
        // Go sets an "unfinished bits" error if nbits % 8 != 0; writeStoredHeader always
        // leaves 32 pending bits, so flushing is the same.
        self.flush();
        self.out.extend_from_slice(bytes);
    }

    /// `writeStoredHeader`.
    fn write_stored_header(&mut self, length: usize, is_eof: bool) {
        self.write_bits(u32::from(is_eof), 3);
        self.flush();
        // Go writes int32(length) and int32(^uint16(length)) in 16 bits each.
        let len16 = (length & 0xffff) as u16;
        self.write_bits(u32::from(len16), 16);
        self.write_bits(u32::from(!len16), 16);
    }
}

/// `huffmanBitWriter` (the parts used by `writeBlock`).
struct HuffmanBitWriter {
    bw: BitWriter,
    codegen_freq: [i32; CODEGEN_CODE_COUNT],
    literal_freq: [i32; MAX_NUM_LIT],
    offset_freq: [i32; OFFSET_CODE_COUNT],
    codegen: Vec<u8>,
    literal_encoding: HuffmanEncoder,
    offset_encoding: HuffmanEncoder,
    codegen_encoding: HuffmanEncoder,
    fixed_literal_encoding: HuffmanEncoder,
    fixed_offset_encoding: HuffmanEncoder,
}

impl HuffmanBitWriter {
    fn new(capacity: usize) -> Self {
        HuffmanBitWriter {
            bw: BitWriter::new(capacity),
            codegen_freq: [0; CODEGEN_CODE_COUNT],
            literal_freq: [0; MAX_NUM_LIT],
            offset_freq: [0; OFFSET_CODE_COUNT],
            codegen: vec![0; MAX_NUM_LIT + OFFSET_CODE_COUNT + 1],
            literal_encoding: HuffmanEncoder::new(MAX_NUM_LIT),
            offset_encoding: HuffmanEncoder::new(OFFSET_CODE_COUNT),
            codegen_encoding: HuffmanEncoder::new(CODEGEN_CODE_COUNT),
            fixed_literal_encoding: HuffmanEncoder::fixed_literal(),
            fixed_offset_encoding: HuffmanEncoder::fixed_offset(),
        }
    }

    /// `generateCodegen`: the run-length encoding (RFC 1951 3.2.7) of the concatenated
    /// literal and offset code lengths into `codegen` (terminated by `badCode`), and the
    /// frequencies of its symbols into `codegen_freq`.
    fn generate_codegen(&mut self, num_literals: usize, num_offsets: usize) -> Res<()> {
        self.codegen_freq = [0; CODEGEN_CODE_COUNT];
        let codegen = &mut self.codegen;
        let freq = &mut self.codegen_freq;
        // Copy the concatenated code sizes to codegen. Put a marker at the end.
        let lit = self.literal_encoding.codes.get(..num_literals).ok_or(Bug)?;
        let off = self.offset_encoding.codes.get(..num_offsets).ok_or(Bug)?;
        for (dst, c) in codegen.iter_mut().zip(lit.iter().chain(off)) {
            *dst = u8::try_from(c.len).map_err(|_| Bug)?;
        }
        *codegen.get_mut(num_literals + num_offsets).ok_or(Bug)? = BAD_CODE;

        let mut bump = |sym: u8| -> Res<()> {
            *freq.get_mut(usize::from(sym)).ok_or(Bug)? += 1;
            Ok(())
        };
        let mut size = *codegen.first().ok_or(Bug)?;
        let mut count: i32 = 1;
        let mut out_index = 0usize;
        let mut in_index = 1usize;
        // The output never overtakes the input (out_index < in_index), so reading ahead
        // with in_index sees the original sizes.
        while size != BAD_CODE {
            // INVARIANT: We have seen "count" copies of size that have not yet had output
            // generated for them.
            let next_size = *codegen.get(in_index).ok_or(Bug)?;
            in_index += 1;
            if next_size == size {
                count += 1;
                continue;
            }
            // We need to generate codegen indicating "count" of size.
            if size != 0 {
                put(codegen, &mut out_index, size)?;
                bump(size)?;
                count -= 1;
                while count >= 3 {
                    let n = count.min(6);
                    put(codegen, &mut out_index, 16)?;
                    put(codegen, &mut out_index, (n - 3) as u8)?;
                    bump(16)?;
                    count -= n;
                }
            } else {
                while count >= 11 {
                    let n = count.min(138);
                    put(codegen, &mut out_index, 18)?;
                    put(codegen, &mut out_index, (n - 11) as u8)?;
                    bump(18)?;
                    count -= n;
                }
                if count >= 3 {
                    // count >= 3 && count <= 10
                    put(codegen, &mut out_index, 17)?;
                    put(codegen, &mut out_index, (count - 3) as u8)?;
                    bump(17)?;
                    count = 0;
                }
            }
            count -= 1;
            while count >= 0 {
                put(codegen, &mut out_index, size)?;
                bump(size)?;
                count -= 1;
            }
            // Set up invariant for next time through the loop.
            size = next_size;
            count = 1;
        }
        // Marker indicating the end of the codegen.
        put(codegen, &mut out_index, BAD_CODE)
    }

    /// `dynamicSize`: the size in bits of a dynamic block, and the number of code length
    /// codes to write.
    fn dynamic_size(&self, extra_bits: i64) -> (i64, usize) {
        let mut num_codegens = self.codegen_freq.len();
        while num_codegens > 4 && self.codegen_freq[CODEGEN_ORDER[num_codegens - 1]] == 0 {
            num_codegens -= 1;
        }
        let header = 3
            + 5
            + 5
            + 4
            + 3 * num_codegens as i64
            + self.codegen_encoding.bit_length(&self.codegen_freq)
            + i64::from(self.codegen_freq[16]) * 2
            + i64::from(self.codegen_freq[17]) * 3
            + i64::from(self.codegen_freq[18]) * 7;
        let size = header
            + self.literal_encoding.bit_length(&self.literal_freq)
            + self.offset_encoding.bit_length(&self.offset_freq)
            + extra_bits;
        (size, num_codegens)
    }

    /// `fixedSize`: the size in bits of a fixed-Huffman block.
    fn fixed_size(&self, extra_bits: i64) -> i64 {
        3 + self.fixed_literal_encoding.bit_length(&self.literal_freq)
            + self.fixed_offset_encoding.bit_length(&self.offset_freq)
            + extra_bits
    }

    /// `writeDynamicHeader`.
    fn write_dynamic_header(
        &mut self,
        num_literals: usize,
        num_offsets: usize,
        num_codegens: usize,
        is_eof: bool,
    ) -> Res<()> {
        let first_bits = if is_eof { 5 } else { 4 };
        let bw = &mut self.bw;
        bw.write_bits(first_bits, 3);
        let field = |v: usize, minus: usize| -> Res<u32> {
            u32::try_from(v.checked_sub(minus).ok_or(Bug)?).map_err(|_| Bug)
        };
        bw.write_bits(field(num_literals, LENGTH_CODES_START)?, 5);
        bw.write_bits(field(num_offsets, 1)?, 5);
        bw.write_bits(field(num_codegens, 4)?, 4);

        let cg_codes = &self.codegen_encoding.codes;
        for &sym in CODEGEN_ORDER.get(..num_codegens).ok_or(Bug)? {
            let value = cg_codes.get(sym).ok_or(Bug)?.len;
            bw.write_bits(u32::from(value), 3);
        }

        let mut it = self.codegen.iter();
        loop {
            let code_word = *it.next().ok_or(Bug)?;
            if code_word == BAD_CODE {
                break;
            }
            bw.write_code(*cg_codes.get(usize::from(code_word)).ok_or(Bug)?);
            let extra = match code_word {
                16 => 2,
                17 => 3,
                18 => 7,
                _ => continue,
            };
            let v = *it.next().ok_or(Bug)?;
            bw.write_bits(u32::from(v), extra);
        }
        Ok(())
    }

    /// `writeFixedHeader`.
    fn write_fixed_header(&mut self, is_eof: bool) {
        // Indicate that we are a fixed Huffman block.
        self.bw.write_bits(if is_eof { 3 } else { 2 }, 3);
    }

    /// `writeBlock`: write a block of tokens with the smallest encoding (stored, fixed or
    /// dynamic). `input` is the original bytes, if they may be stored instead.
    fn write_block(&mut self, tokens: &[u32], eof: bool, input: Option<&[u8]>) -> Res<()> {
        // Go appends endBlockMarker to tokens; index_tokens and write_tokens add it.
        let (num_literals, num_offsets) = self.index_tokens(tokens)?;

        let mut extra_bits: i64 = 0;
        let (stored_size, storable) = stored_size(input);
        if storable {
            // We only bother calculating the costs of the extra bits required by the
            // length of offset fields (which will be the same for both fixed and dynamic
            // encoding), if we need to compare those two encodings against stored encoding.
            for code in LENGTH_CODES_START + 8..num_literals {
                // First eight length codes have extra size = 0.
                let f = *self.literal_freq.get(code).ok_or(Bug)?;
                let e = *LENGTH_EXTRA_BITS
                    .get(code - LENGTH_CODES_START)
                    .ok_or(Bug)?;
                extra_bits += i64::from(f) * i64::from(e);
            }
            for code in 4..num_offsets {
                // First four offset codes have extra size = 0.
                let f = *self.offset_freq.get(code).ok_or(Bug)?;
                let e = *OFFSET_EXTRA_BITS.get(code).ok_or(Bug)?;
                extra_bits += i64::from(f) * i64::from(e);
            }
        }

        // Figure out smallest code. Fixed Huffman baseline.
        let mut size = self.fixed_size(extra_bits);
        let mut dynamic = false;

        // Generate codegen and codegenFrequencies, which indicates how to encode the
        // literalEncoding and the offsetEncoding.
        self.generate_codegen(num_literals, num_offsets)?;
        let codegen_freq = self.codegen_freq;
        self.codegen_encoding.generate(&codegen_freq, 7)?;
        let (dynamic_size, num_codegens) = self.dynamic_size(extra_bits);

        if dynamic_size < size {
            size = dynamic_size;
            dynamic = true;
        }

        // Stored bytes?
        if let Some(input) = input.filter(|_| storable && stored_size < size) {
            self.bw.write_stored_header(input.len(), eof);
            self.bw.write_bytes(input);
            return Ok(());
        }

        // Huffman.
        if dynamic {
            self.write_dynamic_header(num_literals, num_offsets, num_codegens, eof)?;
        } else {
            self.write_fixed_header(eof);
        }

        // Write the tokens.
        let (le, oe) = if dynamic {
            (&self.literal_encoding.codes, &self.offset_encoding.codes)
        } else {
            (
                &self.fixed_literal_encoding.codes,
                &self.fixed_offset_encoding.codes,
            )
        };
        write_tokens(&mut self.bw, tokens, le, oe)
    }

    /// `indexTokens`: count literal/length and offset frequencies (including the
    /// end-of-block marker), generate the dynamic codes, and return how many literal and
    /// offset codes a dynamic header needs.
    fn index_tokens(&mut self, tokens: &[u32]) -> Res<(usize, usize)> {
        self.literal_freq = [0; MAX_NUM_LIT];
        self.offset_freq = [0; OFFSET_CODE_COUNT];

        for &t in tokens.iter().chain(std::iter::once(&END_BLOCK_MARKER)) {
            if t < MATCH_TYPE {
                *self.literal_freq.get_mut(t as usize).ok_or(Bug)? += 1;
                continue;
            }
            let lc = LENGTH_CODES_START + length_code(token_length(t));
            *self.literal_freq.get_mut(lc).ok_or(Bug)? += 1;
            *self
                .offset_freq
                .get_mut(offset_code(token_offset(t)))
                .ok_or(Bug)? += 1;
        }

        // Get the number of literals (the end-of-block marker is always counted).
        let mut num_literals = self.literal_freq.len();
        while num_literals > 0 && self.literal_freq[num_literals - 1] == 0 {
            num_literals -= 1;
        }
        // Get the number of offsets.
        let mut num_offsets = self.offset_freq.len();
        while num_offsets > 0 && self.offset_freq[num_offsets - 1] == 0 {
            num_offsets -= 1;
        }
        if num_offsets == 0 {
            // We haven't found a single match. If we want to go with the dynamic encoding,
            // we should count at least one offset to be sure that the offset huffman tree
            // could be encoded.
            self.offset_freq[0] = 1;
            num_offsets = 1;
        }
        let (lf, of) = (self.literal_freq, self.offset_freq);
        self.literal_encoding.generate(&lf, 15)?;
        self.offset_encoding.generate(&of, 15)?;
        Ok((num_literals, num_offsets))
    }
}

/// Appends `v` to the codegen output at `out_index` (part of `generateCodegen`).
fn put(codegen: &mut [u8], out_index: &mut usize, v: u8) -> Res<()> {
    *codegen.get_mut(*out_index).ok_or(Bug)? = v;
    *out_index += 1;
    Ok(())
}

/// `storedSize`: the size in bits of `input` as one stored block, and whether it fits one.
fn stored_size(input: Option<&[u8]>) -> (i64, bool) {
    match input {
        Some(input) if input.len() <= MAX_STORE_BLOCK_SIZE => ((input.len() as i64 + 5) * 8, true),
        _ => (0, false),
    }
}

/// `writeTokens`: the tokens and the end-of-block marker, with the given codes.
fn write_tokens(bw: &mut BitWriter, tokens: &[u32], le: &[HCode], oe: &[HCode]) -> Res<()> {
    for &t in tokens.iter().chain(std::iter::once(&END_BLOCK_MARKER)) {
        if t < MATCH_TYPE {
            bw.write_code(*le.get(t as usize).ok_or(Bug)?);
            continue;
        }
        // Write the length.
        let length = token_length(t);
        let lc = length_code(length);
        bw.write_code(*le.get(lc + LENGTH_CODES_START).ok_or(Bug)?);
        let extra_length_bits = u32::from(*LENGTH_EXTRA_BITS.get(lc).ok_or(Bug)?);
        if extra_length_bits > 0 {
            let base = *LENGTH_BASE.get(lc).ok_or(Bug)?;
            let extra = u32::from(length).checked_sub(base).ok_or(Bug)?;
            bw.write_bits(extra, extra_length_bits);
        }
        // Write the offset.
        let offset = token_offset(t);
        let oc = offset_code(offset);
        bw.write_code(*oe.get(oc).ok_or(Bug)?);
        let extra_offset_bits = u32::from(*OFFSET_EXTRA_BITS.get(oc).ok_or(Bug)?);
        if extra_offset_bits > 0 {
            let base = *OFFSET_BASE.get(oc).ok_or(Bug)?;
            let extra = offset.checked_sub(base).ok_or(Bug)?;
            bw.write_bits(extra, extra_offset_bits);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_is_header_empty_final_stored_block_and_trailer() {
        assert_eq!(
            compress_best(b""),
            [
                0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0
            ]
        );
    }

    #[test]
    fn one_byte_is_a_fixed_block() {
        assert_eq!(
            compress_best(b"a"),
            [
                0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff, 0x4a, 0x04, 0x04, 0, 0, 0xff, 0xff, 0x43,
                0xbe, 0xb7, 0xe8, 1, 0, 0, 0
            ]
        );
    }

    #[test]
    fn streaming_writer_matches_one_shot_and_go_headers() {
        let data: Vec<u8> = (0..150_000u32).map(|i| (i * 31 % 97) as u8).collect();
        let mut w = GzipWriter::new_best();
        w.write(&data);
        assert_eq!(w.finish().unwrap(), compress_best(&data));
        // Default level: XFL 0; no write at all is the empty stream.
        let empty = GzipWriter::new_default().finish().unwrap();
        assert_eq!(
            empty,
            [
                0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0
            ]
        );
        // Any cut of the input decompresses to the input.
        let mut w = GzipWriter::new_default();
        for c in data.chunks(777) {
            w.write(c);
        }
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&w.finish().unwrap()[..]),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn offset_codes_match_rfc_1951() {
        // Distances 1..=4 are codes 0..=3; 5..=6 is 4; 32769 is beyond the last code 29.
        assert_eq!(offset_code(0), 0);
        assert_eq!(offset_code(4), 4);
        assert_eq!(offset_code(24576), 29);
        assert_eq!(offset_code(32767), 29);
        assert_eq!(offset_code(256), 16);
    }

    #[test]
    fn reverse_bits_like_go() {
        assert_eq!(reverse_bits(1, 1), 1);
        assert_eq!(reverse_bits(0b110, 3), 0b011);
        assert_eq!(reverse_bits(1, 16), 0x8000);
        assert_eq!(reverse_bits(1, 0), 0);
    }

    #[test]
    fn generate_limits_code_lengths() {
        // Fibonacci frequencies would need 24-bit codes without the length limit.
        let mut freq = [0i32; MAX_NUM_LIT];
        let (mut a, mut b) = (1, 1);
        for f in freq.iter_mut().take(25) {
            *f = a;
            (a, b) = (b, a + b);
        }
        let mut h = HuffmanEncoder::new(MAX_NUM_LIT);
        h.generate(&freq, 15).unwrap();
        let lens: Vec<u16> = h.codes[..25].iter().map(|c| c.len).collect();
        assert_eq!(lens.iter().max(), Some(&15));
        // A complete prefix code: the Kraft sum is exactly 1.
        let kraft: u64 = lens.iter().map(|&l| 1u64 << (15 - l)).sum();
        assert_eq!(kraft, 1 << 15);
        assert!(h.codes[25..].iter().all(|c| c.len == 0));
    }

    #[test]
    fn match_len_counts_common_prefix() {
        assert_eq!(match_len(b"abcdefghijk", b"abcdefghijX"), 10);
        assert_eq!(match_len(b"abc", b"abc"), 3);
        assert_eq!(match_len(b"Xbc", b"abc"), 0);
        assert_eq!(match_len(b"abcdefgh12345678", b"abcdefgh1234567Z"), 15);
    }

    #[test]
    fn stored_fallback_is_valid_deflate() {
        use std::io::Read;
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&deflate_stored(&data)[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
    }
}
