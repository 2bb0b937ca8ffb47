//! An HTTP/1.1 forwarding proxy in front of the reference CA that injects faults on
//! chosen calls: an error status, a garbage answer, silence until the client times out,
//! or the connection dropped before or after the CA handled the request (the nastiest:
//! the CA did the work and the client never learnt it). The CA itself stays real; only the wire between is sabotaged.
//!
//! One request per connection (`Connection: close` both ways), plain std threads: the
//! reference CA and reqwest speak nothing fancier for these calls (no chunked bodies).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer this status with a problem+json body; the CA never sees the request.
    Status(u16),
    /// Answer 200 with a body that is not the API's JSON.
    Garbage,
    /// Close the connection without forwarding.
    DropBefore,
    /// Forward, let the CA answer, then close without passing the answer on.
    DropAfter,
    /// Neither forward nor answer for this long (past the client's timeout), then close.
    Hang(Duration),
}

#[derive(Debug)]
struct Rule {
    path_prefix: String,
    fault: Fault,
    remaining: usize,
}

#[derive(Default)]
struct Shared {
    rules: Vec<Rule>,
    /// `METHOD /path` of every request seen, in order.
    seen: Vec<String>,
    /// `METHOD /path` of every request a fault was injected into.
    faulted: Vec<String>,
}

pub struct FaultProxy {
    url: String,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl FaultProxy {
    /// Listens on an ephemeral loopback port and forwards to `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> anyhow::Result<Self> {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (shared.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (s, up) = (s.clone(), upstream.clone());
                std::thread::spawn(move || {
                    if let Err(e) = serve(conn, &up, &s) {
                        tracing::debug!(error = %e, "fault proxy connection");
                    }
                });
            }
        });
        Ok(Self {
            url: format!("http://127.0.0.1:{port}"),
            shared,
            stop,
            port,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The next `times` requests whose path starts with `path_prefix` get `fault`.
    pub fn inject(&self, path_prefix: &str, fault: Fault, times: usize) {
        self.lock().rules.push(Rule {
            path_prefix: path_prefix.to_owned(),
            fault,
            remaining: times,
        });
    }

    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// Every request seen so far (`METHOD /path`), and forgets them.
    pub fn take_seen(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().seen)
    }

    /// Every request a fault was injected into so far, and forgets them.
    pub fn take_faulted(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().faulted)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads one request: the head (request line + headers) and a `Content-Length` body.
fn read_request(conn: &TcpStream) -> std::io::Result<(String, Vec<String>, Vec<u8>)> {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let request_line = line.trim_end().to_owned();
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            if name.eq_ignore_ascii_case("connection") {
                continue;
            }
        }
        headers.push(h.to_owned());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((request_line, headers, body))
}

fn serve(mut conn: TcpStream, upstream: &str, shared: &Mutex<Shared>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let (request_line, headers, body) = read_request(&conn)?;
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default();
    let call = format!("{method} {path}");
    let fault = {
        let mut s = shared.lock().unwrap_or_else(PoisonError::into_inner);
        s.seen.push(call.clone());
        let hit = s
            .rules
            .iter_mut()
            .find(|r| r.remaining > 0 && path.starts_with(&r.path_prefix));
        let fault = hit.map(|r| {
            r.remaining -= 1;
            r.fault
        });
        if fault.is_some() {
            s.faulted.push(call);
        }
        fault
    };
    match fault {
        Some(Fault::Status(code)) => {
            let body =
                format!(r#"{{"type":"about:blank","title":"injected fault","status":{code}}}"#);
            write!(
                conn,
                "HTTP/1.1 {code} Injected\r\nContent-Type: application/problem+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
        }
        Some(Fault::Garbage) => {
            let body = "<html><body>portal login</body></html>";
            write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
        }
        Some(Fault::DropBefore) => {}
        Some(Fault::Hang(how_long)) => std::thread::sleep(how_long),
        Some(Fault::DropAfter) => {
            let _answer_lost = forward(upstream, &request_line, &headers, &body)?;
        }
        None => {
            let answer = forward(upstream, &request_line, &headers, &body)?;
            conn.write_all(&answer)?;
        }
    }
    conn.flush()?;
    conn.shutdown(Shutdown::Both)
}

/// Sends the request to the CA with `Connection: close` and returns its whole answer.
fn forward(
    upstream: &str,
    request_line: &str,
    headers: &[String],
    body: &[u8],
) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream)?;
    let mut head = format!("{request_line}\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes())?;
    up.write_all(body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    Ok(answer)
}
