//! Lenient field readers for evidence rows written by other deployments.
//!
//! The original stores loosely typed rows; these readers accept what Python's `str(x or "")`,
//! `bool(x)` and `int(x or 0)` accept, so exported evidence can be evaluated as it is.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Python `str(value or "")` for scalars; containers read as empty.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_f64() != Some(0.0) => n.to_string(),
        Value::Bool(true) => "True".into(),
        _ => String::new(),
    }
}

/// Python truthiness.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python `int(value or 0)` for numbers and numeric strings; anything else is 0.
pub fn int_of(value: &Value) -> i64 {
    match value {
        Value::Number(n) => n.as_i64().unwrap_or_else(|| n.as_f64().map_or(0, |f| f.trunc() as i64)),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// `Option<String>`: a scalar as text, empty/null as `None`.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    let s = text_of(&v);
    Ok(if s.is_empty() { None } else { Some(s) })
}

/// A list of non-empty texts; a single string reads as a one-item list.
pub fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.iter().map(text_of).filter(|s| !s.is_empty()).collect(),
        Value::String(s) if !s.is_empty() => vec![s],
        _ => Vec::new(),
    })
}

/// Python `bool(value)`.
pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(truthy(&Value::deserialize(d)?))
}

/// `Option<bool>`: absent/null is `None`, anything else by truthiness.
pub fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(if v.is_null() { None } else { Some(truthy(&v)) })
}

/// Python `int(value or 0)`.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(int_of(&Value::deserialize(d)?))
}
