//! `docs/api/openapi.yaml` stays a complete and accurate route reference: it documents exactly
//! the routes of the shared route table (`cavra_e2e::routes`, which `access.rs` calls as every
//! role), every operation declares the role the table says it needs, and the table itself
//! matches the router (`host/service/src/api/mod.rs` and the list routes of `lists.rs`).
//!
//! No YAML crate: the document keeps a fixed block layout under `paths:` (path keys at two
//! spaces, `get:`/`post:` at four, `x-cavra-role:` at six), which this test also enforces.
//! Needs no built binaries.

use cavra_e2e::routes::{Need, OPEN_ROUTES, routes};
use cavra_e2e::{P, workspace_root};
use std::collections::{BTreeMap, BTreeSet};

/// One documented operation.
#[derive(Debug, Default, Clone)]
struct Operation {
    role: Option<String>,
    live_role: Option<String>,
    summary: bool,
    responses: bool,
    line: usize,
}

/// `(METHOD, path template)` → operation, from the `paths:` section.
fn documented(text: &str) -> BTreeMap<(String, String), Operation> {
    let mut ops: BTreeMap<(String, String), Operation> = BTreeMap::new();
    let mut seen_paths = BTreeSet::new();
    let mut in_paths = false;
    let mut path: Option<String> = None;
    let mut current: Option<(String, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        assert!(!raw.contains('\t'), "openapi.yaml:{line_no}: tab in YAML");
        let trimmed = raw.trim_end();
        if trimmed.is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        if indent == 0 {
            in_paths = trimmed == "paths:";
            path = None;
            current = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        let body = trimmed.trim_start();
        match indent {
            2 => {
                let key = body.strip_suffix(':').unwrap_or_else(|| panic!("openapi.yaml:{line_no}: a path key ends with `:`: {body}"));
                let key = key.trim_matches('"').trim_matches('\'').to_string();
                assert!(key.starts_with('/'), "openapi.yaml:{line_no}: path keys start with `/`: {key}");
                assert!(seen_paths.insert(key.clone()), "openapi.yaml:{line_no}: path `{key}` is listed twice");
                path = Some(key);
                current = None;
            }
            4 => {
                let path = path.as_ref().unwrap_or_else(|| panic!("openapi.yaml:{line_no}: operation outside a path"));
                let method = body.strip_suffix(':').map(str::to_ascii_uppercase);
                match method.as_deref() {
                    Some(m @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS")) => {
                        let key = (m.to_string(), path.clone());
                        assert!(!ops.contains_key(&key), "openapi.yaml:{line_no}: {m} {path} is documented twice");
                        ops.insert(key.clone(), Operation { line: line_no, ..Operation::default() });
                        current = Some(key);
                    }
                    _ => {
                        // Path-level keys (`parameters:`, `summary:`...) are not operations.
                        current = None;
                    }
                }
            }
            6 => {
                let Some(key) = &current else { continue };
                let op = ops.get_mut(key).expect("current operation");
                let value = |prefix: &str| body.strip_prefix(prefix).map(|v| v.trim().trim_matches('"').to_string());
                if let Some(role) = value("x-cavra-role:") {
                    op.role = Some(role);
                } else if let Some(role) = value("x-cavra-live-role:") {
                    op.live_role = Some(role);
                } else if body.starts_with("summary:") {
                    op.summary = true;
                } else if body.starts_with("responses:") {
                    op.responses = true;
                }
            }
            _ => {}
        }
    }
    ops
}

/// `{retry_plan_id}` and `{x}` compare equal: the table and the document may name ids differently.
fn shape(template: &str) -> String {
    template.split('/').map(|s| if s.starts_with('{') && s.ends_with('}') { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

fn document() -> String {
    let path = workspace_root().join("docs/api/openapi.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The served routes, each with the least role that passes and, where the body can make it a
/// live worker run, the role that needs.
fn served() -> BTreeMap<(String, String), (Need, Option<Need>)> {
    let mut table: BTreeMap<(String, String), (Need, Option<Need>)> = BTreeMap::new();
    for route in routes() {
        let key = (route.method.to_string(), shape(&route.template));
        let entry = table.entry(key).or_insert((route.need, None));
        if route.need == Need::Live {
            entry.1 = Some(Need::Live);
        } else {
            entry.0 = route.need;
        }
    }
    table
}

#[test]
fn every_served_route_is_documented_and_nothing_else() {
    let text = document();
    assert!(text.starts_with("openapi: 3.1"), "openapi.yaml must declare OpenAPI 3.1");
    let ops = documented(&text);
    let doc: BTreeSet<(String, String)> = ops.keys().map(|(m, p)| (m.clone(), shape(p))).collect();
    let mut table: BTreeSet<(String, String)> = served().into_keys().collect();
    table.extend(OPEN_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())));
    let undocumented: Vec<_> = table.difference(&doc).collect();
    let not_served: Vec<_> = doc.difference(&table).collect();
    assert!(
        undocumented.is_empty() && not_served.is_empty(),
        "docs/api/openapi.yaml drifted from the route table (tests/e2e/src/routes.rs)\n  served but not documented: {undocumented:#?}\n  documented but not served: {not_served:#?}"
    );
    println!("openapi: {} operations, all served", ops.len());
}

#[test]
fn every_operation_declares_its_role_summary_and_responses() {
    let ops = documented(&document());
    let served = served();
    let open: BTreeSet<(String, String)> = OPEN_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    let mut problems = Vec::new();
    for ((method, path), op) in &ops {
        let at = format!("openapi.yaml:{} {method} {path}", op.line);
        if !op.summary {
            problems.push(format!("{at}: no summary"));
        }
        if !op.responses {
            problems.push(format!("{at}: no responses"));
        }
        let key = (method.clone(), shape(path));
        let (want, want_live) = if open.contains(&key) {
            ("none", None)
        } else if let Some((need, live)) = served.get(&key) {
            (need.role(), live.map(Need::role))
        } else {
            continue; // reported by the drift test
        };
        match op.role.as_deref() {
            None => problems.push(format!("{at}: no x-cavra-role")),
            Some(role) if role != want => problems.push(format!("{at}: x-cavra-role is `{role}`, the service needs `{want}`")),
            Some(_) => {}
        }
        if op.live_role.as_deref() != want_live {
            problems.push(format!("{at}: x-cavra-live-role is {:?}, the service needs {want_live:?}", op.live_role));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The route patterns of `fn name` in the router: `["a", id, "b"] =>` becomes `/a/{}/b`.
fn router_patterns(source: &str, name: &str) -> Vec<String> {
    let start = source.find(&format!("fn {name}")).unwrap_or_else(|| panic!("router has no fn {name}"));
    let rest = &source[start..];
    let end = rest[1..].find("\nfn ").map_or(rest.len(), |i| i + 1);
    let mut patterns = Vec::new();
    for line in rest[..end].lines() {
        let line = line.trim();
        let Some(pattern) = line.strip_prefix('[').and_then(|l| l.split_once("] =>")).map(|(p, _)| p) else { continue };
        let path: String = pattern
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| if s.starts_with('"') { format!("/{}", s.trim_matches('"')) } else { "/{}".to_string() })
            .collect();
        patterns.push(path);
    }
    patterns
}

/// The list routes of `lists.rs`: the first string of each `LISTS` entry.
fn list_routes(source: &str) -> Vec<String> {
    let start = source.find("pub const LISTS").expect("lists.rs has LISTS");
    let block: String = source[start..source[start..].find("];").map(|e| start + e).expect("LISTS ends")]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    block.split("(\"").skip(1).filter_map(|entry| entry.split_once("\",kinds::").map(|(route, _)| format!("/{route}"))).collect()
}

#[test]
fn the_route_table_matches_the_router() {
    let api = workspace_root().join("host/service/src/api");
    let router = std::fs::read_to_string(api.join("mod.rs")).expect("mod.rs");
    let lists = std::fs::read_to_string(api.join("lists.rs")).expect("lists.rs");
    let mut source: BTreeSet<(String, String)> = BTreeSet::new();
    for pattern in router_patterns(&router, "route_get") {
        if pattern == "/{}" {
            // `[route] => lists::list(...)`: one GET per LISTS entry.
            source.extend(list_routes(&lists).into_iter().map(|r| ("GET".to_string(), format!("{P}{r}"))));
        } else {
            source.insert(("GET".into(), format!("{P}{pattern}")));
        }
    }
    source.extend(router_patterns(&router, "route_post").into_iter().map(|p| ("POST".to_string(), shape(&format!("{P}{p}")))));
    assert!(router.contains("path == \"/healthz\""), "the router no longer serves /healthz the way the table says");
    assert!(router.contains("strip_prefix(\"/engine/v1/\")"), "the router no longer serves /engine/v1/{{function}}");
    source.insert(("POST".into(), "/engine/v1/{}".into()));
    let table: BTreeSet<(String, String)> = served().into_keys().collect();
    assert!(source.len() >= 45, "router scan found only {} routes; has the router's layout changed?", source.len());
    let missing: Vec<_> = source.difference(&table).collect();
    let extra: Vec<_> = table.difference(&source).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "tests/e2e/src/routes.rs drifted from host/service/src/api/mod.rs\n  routed but not in the table: {missing:#?}\n  in the table but not routed: {extra:#?}"
    );
}

#[test]
fn the_engine_function_list_is_the_engines() {
    let text = document();
    let line = text
        .lines()
        .skip_while(|l| l.trim() != "EngineFunction:")
        .find_map(|l| l.trim().strip_prefix("enum:"))
        .expect("components.schemas.EngineFunction has a one-line `enum: [...]`");
    let documented: Vec<&str> = line.trim().trim_start_matches('[').trim_end_matches(']').split(',').map(str::trim).collect();
    assert_eq!(documented, cavra_engine::ffi::FUNCTIONS, "EngineFunction enum differs from engine/src/ffi.rs FUNCTIONS");
}

/// The scanners themselves, on small inputs, so a layout change cannot make the checks vacuous.
#[test]
fn the_scanners_read_what_they_claim() {
    let router = "fn route_get<P>(x) {\n    match s {\n        [\"a\"] => f(),\n        [\"b\", \"c\"] => g(),\n        [route] => lists(),\n        _ => e(),\n    }\n}\n\nfn route_post<P>(x) {\n        [] => h(),\n        [\"d\", id, \"e\"] => {\n            i()\n        }\n}\n\nfn other() {\n        [\"z\"] => j(),\n}\n";
    assert_eq!(router_patterns(router, "route_get"), ["/a", "/b/c", "/{}"]);
    assert_eq!(router_patterns(router, "route_post"), ["", "/d/{}/e"]);
    let lists = "pub const LISTS: &[(&str, &str)] = &[\n    (\"one\", kinds::A, x, &[]),\n    (\n        \"two\",\n        kinds::B,\n    ),\n];\n";
    assert_eq!(list_routes(lists), ["/one", "/two"]);
    let doc = "openapi: 3.1.0\npaths:\n  /a/{id}:\n    parameters: []\n    post:\n      x-cavra-role: operator\n      x-cavra-live-role: admin\n      summary: A\n      responses:\n        \"200\": { description: ok }\n  /b:\n    get:\n      summary: B\n      description: |\n        x-cavra-role: viewer\n      responses: {}\ncomponents:\n  x:\n    get:\n      x-cavra-role: nope\n";
    let ops = documented(doc);
    assert_eq!(ops.len(), 2, "{ops:?}");
    let a = &ops[&("POST".to_string(), "/a/{id}".to_string())];
    assert_eq!((a.role.as_deref(), a.live_role.as_deref(), a.summary, a.responses), (Some("operator"), Some("admin"), true, true));
    let b = &ops[&("GET".to_string(), "/b".to_string())];
    assert_eq!((b.role.as_deref(), b.summary, b.responses), (None, true, true), "a role inside a block scalar is not a role");
    assert_eq!(shape("/x/{retry_plan_id}/y"), "/x/{}/y");
}
