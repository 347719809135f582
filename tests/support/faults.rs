//! Faults between the store and DynamoDB, for `tests/api/faults.rs`.
//!
//! [`Wire`] is a TCP proxy in front of a real moto server that the store is pointed at. It
//! forwards DynamoDB's HTTP/1.1 requests one by one, and at a chosen operation can stop the
//! server for the client: cut the connection before the request reaches moto, or after moto has
//! applied it but before the answer gets back, and from then on accept connections only to drop
//! them — until [`Wire::restart`]. [`Moto`] is a moto process of a test's own that it can
//! freeze (`SIGSTOP`) and thaw, for a server that stops answering mid-request.
//!
//! It can also answer for DynamoDB: [`Fault::Cancel`] answers the next transactions, without
//! forwarding them, with the `TransactionCanceledException` DynamoDB sends when another
//! transaction holds an item, throttling, or a failed condition cancels one.
//!
//! The proxy counts every request it sees by operation, so a test can hold the number of tries.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does when the operation `at` comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything.
    None,
    /// Drop the connection before the request reaches moto; the server is down from then on.
    StopBefore(&'static str),
    /// Let moto apply the request, drop its answer; the server is down from then on.
    StopAfter(&'static str),
    /// Freeze the [`Moto`] process, then forward: the request waits in a stopped server.
    Freeze(&'static str),
    /// The server is down: every connection is dropped after its first request.
    Down,
    /// Answer the next `times` requests of operation `at` (a `TransactWriteItems`) as DynamoDB
    /// answers a cancelled transaction, without forwarding them: `reasons` are the cancellation
    /// codes of its first items (`TransactionConflict`, `ThrottlingError`,
    /// `ConditionalCheckFailed`, `None`), the other items' are `None`. Then forward again.
    Cancel {
        at: &'static str,
        reasons: &'static [&'static str],
        times: u32,
    },
}

/// A request the proxy saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub operation: String,
    /// `TransactWriteItems`' idempotency token, if the request had one.
    pub client_request_token: Option<String>,
    /// Whether it reached moto.
    pub forwarded: bool,
}

#[derive(Default)]
struct Plan {
    fault: Option<Fault>,
    seen: Vec<Seen>,
}

/// The proxy; dropping it stops it.
pub struct Wire {
    pub endpoint: String,
    plan: Arc<Mutex<Plan>>,
    moto: Option<Arc<Moto>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Wire {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn lock(plan: &Mutex<Plan>) -> std::sync::MutexGuard<'_, Plan> {
    match plan.lock() {
        Ok(plan) => plan,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Wire {
    /// A proxy to the moto at `upstream` (`http://127.0.0.1:PORT`), with `moto` to freeze when
    /// the test owns it.
    pub async fn start(upstream: &str, moto: Option<Arc<Moto>>) -> Wire {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("moto's endpoint is http://IP:PORT");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let plan = Arc::new(Mutex::new(Plan::default()));
        let task = {
            let plan = plan.clone();
            let moto = moto.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let plan = plan.clone();
                    let moto = moto.clone();
                    tokio::spawn(async move {
                        let _ = serve(client, upstream, plan, moto).await;
                    });
                }
            })
        };
        Wire {
            endpoint,
            plan,
            moto,
            task,
        }
    }

    /// Arms a fault for the next requests, and forgets the requests seen so far.
    pub fn arm(&self, fault: Fault) {
        let mut plan = lock(&self.plan);
        plan.fault = Some(fault);
        plan.seen.clear();
    }

    /// The server is back: forward everything again, and thaw moto if it was frozen.
    pub fn restart(&self) {
        lock(&self.plan).fault = None;
        if let Some(moto) = &self.moto {
            moto.thaw();
        }
    }

    /// Every request seen since the last call.
    pub fn take_seen(&self) -> Vec<Seen> {
        std::mem::take(&mut lock(&self.plan).seen)
    }
}

/// What the proxy decided for one request.
enum Step {
    Forward,
    CutBefore,
    CutAfter,
    Cancel(&'static [&'static str]),
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    plan: Arc<Mutex<Plan>>,
    moto: Option<Arc<Moto>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_message(&mut client, &mut buffer, true).await? else {
            return Ok(());
        };
        let operation = header(&request, "x-amz-target")
            .and_then(|t| t.rsplit('.').next().map(str::to_string))
            .unwrap_or_default();
        let token = body(&request)
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .and_then(|v| v["ClientRequestToken"].as_str().map(str::to_string));
        let step = {
            let mut plan = lock(&plan);
            let step = match plan.fault {
                None | Some(Fault::None) => Step::Forward,
                Some(Fault::Down) => Step::CutBefore,
                Some(Fault::StopBefore(at)) if at == operation => {
                    plan.fault = Some(Fault::Down);
                    Step::CutBefore
                }
                Some(Fault::StopAfter(at)) if at == operation => {
                    plan.fault = Some(Fault::Down);
                    Step::CutAfter
                }
                Some(Fault::Freeze(at)) if at == operation => {
                    plan.fault = None;
                    if let Some(moto) = &moto {
                        moto.freeze();
                    }
                    Step::Forward
                }
                Some(Fault::Cancel { at, reasons, times }) if at == operation => {
                    plan.fault = (times > 1).then_some(Fault::Cancel {
                        at,
                        reasons,
                        times: times - 1,
                    });
                    Step::Cancel(reasons)
                }
                Some(_) => Step::Forward,
            };
            plan.seen.push(Seen {
                operation,
                client_request_token: token,
                forwarded: !matches!(step, Step::CutBefore | Step::Cancel(_)),
            });
            step
        };
        if let Step::CutBefore = step {
            return Ok(());
        }
        if let Step::Cancel(reasons) = step {
            client
                .write_all(&cancellation(reasons, transact_items(&request)))
                .await?;
            continue;
        }
        let response = forward(upstream, &request).await?;
        if let Step::CutAfter = step {
            return Ok(());
        }
        client.write_all(&response).await?;
    }
}

/// How many items a `TransactWriteItems` request holds.
fn transact_items(request: &[u8]) -> usize {
    body(request)
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| v["TransactItems"].as_array().map(Vec::len))
        .unwrap_or(1)
}

/// DynamoDB's answer to a cancelled transaction of `items` items, the first with `reasons`: as
/// the service sends it (HTTP 400, `x-amz-json-1.0`), one reason per item.
fn cancellation(reasons: &[&str], items: usize) -> Vec<u8> {
    let codes: Vec<&str> = (0..items.max(reasons.len()))
        .map(|i| reasons.get(i).copied().unwrap_or("None"))
        .collect();
    let reasons: Vec<serde_json::Value> = codes
        .iter()
        .map(|code| match *code {
            "TransactionConflict" => serde_json::json!({
                "Code": code, "Message": "Transaction is ongoing for the item"
            }),
            "ThrottlingError" => serde_json::json!({
                "Code": code,
                "Message": "Throughput exceeds the current capacity of your table or index. \
                            DynamoDB is automatically scaling your table or index so please try \
                            again shortly. If exceptions persist, check if you have a hot key: \
                            https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/\
                            bp-partition-key-design.html"
            }),
            "ConditionalCheckFailed" => serde_json::json!({
                "Code": code, "Message": "The conditional request failed"
            }),
            _ => serde_json::json!({"Code": code}),
        })
        .collect();
    let body = serde_json::json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ),
        "CancellationReasons": reasons,
    })
    .to_string();
    format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n\
         x-amzn-RequestId: FAULTPROXY0000000000000000000000000000000000000000000\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends one request to moto on a new connection (moto answers HTTP/1.0 and closes) and reads
/// the whole answer.
async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    let mut buffer = Vec::new();
    read_message(&mut server, &mut buffer, false)
        .await?
        .ok_or_else(|| std::io::Error::other("moto closed without an answer"))
}

const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Reads one HTTP message (head, then a `Content-Length` body, or to the end for an answer
/// without one) from `stream`, keeping what follows in `buffer`. `None` at a clean end.
async fn read_message(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    request: bool,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
        if buffer.len() > MAX_MESSAGE {
            return Err(std::io::Error::other("message too large"));
        }
    };
    let length: Option<usize> =
        header(&buffer[..head_end], "content-length").and_then(|v| v.parse().ok());
    let total = match length {
        Some(length) => head_end + length,
        None if request => head_end,
        None => {
            // An answer without a length runs to the end of the connection.
            loop {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    break buffer.len();
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
        }
    };
    while buffer.len() < total {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("connection closed mid-message"));
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(buffer.drain(..total).collect()))
}

fn header(message: &[u8], name: &str) -> Option<String> {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&message[..end]).ok()?;
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

fn body(message: &[u8]) -> Option<&[u8]> {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some(&message[end + 4..])
}

/// A moto server of the test's own (`scripts/moto_serial.py`, with the Python that
/// `PROVRUM_TEST_MOTO_PYTHON` names: scripts/test sets it), killed when dropped.
pub struct Moto {
    pub endpoint: String,
    child: Mutex<Child>,
}

impl Moto {
    pub async fn start() -> Moto {
        let python = std::env::var("PROVRUM_TEST_MOTO_PYTHON").expect(
            "PROVRUM_TEST_MOTO_PYTHON is not set: the fault tests start their own moto with \
             the Python that scripts/test installs it into",
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/moto_serial.py");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python)
            .arg(script)
            .arg("127.0.0.1")
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        let moto = Moto {
            endpoint,
            child: Mutex::new(child),
        };
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto did not listen on {port} within 10 s");
    }

    fn signal(&self, signal: &str) -> bool {
        let pid = match self.child.lock() {
            Ok(child) => child.id(),
            Err(poisoned) => poisoned.into_inner().id(),
        };
        Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Stops the process where it is (`SIGSTOP`): connections queue, nothing is answered.
    pub fn freeze(&self) {
        assert!(self.signal("-STOP"), "moto could not be stopped");
    }

    /// Lets it go on (`SIGCONT`).
    pub fn thaw(&self) {
        assert!(self.signal("-CONT"), "moto could not be woken");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.signal("-CONT");
        let child = match self.child.get_mut() {
            Ok(child) => child,
            Err(poisoned) => poisoned.into_inner(),
        };
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Requests seen, by operation.
pub fn count(seen: &[Seen]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for s in seen {
        *counts.entry(s.operation.clone()).or_default() += 1;
    }
    counts
}
