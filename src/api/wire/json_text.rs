//! Answers that write their own JSON text (sent by `api::json::written`): the hottest
//! one (show version) skips serde's per-field machinery and serde_json's byte-by-byte
//! escaping of strings that need none, which together were about a tenth of the
//! instructions of a request (`bench/instructions.sh`). Each writer must write exactly
//! what serde_json writes for the same value; the tests compare them.

/// A value that writes itself as JSON, byte for byte as `serde_json::to_vec` would.
pub trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// Whether serde_json would escape any byte of `text`: a control character, `"` or `\`.
/// Sixteen bytes at a time, with no early exit inside a block, so the compiler checks
/// each block with a few vector instructions; the rest byte by byte.
#[allow(clippy::needless_bitwise_bool)] // lazy operators would stop the vectorizing too
fn needs_escaping(text: &[u8]) -> bool {
    let escaped = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = text.chunks_exact(16);
    let mut seen = false;
    for block in &mut blocks {
        seen |= block.iter().fold(false, |seen, &b| seen | escaped(b));
    }
    blocks
        .remainder()
        .iter()
        .fold(seen, |seen, &b| seen | escaped(b))
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
