//! Fuzzes reading Helm release records: the input is tried as release JSON, as the stored
//! text (base64, gzip or not) and as raw deflate input for the Go-identical compressor.
//! Nothing may panic; whatever decodes must print again and read back to the same record.

#![no_main]

use gitward::helm::release::{Release, decode_release, encode_release};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(rel) = Release::from_json(&text) {
        if let Ok(json) = rel.to_json() {
            let again = Release::from_json(&json).expect("printed JSON reads back");
            assert_eq!(again.to_json().expect("prints again"), json);
        }
    }
    if let Ok(rel) = decode_release(&text) {
        if let Ok(stored) = encode_release(&rel) {
            let again = decode_release(&stored).expect("stored text decodes");
            assert_eq!(again.to_json().ok(), rel.to_json().ok());
        }
    }
    let gz = gitward::go::gzip::compress_best(data);
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut out)
        .expect("valid gzip");
    assert_eq!(out, data);
});
