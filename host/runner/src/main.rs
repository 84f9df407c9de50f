//! `cavra`: the native runner of cavra-recovery.
//!
//! `cavra up` serves the Spin component from `spin.toml` with wasmtime, a persistent key-value
//! store (SQLite by default) and the Evidence Console.

mod component;
mod decide;
mod kv;
mod manifest;
mod native_store;
mod runtime_config;
mod outbound;
mod server;
mod sink;
mod spin_imports;
mod statics;
mod tokens;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "cavra", version, about = "cavra-recovery: governed retry and recovery for failed audit deliveries")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the component and the console on loopback.
    Up(UpArgs),
    /// Append evidence rows (JSON Lines of metadata rows) to a data directory's store, through
    /// the same store layout the component uses. For exported evidence and load tests.
    Import(ImportArgs),
    /// Verify an exported evidence chain (`GET .../evidence/export`) offline. Exits 1 if it
    /// does not verify, naming the first bad sequence number.
    Verify {
        /// The JSON Lines export.
        file: PathBuf,
    },
    /// Run one stateless decision (SPEC §13) in the edge component: `{items, params, now}` on
    /// standard input, the record on standard output; an error body on standard error and exit 1.
    Decide(decide::DecideArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// JSON Lines file of metadata rows (`-` for standard input).
    file: PathBuf,
    /// The data directory of `cavra up`.
    #[arg(long, default_value = ".cavra")]
    data_dir: PathBuf,
    /// Spin runtime configuration (as for `cavra up`).
    #[arg(long)]
    runtime_config_file: Option<PathBuf>,
}

#[derive(clap::Args)]
struct UpArgs {
    /// The Spin manifest.
    #[arg(long, short = 'f', default_value = "spin.toml")]
    manifest: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    listen: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short = 'p', default_value_t = 3000)]
    port: u16,
    /// Directory for the key-value database and generated tokens.
    #[arg(long, default_value = ".cavra")]
    data_dir: PathBuf,
    /// Set an application variable (repeatable): `--var name=value`.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Accept `X-Cavra-Now` headers (tests only).
    #[arg(long)]
    test_clock: bool,
    /// Instantiate with the on-demand allocator instead of the pooling allocator.
    #[arg(long)]
    no_pooling: bool,
    /// Turn access control off (demos only): anyone may call any route, and actors are the
    /// labels requests carry.
    #[arg(long)]
    insecure_no_auth: bool,
    /// Spin runtime configuration (`[key_value_store.default] type = "redis", url = ...`).
    #[arg(long)]
    runtime_config_file: Option<PathBuf>,
}

// Only `up` needs an async runtime; `decide` calls the component synchronously (WASI's sync
// bindings must not run inside a Tokio runtime).
fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Up(args) => tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(up(args)),
        Command::Import(args) => import(args),
        Command::Verify { file } => verify(&file),
        Command::Decide(args) => decide::run(&args),
    }
}

fn verify(file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let verdict = cavra_engine::chain::verify_export(&text);
    println!("{}", serde_json::to_string_pretty(&verdict)?);
    if !verdict.ok {
        std::process::exit(1);
    }
    Ok(())
}

fn open_store(data_dir: &Path, runtime_config: Option<&Path>) -> Result<native_store::BackendKv> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let config = runtime_config::RuntimeConfig::load(runtime_config)?;
    let base = runtime_config.and_then(Path::parent).unwrap_or(Path::new("."));
    let backend = config.default_store(data_dir, base)?;
    Ok(native_store::BackendKv { backend, label: "default".into() })
}

fn import(args: ImportArgs) -> Result<()> {
    use std::io::BufRead;
    let kv = open_store(&args.data_dir, args.runtime_config_file.as_deref())?;
    let store = cavra_service::store::Store::new(&kv);
    let reader: Box<dyn BufRead> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?))
    };
    let started = std::time::Instant::now();
    let (mut added, mut existing) = (0u64, 0u64);
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value = serde_json::from_str(&line).with_context(|| format!("line {}: not JSON", n + 1))?;
        match store.append(&row).with_context(|| format!("line {}", n + 1))? {
            cavra_service::store::Appended::New(_) => added += 1,
            cavra_service::store::Appended::Existing => existing += 1,
        }
    }
    let (count, head) = store.chain_head()?;
    eprintln!(
        "cavra: imported {added} rows ({existing} already present) in {:.1} s; chain has {count} records, head {}",
        started.elapsed().as_secs_f64(),
        &head[..16]
    );
    Ok(())
}

fn parse_vars(vars: &[String]) -> Result<HashMap<String, String>> {
    vars.iter()
        .map(|v| {
            let (k, val) = v.split_once('=').with_context(|| format!("--var {v}: expected NAME=VALUE"))?;
            Ok((k.trim().to_string(), val.to_string()))
        })
        .collect()
}

async fn up(args: UpArgs) -> Result<()> {
    let manifest = manifest::Manifest::load(&args.manifest)?;
    let base = args.manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let base = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base };
    std::fs::create_dir_all(&args.data_dir).with_context(|| format!("creating {}", args.data_dir.display()))?;
    let overrides = parse_vars(&args.vars)?;
    let mut provided = HashMap::new();
    if args.test_clock {
        provided.insert("test_clock".to_string(), "true".to_string());
    }
    if args.insecure_no_auth {
        provided.insert("auth_mode".to_string(), "off".to_string());
        eprintln!("cavra: WARNING: --insecure-no-auth: access control is OFF; anyone reaching this port may write evidence and run live retries");
    } else {
        let (local, created) = tokens::load_or_create(&args.data_dir)?;
        provided.insert("auth_tokens".to_string(), tokens::hashed(&local));
        if created {
            eprintln!("cavra: created access tokens in {} (shown once here; keep them secret):", args.data_dir.join("tokens.json").display());
            for t in &local {
                eprintln!("cavra:   {:<8} {}", t.role, t.token);
            }
        } else {
            eprintln!("cavra: access tokens: {}", args.data_dir.join("tokens.json").display());
        }
    }
    let mut variables = manifest.resolve_variables(&overrides, &provided)?;

    // No provider configured: start the demo sink so a newcomer sees failures and retries.
    let mut sink = None;
    if variables.get("providers").is_none_or(|p| p.trim().is_empty()) {
        let demo = Arc::new(sink::Sink::default());
        let url = sink::start(demo.clone()).await?;
        let origin = url.trim_end_matches("/demo-sink").to_string();
        provided.insert("providers".into(), "webhook".into());
        provided.insert("provider_webhook_url".into(), url);
        provided.insert("extra_outbound_origin".into(), origin);
        // Provided values win over defaults but not over explicit settings.
        for (k, v) in &provided {
            if !overrides.contains_key(k) && std::env::var(format!("SPIN_VARIABLE_{}", k.to_uppercase())).is_err() {
                variables.insert(k.clone(), v.clone());
            }
        }
        eprintln!("cavra: no provider configured; demo sink `webhook` is failing deliveries (POST /_cavra/demo-sink to change)");
        sink = Some(demo);
    }

    let backend = open_store(&args.data_dir, args.runtime_config_file.as_deref())?.backend;
    backend.ping().context("the key-value store does not answer")?;
    let store_kind = runtime_config::RuntimeConfig::load(args.runtime_config_file.as_deref())?.describe();
    eprintln!("cavra: key-value store: {store_kind}");

    let mut routes = Vec::new();
    let mut hosts: HashMap<String, Arc<component::Host>> = HashMap::new();
    for trigger in &manifest.trigger.http {
        let comp = &manifest.component[&trigger.component];
        let target = if let Some(path) = comp.local_source(&base) {
            let host = match hosts.get(&trigger.component) {
                Some(h) => h.clone(),
                None => {
                    let component_vars = comp
                        .variables
                        .iter()
                        .map(|(k, t)| Ok((k.clone(), manifest::expand(t, &variables)?)))
                        .collect::<Result<HashMap<_, _>>>()?;
                    let allowed = comp
                        .allowed_outbound_hosts
                        .iter()
                        .map(|t| outbound::AllowedHost::parse(&manifest::expand(t, &variables)?))
                        .collect::<Result<Vec<_>>>()?;
                    let started = std::time::Instant::now();
                    let host = Arc::new(component::Host::new(
                        &path,
                        component::HostOptions {
                            backend: backend.clone(),
                            stores: comp.key_value_stores.clone(),
                            variables: component_vars,
                            allowed,
                            pooling: !args.no_pooling,
                        },
                    )?);
                    eprintln!("cavra: component {} ready in {} ms", trigger.component, started.elapsed().as_millis());
                    hosts.insert(trigger.component.clone(), host.clone());
                    host
                }
            };
            server::Target::Component(host)
        } else if let Some(mount) = comp.files.first() {
            server::Target::Files(base.join(&mount.source))
        } else {
            bail!("component {} has neither a local source nor files", trigger.component);
        };
        routes.push((trigger.route.clone(), target));
    }
    // Spin picks the most specific route: exact routes first, then longer prefixes.
    routes.sort_by_key(|(route, _)| (route.ends_with("/..."), std::cmp::Reverse(route.len())));

    let listener = tokio::net::TcpListener::bind((args.listen.as_str(), args.port)).await?;
    let addr = listener.local_addr()?;
    println!("cavra listening on http://{addr} ({})", manifest.application.name);
    let router = Arc::new(server::Router { routes, sink });
    tokio::select! {
        result = server::serve(listener, router) => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
