//! `gitward::go::gzip` against Go's `compress/gzip` at `BestCompression`.
//!
//! The expected outputs were recorded with the Go reference tool in `tools/gogzip-ref`
//! (Go 1.25.7 and Go 1.26.8 give the same bytes). To check them again against Go:
//!
//! ```sh
//! cd tools/gogzip-ref && go build -o /tmp/gogzip-ref .
//! GOGZIP_REF=/tmp/gogzip-ref cargo test -p gitward --no-default-features --test gogzip -- --ignored
//! ```

use std::io::Read;

use gitward::go::gzip::{compress_best, deflate_best};
use sha2::{Digest, Sha256};

/// A small deterministic PRNG (SplitMix64), so the inputs need no data files.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Text from a random vocabulary: words, spaces, newlines and some YAML-ish punctuation.
fn words(rng: &mut Rng, vocabulary: usize, len: usize) -> Vec<u8> {
    let vocab: Vec<Vec<u8>> = (0..vocabulary)
        .map(|_| {
            let n = 1 + rng.below(10) as usize;
            (0..n).map(|_| b'a' + rng.below(26) as u8).collect()
        })
        .collect();
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(&vocab[rng.below(vocabulary as u64) as usize]);
        out.extend_from_slice(match rng.below(12) {
            0 => b"\n",
            1 => b": ",
            2 => b"\n  - ",
            _ => b" ",
        });
    }
    out.truncate(len);
    out
}

/// Something shaped like a Helm release as Helm stores it: JSON with a manifest string
/// (escaped YAML) and base64 chart files.
fn release_like_json(rng: &mut Rng, len: usize) -> Vec<u8> {
    let kinds = [
        "ConfigMap",
        "Deployment",
        "Service",
        "Secret",
        "ServiceAccount",
    ];
    let keys = [
        "name",
        "namespace",
        "labels",
        "app",
        "image",
        "replicas",
        "port",
        "targetPort",
        "protocol",
        "containers",
        "env",
        "value",
        "resources",
        "limits",
        "cpu",
        "memory",
    ];
    let mut manifest = String::new();
    let mut files = Vec::new();
    let mut n = 0;
    while manifest.len() + files.iter().map(String::len).sum::<usize>() < len {
        n += 1;
        let kind = kinds[rng.below(kinds.len() as u64) as usize];
        manifest.push_str(&format!(
            "---\\n# Source: chart/templates/t{n}.yaml\\napiVersion: v1\\nkind: {kind}\\nmetadata:\\n  name: release-name-{n}\\n"
        ));
        for depth in 0..(3 + rng.below(20)) {
            let key = keys[rng.below(keys.len() as u64) as usize];
            let indent = "  ".repeat(1 + (depth % 4) as usize);
            manifest.push_str(&format!("{indent}{key}: v{}\\n", rng.below(5000)));
        }
        if rng.below(3) == 0 {
            let size = 200 + rng.below(2000) as usize;
            let raw = words(rng, 40, size);
            files.push(format!(
                "{{\"name\":\"templates/t{n}.yaml\",\"data\":\"{}\"}}",
                base64(&raw)
            ));
        }
    }
    let mut out = format!(
        "{{\"name\":\"rel\",\"info\":{{\"status\":\"deployed\"}},\"chart\":{{\"metadata\":{{\"name\":\"chart\",\"version\":\"1.2.3\"}},\"templates\":[{}]}},\"manifest\":\"{manifest}\",\"version\":1,\"namespace\":\"default\"}}",
        files.join(",")
    )
    .into_bytes();
    out.truncate(len);
    out
}

/// Blocks of random bytes repeated with a few mutations: long-distance matches.
fn mutated_repeats(rng: &mut Rng, period: usize, len: usize) -> Vec<u8> {
    let pattern = rng.bytes(period);
    let mut out = Vec::with_capacity(len + period);
    while out.len() < len {
        out.extend_from_slice(&pattern);
        let at = rng.below(out.len() as u64) as usize;
        out[at] = rng.next() as u8;
    }
    out.truncate(len);
    out
}

/// Symbols with Fibonacci frequencies in random order: skewed enough that the Huffman
/// codes hit Go's 15-bit length limit.
fn fibonacci_symbols(rng: &mut Rng, symbols: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut a, mut b) = (1usize, 1usize);
    for sym in 0..symbols {
        out.extend(std::iter::repeat_n(sym.wrapping_mul(9).wrapping_add(1), a));
        (a, b) = (b, a + b);
    }
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}

/// Runs of one byte of random lengths.
fn runs(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 600);
    while out.len() < len {
        let b = rng.next() as u8;
        let max = if rng.below(2) == 0 { 8 } else { 600 };
        let n = 1 + rng.below(max) as usize;
        out.extend(std::iter::repeat_n(b, n));
    }
    out.truncate(len);
    out
}

/// The named test inputs.
fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut r = Rng(1);
    let mut cases = vec![
        ("empty", Vec::new()),
        ("all-256-bytes", (0..=255u8).collect()),
        ("a-x-1MiB", vec![b'a'; 1 << 20]),
        ("random-100000", r.bytes(100_000)),
        ("random-65535", r.bytes(65535)),
        ("random-65536", r.bytes(65536)),
        ("random-65537", r.bytes(65537)),
        ("random-16383", r.bytes(16383)),
        ("random-16384", r.bytes(16384)),
        ("random-16385", r.bytes(16385)),
        ("random-300000", r.bytes(300_000)),
        (
            "abcd-200000",
            (0..200_000).map(|_| b'a' + r.below(4) as u8).collect(),
        ),
        (
            "ab-65537",
            (0..65537).map(|_| b'a' + r.below(2) as u8).collect(),
        ),
        (
            "digits-131072",
            (0..131_072).map(|_| b'0' + r.below(10) as u8).collect(),
        ),
        ("words-16385", words(&mut r, 300, 16385)),
        ("words-32768", words(&mut r, 300, 32768)),
        ("words-500000", words(&mut r, 2000, 500_000)),
        ("few-words-400000", words(&mut r, 5, 400_000)),
        ("runs-300000", runs(&mut r, 300_000)),
        (
            "repeats-1000-200000",
            mutated_repeats(&mut r, 1000, 200_000),
        ),
        (
            "repeats-30000-400000",
            mutated_repeats(&mut r, 30_000, 400_000),
        ),
        ("release-10k", release_like_json(&mut r, 10_000)),
        ("release-300k", release_like_json(&mut r, 300_000)),
        ("release-2M", release_like_json(&mut r, 2_000_000)),
        ("fibonacci-20", fibonacci_symbols(&mut r, 20)),
        ("fibonacci-24", fibonacci_symbols(&mut r, 24)),
    ];
    // Small sizes of mixed text.
    for n in [1usize, 2, 3, 4, 5, 7, 100, 257, 1000] {
        let name: &'static str = Box::leak(format!("words-{n}").into_boxed_str());
        cases.push((name, words(&mut r, 20, n)));
    }
    cases
}

/// The inputs with the SHA-256 of Go's gzip output for each (from [`EXPECTED`]).
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let inputs = inputs();
    assert_eq!(
        inputs.len(),
        EXPECTED.len(),
        "EXPECTED is out of step with inputs()"
    );
    inputs
        .into_iter()
        .zip(EXPECTED)
        .map(|((name, data), (want_name, sha))| {
            assert_eq!(name, *want_name, "EXPECTED is out of step with inputs()");
            (name, data, *sha)
        })
        .collect()
}

/// SHA-256 of the output of `tools/gogzip-ref` for each case, in order.
const EXPECTED: &[(&str, &str)] = &[
    (
        "empty",
        "10c2221846da8b4250e556aa520c86d6674614d7c5874d8b9cb7f26d62835036",
    ),
    (
        "all-256-bytes",
        "4e3a1a8568e040ee2783d320f9a53f5001d6da525b76200dd603fa62e10bb754",
    ),
    (
        "a-x-1MiB",
        "5200e89fa78dbcc0b1e5b4cb292c7165f95886f89dfb5e4ffdb7574d13b66089",
    ),
    (
        "random-100000",
        "198b5424502f2668edeed75e8ee6d0280364ac2eec1632e7df0f93d331c53ce8",
    ),
    (
        "random-65535",
        "15b6afe8465d7279b191049abce87d4d7f5e1888ca2012315a6968ddf37691f5",
    ),
    (
        "random-65536",
        "198e56f71f7eefb5dcde17ac323f86d6b4f97a47c34aa93380bd7f9363a33a6c",
    ),
    (
        "random-65537",
        "5710d0018f1452549c6572fa24d952acfff6fc92b7dbb706a646c771b411ef39",
    ),
    (
        "random-16383",
        "28a3b41b5975c86bfd9886fe926cadd33c3261868bff09cad6511a5dc52b7829",
    ),
    (
        "random-16384",
        "28f106209e97fe2051bb29ac6fc627131c2f72ae43547c974adb56a9855dfc60",
    ),
    (
        "random-16385",
        "52c06b07d1ff63540d06cd26a3bd37838f543faac70051337c0a0c5c1bd25e47",
    ),
    (
        "random-300000",
        "2e557e1c61724a246229958192951ad38bf6db0137b0f2a8745c872643bec1a0",
    ),
    (
        "abcd-200000",
        "ed0175833de3150bdaaecdb857b01165a710a93859c56da9da38855a8c4e06c9",
    ),
    (
        "ab-65537",
        "6773af2e606efcb44328aa8a6fdfb58e2e78d8c50a51c7d238a5ff2df6acdbb0",
    ),
    (
        "digits-131072",
        "8cb8966791e5b18dc771715c730aca22adfde32061615f124ca41645289acdd8",
    ),
    (
        "words-16385",
        "3e1547e10e0d27482fba83e8d8163375645647b21d391045bebfb4b4b4701d3c",
    ),
    (
        "words-32768",
        "eb5bf771db3b2d361474e8c0dded50f62a5fd827fec9f43762ee322962dd2d3f",
    ),
    (
        "words-500000",
        "4fcb4639a46b1f3efb6b0464cb972593aa329f3500141a74b2ac89956ab1cf0a",
    ),
    (
        "few-words-400000",
        "516295d7109c0cd48d29e75d6db8b18cd62bf4a6f643e6ad07ef098770655f9f",
    ),
    (
        "runs-300000",
        "83e55c821352f2a0f16b812cbb7f82c976933a23cc72c5fe7dd8f52e109d2c05",
    ),
    (
        "repeats-1000-200000",
        "f5c649fd4a20a31f112bbbdf673da1206e43a199bf43a54a6f36804fb3086e38",
    ),
    (
        "repeats-30000-400000",
        "8ef402266e00280a6a54694b276a32fba01867b80f2be384b2f595b0edf7e9c2",
    ),
    (
        "release-10k",
        "9f669c376bb054ede74d81ea4a84beea4d2253bf2e88bdb0019a5a899363e8ec",
    ),
    (
        "release-300k",
        "bdc0741f81fee14bedf3bdcaad75afbe7adc3a164eed899847171d7ca3053885",
    ),
    (
        "release-2M",
        "7c23ee58f8206b6114c4e5a399e865a941f17ef2ef642f91844730368829825f",
    ),
    (
        "fibonacci-20",
        "70221609dd54c3d368f209c43169906cf30d5f66d72946ece7111cd36e61973d",
    ),
    (
        "fibonacci-24",
        "e42fdd68b79ee60946ba5c4605ddc351060d582aeafd67b69c59046b69e07897",
    ),
    (
        "words-1",
        "fcb0c6c17cdb5fae5e897d85bbdc9f3559f638823824b62791d08fd5d0f73488",
    ),
    (
        "words-2",
        "b6021814453368c7fa916951f0705ba4e6033c8c503442050f5f16d455fb4282",
    ),
    (
        "words-3",
        "82aae8413da9663dc961041672962b887e11a42767b13f98ec89443a42ae831a",
    ),
    (
        "words-4",
        "1dc9f1b5983a9c3a4db838e8bf4e196faca95c9e18a96e772f9f38f48d9458d2",
    ),
    (
        "words-5",
        "78acf385d2f9490dffd57b6acf067dad840264e4c4f887026736c02c3ee7f82e",
    ),
    (
        "words-7",
        "f2cd92b2eb390121a8d7d6ddc3201220cf38635c0ca359f681e9e0dff4275529",
    ),
    (
        "words-100",
        "01629ec1810e1082472d4cf03e6b78432e30ad15f4247fb32b5b9ea63fcecf2a",
    ),
    (
        "words-257",
        "7c07582e6354515a74df7fadeb05dd85da983e6afc7e02fcedbc9b46620e1e5e",
    ),
    (
        "words-1000",
        "0fd334fc265d95065cb4beb73915fb731d97e252af74106bc9ae4d85b6af960f",
    ),
];

#[test]
fn empty_input_literal_bytes() {
    assert_eq!(
        compress_best(b""),
        [
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff, // header: MTIME 0, XFL 2, OS 255
            0x01, 0x00, 0x00, 0xff, 0xff, // final empty stored block
            0, 0, 0, 0, 0, 0, 0, 0, // CRC-32 and ISIZE
        ]
    );
}

#[test]
fn tiny_inputs_literal_bytes() {
    // Recorded with tools/gogzip-ref.
    assert_eq!(
        compress_best(b"a"),
        [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x4a, 0x04, 0x04, 0x00,
            0x00, 0xff, 0xff, 0x43, 0xbe, 0xb7, 0xe8, 0x01, 0x00, 0x00, 0x00
        ]
    );
    assert_eq!(compress_best(b"hello, world\n"), HELLO);
    assert_eq!(compress_best(&[b'x'; 100]), X100);
}

/// Go's output for `hello, world\n`.
const HELLO: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xca, 0x48, 0xcd, 0xc9, 0xc9, 0xd7,
    0x51, 0x28, 0xcf, 0x2f, 0xca, 0x49, 0xe1, 0x02, 0x04, 0x00, 0x00, 0xff, 0xff, 0x53, 0x74, 0x24,
    0xf4, 0x0d, 0x00, 0x00, 0x00,
];
/// Go's output for 100 times `x`.
const X100: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xaa, 0xa0, 0x03, 0x00, 0x04, 0x00,
    0x00, 0xff, 0xff, 0x8f, 0x5d, 0x0e, 0x5e, 0x64, 0x00, 0x00, 0x00,
];

#[test]
fn outputs_match_go() {
    let mut failures = Vec::new();
    for (name, data, sha) in cases() {
        let got = sha256_hex(&compress_best(&data));
        if got != sha {
            failures.push(format!("{name}: got {got}, want {sha}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gzip_is_header_deflate_trailer() {
    let data = words(&mut Rng(7), 50, 70_000);
    let gz = compress_best(&data);
    assert_eq!(&gz[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
    assert_eq!(&gz[10..gz.len() - 8], deflate_best(&data).as_slice());
    assert_eq!(&gz[gz.len() - 4..], &(data.len() as u32).to_le_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&data);
    assert_eq!(&gz[gz.len() - 8..gz.len() - 4], &crc.sum().to_le_bytes());
}

#[test]
fn roundtrip_through_flate2() {
    let mut r = Rng(99);
    let inputs = [
        Vec::new(),
        vec![0u8],
        r.bytes(70_000),
        words(&mut r, 30, 250_000),
        release_like_json(&mut r, 150_000),
        runs(&mut r, 100_000),
        mutated_repeats(&mut r, 5000, 150_000),
    ];
    for data in inputs {
        let gz = compress_best(&data);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data, "roundtrip of {} bytes", data.len());
    }
}

/// Differential check against the Go tool (see the module docs); prints the table rows.
#[test]
#[ignore = "needs the Go reference tool: set GOGZIP_REF to its path"]
fn record_and_compare_with_go() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let tool = std::env::var("GOGZIP_REF").expect("GOGZIP_REF");
    let go = |data: &[u8]| -> Vec<u8> {
        let mut child = Command::new(&tool)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = data.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input).unwrap());
        let mut out = Vec::new();
        child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
        writer.join().unwrap();
        assert!(child.wait().unwrap().success());
        out
    };
    let mut mismatches = 0;
    for (name, data) in inputs() {
        let want = go(&data);
        if compress_best(&data) != want {
            mismatches += 1;
            println!("MISMATCH {name}");
        }
        println!("    (\"{name}\", \"{}\"),", sha256_hex(&want));
    }
    for (label, data) in [
        ("HELLO", &b"hello, world\n"[..]),
        ("X100", &[b'x'; 100][..]),
    ] {
        println!("{label}: {:02x?}", go(data));
    }
    assert_eq!(mismatches, 0);
}
