//! A bounded HTTP/1.1 load generator (std only): N client threads, each with one request in
//! flight, for a fixed time or a fixed number of requests.
//!
//!   cavra-load URL [--method GET|POST] [--body TEXT] [--header 'Name: value']...
//!              [--concurrency N] [--duration SECS] [--requests N] [--warmup SECS]
//!              [--new-connection] [--json]
//!
//! The run stops after `--duration` (default 10 s) or `--requests`, whichever comes first,
//! after `--warmup` (default 1 s) that is not measured.
//! Keep-alive (default): one connection per thread, reused. `--new-connection`: a fresh TCP
//! connection per request (`Connection: close`), connect time included in the latency.
//! Prints requests/s and latency percentiles; non-2xx answers and I/O errors are counted apart
//! and excluded from the percentiles.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Options {
    addr: SocketAddr,
    host: String,
    path: String,
    method: String,
    body: String,
    headers: Vec<String>,
    concurrency: usize,
    duration: Duration,
    requests: Option<u64>,
    warmup: Duration,
    new_connection: bool,
    json: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cavra-load URL [--method M] [--body TEXT] [--header 'N: v']... [--concurrency N] \
         [--duration SECS] [--requests N] [--warmup SECS] [--new-connection] [--json]"
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut args = std::env::args().skip(1);
    let mut url = None;
    let mut o = Options {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        host: String::new(),
        path: String::new(),
        method: "GET".into(),
        body: String::new(),
        headers: Vec::new(),
        concurrency: 1,
        duration: Duration::from_secs(10),
        requests: None,
        warmup: Duration::from_secs(1),
        new_connection: false,
        json: false,
    };
    let secs = |v: Option<String>| Duration::from_secs_f64(v.and_then(|s| s.parse().ok()).unwrap_or_else(|| usage()));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--method" => o.method = args.next().unwrap_or_else(|| usage()),
            "--body" => o.body = args.next().unwrap_or_else(|| usage()),
            "--header" => o.headers.push(args.next().unwrap_or_else(|| usage())),
            "--concurrency" | "-c" => o.concurrency = args.next().and_then(|s| s.parse().ok()).filter(|&c| c > 0).unwrap_or_else(|| usage()),
            "--duration" | "-d" => o.duration = secs(args.next()),
            "--warmup" => o.warmup = secs(args.next()),
            "--requests" | "-n" => o.requests = Some(args.next().and_then(|s| s.parse().ok()).unwrap_or_else(|| usage())),
            "--new-connection" => o.new_connection = true,
            "--json" => o.json = true,
            _ if url.is_none() && !arg.starts_with('-') => url = Some(arg),
            _ => usage(),
        }
    }
    let url = url.unwrap_or_else(|| usage());
    let Some(rest) = url.strip_prefix("http://") else {
        eprintln!("cavra-load: only http:// URLs");
        std::process::exit(2)
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    o.path = if path.is_empty() { "/".into() } else { path.into() };
    o.host = authority.into();
    let with_port = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
    o.addr = with_port.to_socket_addrs().ok().and_then(|mut a| a.next()).unwrap_or_else(|| {
        eprintln!("cavra-load: cannot resolve {authority}");
        std::process::exit(2)
    });
    o
}

fn request_bytes(o: &Options) -> Vec<u8> {
    let mut r = format!("{} {} HTTP/1.1\r\nHost: {}\r\n", o.method, o.path, o.host);
    for h in &o.headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    if !o.body.is_empty() || o.method == "POST" {
        r.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", o.body.len()));
    }
    if o.new_connection {
        r.push_str("Connection: close\r\n");
    }
    r.push_str("\r\n");
    r.push_str(&o.body);
    r.into_bytes()
}

fn connect(addr: SocketAddr) -> std::io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok(BufReader::new(stream))
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// Reads one response (Content-Length or chunked body); returns the status and whether the
/// server keeps the connection open.
fn read_response(conn: &mut BufReader<TcpStream>, scratch: &mut Vec<u8>) -> std::io::Result<(u16, bool)> {
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed"));
    }
    let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| bad("bad status line"))?;
    let (mut length, mut chunked, mut keep) = (None, false, true);
    loop {
        line.clear();
        conn.read_line(&mut line)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => keep = !value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
    }
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16).map_err(|_| bad("bad chunk size"))?;
            scratch.resize(size + 2, 0);
            conn.read_exact(scratch)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(n) = length {
        scratch.resize(n, 0);
        conn.read_exact(scratch)?;
    } else {
        scratch.clear();
        conn.read_to_end(scratch)?;
        keep = false;
    }
    Ok((status, keep))
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    non_2xx: u64,
    errors: u64,
}

/// One client: sends until `deadline` or until `budget` is spent; records only after `measure_from`.
fn client(o: &Options, request: &[u8], measure_from: Instant, deadline: Instant, budget: &AtomicU64) -> Tally {
    let mut tally = Tally::default();
    let mut conn: Option<BufReader<TcpStream>> = None;
    let mut scratch = Vec::new();
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let measured = now >= measure_from;
        if measured && o.requests.is_some() && budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_err() {
            break;
        }
        let started = Instant::now();
        let outcome = (|| {
            if conn.is_none() {
                conn = Some(connect(o.addr)?);
            }
            let c = conn.as_mut().ok_or_else(|| bad("no connection"))?;
            c.get_mut().write_all(request)?;
            read_response(c, &mut scratch)
        })();
        let elapsed = started.elapsed();
        match outcome {
            Ok((status, keep)) => {
                if !keep || o.new_connection {
                    conn = None;
                }
                if measured {
                    if (200..300).contains(&status) {
                        tally.latencies_us.push(elapsed.as_micros().min(u32::MAX as u128) as u32);
                    } else {
                        tally.non_2xx += 1;
                    }
                }
            }
            Err(_) => {
                conn = None;
                if measured {
                    tally.errors += 1;
                }
            }
        }
    }
    tally
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize - 1;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() {
    let o = Arc::new(parse_args());
    let request: Arc<[u8]> = request_bytes(&o).into();
    let budget = Arc::new(AtomicU64::new(o.requests.unwrap_or(0)));
    let start = Instant::now();
    let measure_from = start + o.warmup;
    // Stops at the deadline or when the request budget is spent, whichever comes first.
    let deadline = measure_from + o.duration;
    let threads: Vec<_> = (0..o.concurrency)
        .map(|_| {
            let (o, request, budget) = (o.clone(), request.clone(), budget.clone());
            std::thread::spawn(move || client(&o, &request, measure_from, deadline, &budget))
        })
        .collect();
    let mut all = Tally::default();
    for t in threads {
        let Ok(t) = t.join() else {
            eprintln!("cavra-load: a client thread panicked");
            std::process::exit(1)
        };
        all.latencies_us.extend(t.latencies_us);
        all.non_2xx += t.non_2xx;
        all.errors += t.errors;
    }
    let wall = Instant::now().saturating_duration_since(measure_from).min(deadline - measure_from).as_secs_f64();
    all.latencies_us.sort_unstable();
    let ok = all.latencies_us.len();
    let rps = ok as f64 / wall.max(1e-9);
    let [p50, p90, p99] = [50.0, 90.0, 99.0].map(|p| percentile(&all.latencies_us, p));
    let max = all.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0;
    let mode = if o.new_connection { "new-connection" } else { "keep-alive" };
    if o.json {
        println!(
            "{{\"mode\":\"{mode}\",\"concurrency\":{},\"seconds\":{wall:.2},\"ok\":{ok},\"non_2xx\":{},\"errors\":{},\"rps\":{rps:.1},\"p50_ms\":{p50:.3},\"p90_ms\":{p90:.3},\"p99_ms\":{p99:.3},\"max_ms\":{max:.3}}}",
            o.concurrency, all.non_2xx, all.errors
        );
    } else {
        println!(
            "{mode} c={} {wall:.1}s: {ok} ok, {} non-2xx, {} errors; {rps:.0} req/s; p50 {p50:.3} ms, p90 {p90:.3} ms, p99 {p99:.3} ms, max {max:.3} ms",
            o.concurrency, all.non_2xx, all.errors
        );
    }
    if ok == 0 || all.errors > 0 || all.non_2xx > 0 {
        std::process::exit(1);
    }
}
