//! `provrum-bench`: the Rust side of `scripts/bench`. Each subcommand measures one thing and
//! prints one JSON object; `scripts/bench.py` runs them beside the Python and JavaScript
//! competitors and writes BENCHMARKS.md.

use anyhow::{Context as _, anyhow, bail};
use clap::{Parser, Subcommand};
use provrum_rules::Verdict;
use provrum_store::sqlite::SqliteStore;
use provrum_tests::bench::{
    budget_book, budget_sums, budget_xlsx_near, dynamo_calls_of, seed_orgs, seed_provrum,
    time_check, time_runs,
};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Measurements for scripts/bench; each prints one JSON object")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes the workbooks: realistic (60 lines), stress (100 000 lines), large (~5 MB).
    Generate { dir: PathBuf },
    /// Times the in-process check (read + every rule) of one workbook.
    Check {
        file: PathBuf,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        #[arg(long, default_value_t = 3)]
        warmup: usize,
    },
    /// Creates an embedded store with a kansli token and `provrum` provrum; prints the token.
    Seed {
        db: PathBuf,
        #[arg(long, default_value_t = 0)]
        provrum: usize,
    },
    /// Times calamine's own streaming cell reader over every sheet (no guard, no rules): the
    /// parser the check is built on, as a floor.
    Calamine {
        file: PathBuf,
        #[arg(long, default_value_t = 20)]
        runs: usize,
        #[arg(long, default_value_t = 3)]
        warmup: usize,
    },
    /// From exec to the first answer on loopback, for each `NAME=BINARY=PATH=STATUS` (round
    /// robin): `GET PATH` must answer `STATUS`. Every process gets the `--env` variables.
    Coldstart {
        #[arg(long, default_value_t = 30)]
        runs: usize,
        /// `KEY=VALUE`, for every process (with PROVRUM_ADDR; nothing else is inherited).
        #[arg(long = "env")]
        env: Vec<String>,
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Peak RSS of a budget-import process checking one workbook over HTTP (POST /check).
    Rss {
        #[arg(long)]
        binary: PathBuf,
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        token: String,
        file: PathBuf,
    },
    /// Open-loop load on one URL: `rate` requests a second, at most `connections` in flight;
    /// latency counts from when a request was due, so a slow server cannot hide its queue.
    Load {
        #[arg(long)]
        url: String,
        #[arg(long)]
        token: String,
        #[arg(long, default_value_t = 100)]
        rate: u32,
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        #[arg(long, default_value_t = 8)]
        connections: usize,
    },
    /// The DynamoDB calls of one `GET /status` with `provrum` provrum, against `endpoint` (moto).
    DynamoCalls {
        #[arg(long)]
        endpoint: String,
        #[arg(long, default_value_t = 500)]
        provrum: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let out = match Cli::parse().command {
        Cmd::Generate { dir } => generate(&dir)?,
        Cmd::Check { file, runs, warmup } => check(&file, runs, warmup)?,
        Cmd::Seed { db, provrum } => runtime()?.block_on(seed(&db, provrum))?,
        Cmd::Calamine { file, runs, warmup } => calamine(&file, runs, warmup)?,
        Cmd::Coldstart { runs, env, targets } => coldstart(runs, &env, &targets)?,
        Cmd::Rss {
            binary,
            db,
            token,
            file,
        } => rss(&binary, &db, &token, &file)?,
        Cmd::Load {
            url,
            token,
            rate,
            requests,
            connections,
        } => runtime()?.block_on(load(url, token, rate, requests, connections))?,
        Cmd::DynamoCalls { endpoint, provrum } => {
            runtime()?.block_on(dynamo_calls(&endpoint, provrum))?
        }
    };
    println!("{out}");
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn generate(dir: &Path) -> anyhow::Result<Value> {
    std::fs::create_dir_all(dir)?;
    let mut files = serde_json::Map::new();
    let mut write = |name: &str, bytes: Vec<u8>, lines: usize| -> anyhow::Result<()> {
        let path = dir.join(format!("{name}.xlsx"));
        std::fs::write(&path, &bytes)?;
        let (_, total, base) = budget_sums(lines);
        files.insert(
            name.into(),
            json!({"path": path, "bytes": bytes.len(), "lines": lines,
                   "total_ore": total.ore(), "base_ore": base.ore()}),
        );
        Ok(())
    };
    write("realistic", budget_book(60).to_xlsx(), 60)?;
    write("stress", budget_book(100_000).to_xlsx(), 100_000)?;
    // "~5 MB": as close under the 5 MB (decimal) mark as whole lines allow, inside the upload
    // limit of 5 MiB.
    let (large, lines) = budget_xlsx_near(5_000_000);
    write("large", large, lines)?;
    Ok(Value::Object(files))
}

fn check(file: &Path, runs: usize, warmup: usize) -> anyhow::Result<Value> {
    let bytes = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let (times, checked) = time_check(&bytes, name.as_deref(), runs, warmup);
    let summary = &checked.report.summary;
    Ok(json!({
        "tool": "provrum",
        "version": env!("CARGO_PKG_VERSION"),
        "times_ns": times,
        "lines": checked.submission.budget.len(),
        "total_ore": summary.total_budget_ore.ore(),
        "base_ore": summary.base_funding_ore.ore(),
        "verdict": Verdict::of(&checked.report.findings),
        "findings": checked.report.findings.len(),
    }))
}

async fn seed(db: &Path, provrum: usize) -> anyhow::Result<Value> {
    let store = SqliteStore::open(db)?;
    let token = provrum_tests::seed_kansli(&store).await;
    if provrum > 0 {
        let orgs = seed_orgs(&store).await;
        seed_provrum(&store, &orgs, provrum).await;
    }
    Ok(json!({"db": db, "token": token, "provrum": provrum}))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One HTTP/1.1 GET on a fresh connection: the status code, or `None` while nothing listens.
fn get_status(addr: &SocketAddr, path: &str, token: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Starts `binary` in local mode on a free port with the embedded store `db`.
fn start(binary: &Path, db: &Path) -> anyhow::Result<(Child, SocketAddr)> {
    let db = db.to_string_lossy();
    start_with(binary, &[("PROVRUM_DB", &db), ("RUST_LOG", "warn")])
}

/// Starts `binary` on a free port with only `env` (and PROVRUM_ADDR) in its environment.
fn start_with(binary: &Path, env: &[(&str, &str)]) -> anyhow::Result<(Child, SocketAddr)> {
    let port = free_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let child = Command::new(binary)
        .env_clear()
        .env("PROVRUM_ADDR", addr.to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("{}", binary.display()))?;
    Ok((child, addr))
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Polls until the first 200 (another status is an error: the bench would measure a failure).
fn first_ok(child: &mut Child, addr: &SocketAddr, path: &str, token: &str) -> anyhow::Result<()> {
    first_answer(child, addr, path, token, 200)
}

/// Polls until the first answer, which must be `expected`.
fn first_answer(
    child: &mut Child,
    addr: &SocketAddr,
    path: &str,
    token: &str,
    expected: u16,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match get_status(addr, path, token) {
            Some(status) if status == expected => return Ok(()),
            Some(other) => bail!("GET {path} answered {other}"),
            None if Instant::now() > deadline => bail!("no answer on {addr} within 10 s"),
            None => {
                if let Some(status) = child.try_wait()? {
                    bail!("exited with {status} before answering");
                }
                std::thread::sleep(Duration::from_micros(100));
            }
        }
    }
}

fn coldstart(runs: usize, env: &[String], targets: &[String]) -> anyhow::Result<Value> {
    let env: Vec<(&str, &str)> = env
        .iter()
        .map(|e| {
            e.split_once('=')
                .ok_or_else(|| anyhow!("{e}: expected KEY=VALUE"))
        })
        .collect::<anyhow::Result<_>>()?;
    let targets: Vec<(String, PathBuf, String, u16)> = targets
        .iter()
        .map(|t| match t.splitn(4, '=').collect::<Vec<_>>()[..] {
            [name, binary, path, status] => Ok((
                name.into(),
                binary.into(),
                path.into(),
                status.parse().with_context(|| format!("{t}: status"))?,
            )),
            _ => Err(anyhow!("{t}: expected NAME=BINARY=PATH=STATUS")),
        })
        .collect::<anyhow::Result<_>>()?;
    let mut times = vec![Vec::with_capacity(runs); targets.len()];
    // One unmeasured round first, so every binary starts from the page cache.
    for round in 0..=runs {
        for (i, (name, binary, path, status)) in targets.iter().enumerate() {
            let begin = Instant::now();
            let (mut child, addr) = start_with(binary, &env)?;
            // No token: every path here is answered without a store call.
            let result = first_answer(&mut child, &addr, path, "", *status);
            let elapsed = begin.elapsed();
            stop(child);
            result.with_context(|| name.clone())?;
            if round > 0 {
                times[i].push(elapsed.as_nanos() as u64);
            }
        }
    }
    let mut out = serde_json::Map::new();
    for ((name, binary, path, status), times) in targets.iter().zip(times) {
        out.insert(
            name.clone(),
            json!({"binary": binary, "path": path, "status": status, "times_ns": times}),
        );
    }
    Ok(Value::Object(out))
}

fn calamine(file: &Path, runs: usize, warmup: usize) -> anyhow::Result<Value> {
    use calamine::{DataType, Reader, Xlsx};
    let bytes = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let read = || -> anyhow::Result<usize> {
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(&bytes))?;
        let mut cells = 0;
        for name in book.sheet_names() {
            let mut reader = book.worksheet_cells_reader(&name)?;
            while let Some(cell) = reader.next_cell()? {
                cells += usize::from(!cell.get_value().is_empty());
            }
        }
        Ok(cells)
    };
    let (times, cells) = time_runs(runs, warmup, read)?;
    Ok(json!({"tool": "calamine (Rust)", "times_ns": times, "cells": cells}))
}

/// VmHWM (peak resident set) and VmRSS of a process, in bytes.
fn memory(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .ok_or_else(|| anyhow!("{name} missing in /proc/{pid}/status"))?;
        let kb: u64 = line
            .trim_start_matches(name)
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()?;
        Ok(kb * 1024)
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}

fn rss(binary: &Path, db: &Path, token: &str, file: &Path) -> anyhow::Result<Value> {
    let body = std::fs::read(file)?;
    let (mut child, addr) = start(binary, db)?;
    let result = (|| -> anyhow::Result<Value> {
        first_ok(&mut child, &addr, "/template.json", token)?;
        let (idle_peak, _) = memory(child.id())?;
        let mut stream = TcpStream::connect(addr)?;
        let head = format!(
            "POST /check HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let begin = Instant::now();
        stream.write_all(head.as_bytes())?;
        stream.write_all(&body)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let elapsed = begin.elapsed();
        let status = std::str::from_utf8(response.get(9..12).unwrap_or_default())?.to_string();
        if status != "200" {
            bail!("POST /check answered {status}");
        }
        let (peak, after) = memory(child.id())?;
        Ok(
            json!({"file_bytes": body.len(), "idle_peak_bytes": idle_peak,
                  "peak_bytes": peak, "rss_after_bytes": after,
                  "response_bytes": response.len(), "seconds": elapsed.as_secs_f64()}),
        )
    })();
    stop(child);
    result
}

async fn load(
    url: String,
    token: String,
    rate: u32,
    requests: usize,
    connections: usize,
) -> anyhow::Result<Value> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    let permits = Arc::new(tokio::sync::Semaphore::new(connections));
    // Warm the connections and the server's caches.
    for _ in 0..connections * 2 {
        client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await?
            .bytes()
            .await?;
    }
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let begin = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(requests);
    for i in 0..requests {
        let due = begin + interval * i as u32;
        tokio::time::sleep_until(due).await;
        let (client, url, token, permits) =
            (client.clone(), url.clone(), token.clone(), permits.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let response = client.get(&url).bearer_auth(&token).send().await?;
            let status = response.status().as_u16();
            let body = response.bytes().await?;
            anyhow::Ok((due.elapsed(), status, body.len()))
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut errors = 0;
    let mut body_bytes = 0;
    for task in tasks {
        match task.await? {
            Ok((latency, 200, bytes)) => {
                latencies.push(latency.as_nanos() as u64);
                body_bytes = bytes;
            }
            _ => errors += 1,
        }
    }
    let wall = begin.elapsed().as_secs_f64();
    Ok(
        json!({"times_ns": latencies, "errors": errors, "rate": rate,
              "connections": connections, "seconds": wall, "body_bytes": body_bytes}),
    )
}

async fn dynamo_calls(endpoint: &str, provrum: usize) -> anyhow::Result<Value> {
    let (calls, rows) = dynamo_calls_of(endpoint, provrum, "/status", status_sheet::router).await;
    let rows = rows.as_array().map_or(0, Vec::len);
    if rows != provrum {
        bail!("GET /status answered {rows} rows, not {provrum}");
    }
    Ok(json!({"provrum": provrum, "calls": calls}))
}
