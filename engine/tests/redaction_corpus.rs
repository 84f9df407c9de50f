//! SPEC §11: the secrets corpus (`tests/redaction/corpus.txt`) comes out of `redact` with zero
//! leaks, and the identifiers the product relies on come out unchanged.

use cavra_engine::redact::redact;
use std::collections::BTreeSet;

/// One corpus line: a category, the needle that must vanish, and the text it hides in.
pub struct Shape {
    pub category: String,
    pub needle: String,
    pub text: String,
}

/// Undoes the corpus escapes (`\n` newline, `\\` backslash).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn corpus() -> Vec<Shape> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/redaction/corpus.txt");
    let text = std::fs::read_to_string(&path).expect("tests/redaction/corpus.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let (Some(category), Some(needle), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
                panic!("corpus line is not category<TAB>needle<TAB>text: {l}")
            };
            Shape { category: category.into(), needle: unescape(needle), text: unescape(text) }
        })
        .collect()
}

#[test]
fn corpus_is_large_and_well_formed() {
    let shapes = corpus();
    let categories: BTreeSet<&str> = shapes.iter().map(|s| s.category.as_str()).collect();
    let needles: BTreeSet<&str> = shapes.iter().map(|s| s.needle.as_str()).collect();
    assert!(shapes.len() >= 100, "{} shapes", shapes.len());
    assert_eq!(needles.len(), shapes.len(), "needles are distinct");
    for s in &shapes {
        assert!(s.text.contains(&s.needle), "needle {:?} is not in its text {:?}", s.needle, s.text);
        assert!(s.needle.len() >= 6, "needle {:?} is too short to be distinctive", s.needle);
    }
    println!("redaction corpus: {} shapes in {} categories", shapes.len(), categories.len());
}

#[test]
fn every_needle_is_masked() {
    let shapes = corpus();
    let leaks: Vec<String> = shapes
        .iter()
        .filter_map(|s| {
            let out = redact(&s.text);
            out.contains(&s.needle).then(|| format!("[{}] {:?} -> {:?}", s.category, s.text, out))
        })
        .collect();
    assert!(leaks.is_empty(), "{} of {} shapes leak:\n{}", leaks.len(), shapes.len(), leaks.join("\n"));
}

#[test]
fn every_needle_is_masked_inside_surrounding_text() {
    // The same shapes embedded in a sentence, in JSON and after an identifier.
    for s in corpus() {
        for text in [
            format!("Retry for JIRA-123 failed: {} (see change:CHG0031)", s.text),
            serde_json::json!({"detail": s.text}).to_string(),
            format!("execution:gordackretryexec-0123456789abcdef\n{}\nend", s.text),
        ] {
            let out = redact(&text);
            assert!(!out.contains(&s.needle), "[{}] {text:?} -> {out:?}", s.category);
        }
    }
}

#[test]
fn redaction_is_idempotent_on_the_corpus() {
    for s in corpus() {
        let once = redact(&s.text);
        assert_eq!(redact(&once), once, "[{}] {:?}", s.category, s.text);
    }
}

#[test]
fn product_identifiers_survive() {
    let keep = [
        "JIRA-123",
        "OPS-4521",
        "CHG0031",
        "change:CHG0031",
        "INC0012345",
        "incident:INC0012345",
        "execution:gordackretryexec-0123456789abcdef",
        "gordackretryplan-0123456789abcdef",
        "retry_plan_id gordackretryplan-00aa11bb22cc33dd",
        "runbook RB-7 step 3",
        "verified by dashboard panel 12",
        "provider webhook returned HTTP 503",
        "closed after 2026-11-23T10:20:00Z",
        "version 1.2.3 deployed",
        "key rotation scheduled",
        "token rotation done",
        "password reset policy reviewed",
        "sessions: 3",
        "see PR #42 and commit abc1234",
        "sha256 prefix 0123456789abcdef",
    ];
    for text in keep {
        assert_eq!(redact(text), text, "over-redacted an identifier");
    }
}
