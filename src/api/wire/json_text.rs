//! Answers that write their own JSON text (sent by `api::json::written`): the hottest
//! one (show version) skips serde's per-field machinery and serde_json's byte-by-byte
//! escaping of strings that need none, which together were about a tenth of the
//! instructions of a request (`bench/instructions.sh`). Each writer must write exactly
//! what serde_json writes for the same value; the tests compare them.

use crate::domain::names::SecretName;

/// A secret name as its text, for the answers' `serialize_with` (the serde path the
/// written JSON is compared with).
pub(super) fn name_text<S: serde::Serializer>(
    name: &SecretName,
    out: S,
) -> Result<S::Ok, S::Error> {
    out.serialize_str(name.as_str())
}

/// A value that writes itself as JSON, byte for byte as `serde_json::to_vec` would.
pub trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// Checks the promise of [`WriteJson`] for `value`: the tests of every writer call it.
#[cfg(test)]
pub(super) fn assert_writes_as_serde_json<T: WriteJson + serde::Serialize>(value: &T) {
    let mut written = Vec::new();
    value.write_json(&mut written);
    assert_eq!(
        String::from_utf8(written).unwrap(),
        serde_json::to_string(value).unwrap()
    );
}

/// Whether serde_json would escape any byte of `text`: a control character, `"` or `\`.
/// Eight bytes at a time as one `u64` ("SWAR"): a few integer operations per word tell
/// whether any of its bytes is below 0x20 or equal to either character; the rest of
/// the bytes one by one.
fn needs_escaping(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Non-zero exactly when some byte of `word` is below `n` (n <= 0x80): a byte below
    // `n` borrows into its high bit, which only bytes of 0x80 and up have set already.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    let has = |word: u64, byte: u8| below(word ^ (ONES * u64::from(byte)), 1);
    let mut words = text.chunks_exact(8);
    for chunk in &mut words {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(bytes);
        if below(word, 0x20) | has(word, b'"') | has(word, b'\\') != 0 {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Writes `text` as a JSON string: copied whole when it needs no escape, otherwise
/// escaped by serde_json itself.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    if needs_escaping(text.as_bytes()) {
        // Writing into a `Vec` cannot fail, and a `str` always serializes.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Writes an integer as JSON.
pub fn write_int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Writes an optional integer: `null` for none, as serde_json writes `Option`.
pub fn write_opt_int(out: &mut Vec<u8>, n: Option<impl itoa::Integer>) {
    match n {
        Some(n) => write_int(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// Writes an optional string: `null` for none.
pub fn write_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => write_str(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in [
            "",
            "plain",
            "quote \" and backslash \\",
            "line\nfeed\ttab\r\u{0}\u{1f}",
            "\u{7f} delete is not escaped",
            "é, 中文, emoji 🎉",
            "</script>",
            &"x".repeat(1000),
        ] {
            assert_eq!(
                written(text),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_byte_at_every_place_of_a_word_is_told_apart() {
        let escaped = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        for byte in 0..=u8::MAX {
            for len in [1, 7, 8, 9, 17] {
                for at in 0..len {
                    for filler in [b'a', 0x7f, 0xff, 0x21, 0x5d] {
                        let mut text = vec![filler; len];
                        text[at] = byte;
                        let expected = text.iter().any(|&b| escaped(b));
                        assert_eq!(needs_escaping(&text), expected, "{text:?}");
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(text in any::<String>()) {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).unwrap());
        }
    }

    #[test]
    fn integers_are_written_as_serde_json_writes_them() {
        for n in [0_i64, -1, 1_795_000_000_000, i64::MIN, i64::MAX] {
            let mut out = Vec::new();
            write_int(&mut out, n);
            assert_eq!(out, serde_json::to_vec(&n).unwrap());
        }
    }
}
