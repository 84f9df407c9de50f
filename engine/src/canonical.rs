//! Canonical JSON: the bytes that ids and the evidence chain hash.
//!
//! It is Python's `json.dumps(value, sort_keys=True)`: keys sorted, `", "` and `": "` separators,
//! non-ASCII escaped as `\uXXXX`, floats in `repr` form. Hashing the same bytes as the original
//! keeps our ids in the original's form and makes the chain checkable from any language.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// Canonical JSON text of any serialisable value.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(v) => canonical_of_value(&v),
        Err(_) => "null".into(),
    }
}

/// Canonical JSON text of a JSON value (no copy of the value is made).
pub fn canonical_of_value(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value);
    out
}

/// Lower-case hex SHA-256 of the canonical JSON of `value`.
pub fn sha256_hex<T: Serialize + ?Sized>(value: &T) -> String {
    hex::encode(Sha256::digest(to_canonical_json(value).as_bytes()))
}

/// Lower-case hex SHA-256 of the canonical JSON of a JSON value.
pub fn sha256_of_value(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_of_value(value).as_bytes()))
}

/// `<prefix>-<first 16 hex digits of sha256(canonical JSON of material)>`.
pub fn stable_id<T: Serialize + ?Sized>(prefix: &str, material: &T) -> String {
    let digest = sha256_hex(material);
    format!("{prefix}-{}", &digest[..16])
}

/// `stable_id` of `head` plus `list_key: items`, hashed piece by piece: the same digest as
/// building the whole material, without a second copy of a long list (a 100k-row retry plan's
/// decisions) as one JSON value and one text. `head` keys must sort before `list_key`.
pub fn stable_id_with_list<T: Serialize>(prefix: &str, head: &serde_json::Map<String, Value>, list_key: &str, items: &[T]) -> String {
    if head.keys().any(|k| k.as_str() >= list_key) {
        let mut material = head.clone();
        material.insert(list_key.into(), serde_json::to_value(items).unwrap_or(Value::Null));
        return stable_id_of_value(prefix, &Value::Object(material));
    }
    let mut hasher = Sha256::new();
    let mut out = String::with_capacity(64 * 1024);
    out.push('{');
    let mut keys: Vec<&String> = head.keys().collect();
    keys.sort();
    for key in keys {
        write_string(&mut out, key);
        out.push_str(": ");
        write_value(&mut out, &head[key]);
        out.push_str(", ");
    }
    write_string(&mut out, list_key);
    out.push_str(": [");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match serde_json::to_value(item) {
            Ok(v) => write_value(&mut out, &v),
            Err(_) => out.push_str("null"),
        }
        if out.len() >= 60 * 1024 {
            hasher.update(out.as_bytes());
            out.clear();
        }
    }
    out.push_str("]}");
    hasher.update(out.as_bytes());
    format!("{prefix}-{}", &hex::encode(hasher.finalize())[..16])
}

/// `stable_id` for material that is already a JSON value.
pub fn stable_id_of_value(prefix: &str, material: &Value) -> String {
    let digest = sha256_of_value(material);
    format!("{prefix}-{}", &digest[..16])
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                out.push_str(&python_float_repr(f));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, key);
                out.push_str(": ");
                write_value(out, &map[key]);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    // Most text needs no escape: copy it in one piece.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, scientific below 1e-4 and from 1e16.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // `{:e}` gives the shortest round-trip mantissa, e.g. `1.5e-5`.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if (point as usize) >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() { first.to_string() } else { format!("{first}.{rest}") };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exponent.abs())
    }
}

/// Lower-case hex SHA-256 of raw text (the original's pipe-joined id materials).
pub fn sha256_text(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `json.dumps(value, sort_keys=True)` (Python's default separators), as the original writes
/// JSON into human-facing texts.
pub fn python_json_dumps_sorted(value: &Value) -> String {
    canonical_of_value(value)
}

/// Python's `repr()` of a JSON value (`{'a': None, 'b': True}`), as the original writes a
/// summary dict into chat texts.
pub fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => python_float_repr(f),
            None => n.to_string(),
        },
        Value::String(s) => python_str_repr(s),
        Value::Array(items) => format!("[{}]", items.iter().map(python_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter().map(|(k, v)| format!("{}: {}", python_str_repr(k), python_repr(v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn python_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps_sort_keys() {
        let v = json!({"b": [1, 2.0, "x"], "a": {"z": null, "y": true}, "é": "naïve ☃ 😀"});
        assert_eq!(
            to_canonical_json(&v),
            r#"{"a": {"y": true, "z": null}, "b": [1, 2.0, "x"], "\u00e9": "na\u00efve \u2603 \ud83d\ude00"}"#
        );
        assert_eq!(to_canonical_json(&json!({})), "{}");
        assert_eq!(to_canonical_json(&json!("a\"b\\c\n\u{1}\u{7f}/")), r#""a\"b\\c\n\u0001\u007f/""#);
    }

    #[test]
    fn floats_follow_python_repr() {
        let cases = [
            (2.0, "2.0"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (123456.789, "123456.789"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (0.0, "0.0"),
        ];
        for (f, expected) in cases {
            assert_eq!(python_float_repr(f), expected, "{f}");
        }
    }

    #[test]
    fn stable_id_uses_sixteen_hex_digits() {
        let id = stable_id("gordackretry", &json!({"generated_at": "2026-11-23T10:00:00+00:00"}));
        assert!(id.starts_with("gordackretry-"));
        assert_eq!(id.len(), "gordackretry-".len() + 16);
        // python3: hashlib.sha256(json.dumps({"a": 1}, sort_keys=True).encode()).hexdigest()
        assert_eq!(stable_id("x", &json!({"a": 1})), "x-f9d86028c6e0d64e");
    }
}
