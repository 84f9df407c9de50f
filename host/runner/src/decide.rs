//! `cavra decide FUNCTION [--component PATH] < input.json`: one stateless decision through the
//! edge component (world `cavra:engine/edge`), with no store, clock or network.

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::path::PathBuf;

/// Where `scripts/build.sh` puts the component, relative to the workspace root.
pub const DEFAULT_COMPONENT: &str = "target/wasm32-wasip2/wasm-release/cavra_edge.wasm";

#[derive(clap::Args)]
pub struct DecideArgs {
    /// The decision, e.g. `retry-plan` (`cavra decide --list` names them all).
    #[arg(required_unless_present = "list")]
    function: Option<String>,
    /// The edge component. Default: `target/wasm32-wasip2/wasm-release/cavra_edge.wasm` under
    /// the current directory, else next to the nearest `spin.toml` above it.
    #[arg(long)]
    component: Option<PathBuf>,
    /// Print the functions the component knows, one a line, and its version.
    #[arg(long)]
    list: bool,
}

fn default_component() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    here.ancestors()
        .find(|dir| dir.join(DEFAULT_COMPONENT).is_file() || dir.join("spin.toml").is_file())
        .map(|dir| dir.join(DEFAULT_COMPONENT))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_COMPONENT))
}

pub fn run(args: &DecideArgs) -> Result<()> {
    let path = args.component.clone().unwrap_or_else(default_component);
    let component = cavra_edge_host::EdgeComponent::load(&path)?;
    let mut instance = component.instantiate()?;
    if args.list {
        for name in instance.functions()? {
            println!("{name}");
        }
        eprintln!("cavra: edge component {} version {}", path.display(), instance.version()?);
        return Ok(());
    }
    let function = args.function.as_deref().context("a function name is required")?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).context("reading the input JSON from standard input")?;
    match instance.decide(function, &input)? {
        Ok(record) => {
            let mut out = std::io::stdout().lock();
            out.write_all(record.as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
            Ok(())
        }
        Err(body) => {
            eprintln!("{body}");
            std::process::exit(1);
        }
    }
}
