//! Strict reading of JSON request objects: typed values, aliases, bounds, unknown-field checks.

use crate::error::{EngineError, Result};
use serde_json::{Map, Value};
use std::cell::RefCell;

/// A JSON object being read field by field. Every read records the key, so `finish` can
/// refuse keys nobody asked for.
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    path: String,
    seen: RefCell<Vec<String>>,
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Fields<'a> {
    /// Reads `value` as an object; `null` or absent reads as `{}`.
    pub fn new(value: Option<&'a Value>, path: &str) -> Result<Self> {
        match value {
            None | Some(Value::Null) => Ok(Self::of(&EMPTY, path)),
            Some(Value::Object(obj)) => Ok(Self::of(obj, path)),
            Some(_) => Err(EngineError::invalid(display_path(path), "must be a JSON object")),
        }
    }

    pub fn of(obj: &'a Map<String, Value>, path: &str) -> Self {
        Self { obj, path: path.to_string(), seen: RefCell::new(Vec::new()) }
    }

    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }
    }

    /// The first present, non-null value among `keys` (a name and its aliases).
    fn raw(&self, keys: &[&str]) -> Option<(String, &'a Value)> {
        let mut seen = self.seen.borrow_mut();
        seen.extend(keys.iter().map(|k| k.to_string()));
        keys.iter()
            .find_map(|k| self.obj.get(*k).filter(|v| !v.is_null()).map(|v| (self.field_path(k), v)))
    }

    pub fn has(&self, key: &str) -> bool {
        self.obj.get(key).is_some_and(|v| !v.is_null())
    }

    /// A nested object (absent reads as empty).
    pub fn object(&self, key: &str) -> Result<Fields<'a>> {
        let path = self.field_path(key);
        match self.raw(&[key]) {
            None => Ok(Fields::of(&EMPTY, &path)),
            Some((_, Value::Object(obj))) => Ok(Fields::of(obj, &path)),
            Some((p, _)) => Err(EngineError::invalid(p, "must be a JSON object")),
        }
    }

    pub fn string(&self, keys: &[&str], max_len: usize) -> Result<Option<String>> {
        match self.raw(keys) {
            None => Ok(None),
            Some((p, Value::String(s))) => {
                if s.chars().count() > max_len {
                    return Err(EngineError::invalid(p, format!("must be at most {max_len} characters")));
                }
                Ok(Some(s.clone()))
            }
            Some((p, _)) => Err(EngineError::invalid(p, "must be a string")),
        }
    }

    /// A required, non-blank string.
    pub fn required_string(&self, key: &str, max_len: usize) -> Result<String> {
        match self.string(&[key], max_len)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(EngineError::missing(self.field_path(key))),
        }
    }

    pub fn bool(&self, keys: &[&str]) -> Result<Option<bool>> {
        match self.raw(keys) {
            None => Ok(None),
            Some((_, Value::Bool(b))) => Ok(Some(*b)),
            Some((p, _)) => Err(EngineError::invalid(p, "must be true or false")),
        }
    }

    /// An integer within `min..=max`; integral floats such as `3.0` are accepted.
    pub fn integer(&self, keys: &[&str], min: i64, max: i64) -> Result<Option<i64>> {
        let Some((p, v)) = self.raw(keys) else { return Ok(None) };
        let n = match v {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)),
            _ => None,
        };
        let n = n.ok_or_else(|| EngineError::invalid(&p, "must be an integer"))?;
        if n < min || n > max {
            return Err(EngineError::invalid(p, format!("must be between {min} and {max}")));
        }
        Ok(Some(n))
    }

    /// A finite number within `min..=max`.
    pub fn number(&self, keys: &[&str], min: f64, max: f64) -> Result<Option<f64>> {
        let Some((p, v)) = self.raw(keys) else { return Ok(None) };
        let n = v.as_f64().filter(|f| f.is_finite()).ok_or_else(|| EngineError::invalid(&p, "must be a number"))?;
        if n < min || n > max {
            return Err(EngineError::invalid(p, format!("must be between {min} and {max}")));
        }
        Ok(Some(n))
    }

    /// A list of strings (each at most `max_len`), at most `max_items` long.
    pub fn strings(&self, key: &str, max_items: usize, max_len: usize) -> Result<Vec<String>> {
        match self.raw(&[key]) {
            None => Ok(Vec::new()),
            Some((p, Value::Array(items))) => {
                if items.len() > max_items {
                    return Err(EngineError::invalid(p, format!("must have at most {max_items} items")));
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match v {
                        Value::String(s) if s.chars().count() <= max_len => Ok(s.clone()),
                        Value::String(_) => {
                            Err(EngineError::invalid(format!("{p}[{i}]"), format!("must be at most {max_len} characters")))
                        }
                        _ => Err(EngineError::invalid(format!("{p}[{i}]"), "must be a string")),
                    })
                    .collect()
            }
            Some((p, _)) => Err(EngineError::invalid(p, "must be a list of strings")),
        }
    }

    /// A raw value, for fields read elsewhere.
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        self.raw(&[key]).map(|(_, v)| v)
    }

    /// Marks keys as known without reading them.
    pub fn allow(&self, keys: &[&str]) {
        self.seen.borrow_mut().extend(keys.iter().map(|k| k.to_string()));
    }

    /// Refuses any key that was never read or allowed.
    pub fn finish(&self) -> Result<()> {
        let seen = self.seen.borrow();
        match self.obj.keys().find(|k| !seen.iter().any(|s| s == *k)) {
            None => Ok(()),
            Some(k) => Err(EngineError::invalid(self.field_path(k), "is not a known field")),
        }
    }
}

fn display_path(path: &str) -> String {
    if path.is_empty() { "body".into() } else { path.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_aliases_types_and_bounds() {
        let v = json!({"max_retries": 4, "multiplier": 1.5, "flag": true, "name": "x", "n": 3.0});
        let f = Fields::new(Some(&v), "retry_policy").expect("object");
        assert_eq!(f.integer(&["max_retry_attempts", "max_retries"], 1, 25), Ok(Some(4)));
        assert_eq!(f.number(&["backoff_multiplier", "multiplier"], 1.0, 10.0), Ok(Some(1.5)));
        assert_eq!(f.bool(&["flag"]), Ok(Some(true)));
        assert_eq!(f.integer(&["n"], 0, 10), Ok(Some(3)));
        assert!(f.finish().is_err(), "name was never read");
        assert_eq!(f.string(&["name"], 8), Ok(Some("x".into())));
        assert_eq!(f.finish(), Ok(()));
    }

    #[test]
    fn reports_the_field_path() {
        let v = json!({"max_retry_attempts": "3", "delay": 99});
        let f = Fields::new(Some(&v), "retry_policy").expect("object");
        let err = f.integer(&["max_retry_attempts"], 1, 25).expect_err("string is not an integer");
        assert_eq!(err.field().as_deref(), Some("retry_policy.max_retry_attempts"));
        let err = f.integer(&["delay"], 0, 10).expect_err("out of range");
        assert!(err.to_string().contains("between 0 and 10"));
        assert!(Fields::new(Some(&json!([1])), "x").is_err());
    }
}
