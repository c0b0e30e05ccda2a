//! Serving vedetta's HTTP listeners — the SMS inbox, the demo bank, the monitor — with one set
//! of limits against slow and idle clients, and one graceful shutdown.
//!
//! Why not `axum::serve`: it has no way to time out a client that opens a connection and
//! sends nothing, sends its headers a byte at a time, or trickles its body; each such client
//! holds a socket (a file descriptor) for as long as it likes, and a few hundred of them exhaust
//! the process's descriptors, so the listener stops answering anyone. Here:
//!
//! - the request head (line and headers) must arrive within [`Limits::header_timeout`],
//!   counted from when the server starts waiting for it — which also closes a keep-alive
//!   connection left idle that long (hyper's `header_read_timeout`);
//! - the whole body must arrive within [`Limits::body_timeout`] (408, connection closed);
//! - at most [`Limits::max_connections`] connections are served at once; more wait in the
//!   kernel's listen backlog, holding no descriptor of ours, until one ends;
//! - on shutdown the listener closes, idle connections close, requests in flight get
//!   [`Limits::shutdown_grace`] to finish, then are cut.
//!
//! Handlers may still take long (the inbox's long-poll waits minutes): the limits are on what
//! the client sends, not on the answer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What a listener allows its clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How long a client may take to send a request's line and headers, from when the server
    /// starts waiting for them. Also how long a keep-alive connection may sit idle.
    pub header_timeout: Duration,
    /// How long a client may take to send a request's whole body: a body that trickles in is
    /// cut off (408) however steadily it comes.
    pub body_timeout: Duration,
    /// The largest body read at all; routes may allow less (`DefaultBodyLimit`).
    pub max_body_bytes: usize,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    /// Generous for vedetta's clients (an SMS provider's webhook, runners' long-polls, a
    /// browser on the status page, a metrics scraper, all quick to send), tight for a client
    /// that holds a connection without sending.
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            max_connections: 64,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` fires, then shuts down
/// gracefully (see the module's notes) and returns. Accept errors (out of descriptors) are
/// logged and retried; they never end the server.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) {
    let app = app.layer(middleware::from_fn_with_state(
        Arc::new(limits.clone()),
        read_body_in_time,
    ));
    let service = TowerToHyperService::new(app);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    loop {
        // A slot before accepting: at the cap, clients wait in the kernel's backlog.
        let slot = tokio::select! {
            () = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
        };
        let stream = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    drop(slot);
                    if !is_connection_error(&e) {
                        // Out of descriptors, most likely: wait for some to be freed.
                        tracing::warn!("HTTP server could not accept a connection: {e}");
                        tokio::select! {
                            () = shutdown.cancelled() => break,
                            () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                        }
                    }
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        while connections.try_join_next().is_some() {}
        let connection = http.serve_connection(TokioIo::new(stream), service.clone());
        let closing = shutdown.clone();
        connections.spawn(async move {
            let _slot = slot;
            tokio::pin!(connection);
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(e) = served {
                        tracing::debug!("HTTP connection ended: {e}");
                    }
                    return;
                }
                () = closing.cancelled() => {}
            }
            // Ends an idle connection now, a busy one after its answer.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    let all_done = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_grace, all_done)
        .await
        .is_err()
    {
        tracing::info!("HTTP server: requests still in flight at the shutdown grace were cut");
        connections.shutdown().await;
    }
}

/// How long to wait after an accept error that is not the client's doing.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(500);

/// Errors of one incoming connection (the client gave up before we accepted): not ours.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Reads the request's whole body within [`Limits::body_timeout`] and at most
/// [`Limits::max_body_bytes`] before the app sees it. The app's bodies are small (webhooks,
/// forms, JSON): buffering them costs little and bounds every handler's read at once.
async fn read_body_in_time(
    State(limits): State<Arc<Limits>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return refuse_and_close(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large");
    }
    let read = tokio::time::timeout(
        limits.body_timeout,
        read_at_most(body, limits.max_body_bytes),
    )
    .await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(BodyError::TooLarge)) => {
            refuse_and_close(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large")
        }
        Ok(Err(BodyError::Broken)) => {
            refuse_and_close(StatusCode::BAD_REQUEST, "the body could not be read")
        }
        Err(_) => refuse_and_close(
            StatusCode::REQUEST_TIMEOUT,
            "the body did not arrive in time",
        ),
    }
}

enum BodyError {
    TooLarge,
    Broken,
}

async fn read_at_most(body: Body, max: usize) -> Result<Bytes, BodyError> {
    let mut chunks = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        if read.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        read.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(read))
}

/// A refusal after which the connection closes: the rest of the body is never read.
fn refuse_and_close(status: StatusCode, why: &'static str) -> Response {
    let mut response = (status, format!("{why}\n")).into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A server running on its own task: what the inbox and the demo bank hand their callers.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

/// Starts [`serve`] on a task. `shutdown` stops it (so does [`RunningServer::shutdown`]); the
/// app may hold a clone to end its own long waits at the same moment.
pub fn spawn(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> std::io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let task = tokio::spawn(serve(listener, app, limits, shutdown.clone()));
    Ok(RunningServer {
        addr,
        shutdown,
        task,
    })
}

impl RunningServer {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes idle connections and waits for requests in flight (at most the
    /// shutdown grace).
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        let _ = self.task.await;
    }

    /// Resolves when the server has stopped.
    pub async fn stopped(&mut self) {
        let _ = (&mut self.task).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};
    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::Notify;

    /// Far above every limit the tests set: reached only when a limit does not hold, so a
    /// regression fails the test instead of hanging it.
    const BOUND: Duration = Duration::from_secs(20);

    /// Limits a test can wait out.
    fn tight() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            max_body_bytes: 1024,
            max_connections: 32,
            shutdown_grace: Duration::from_secs(3),
        }
    }

    /// Handlers that say when they are entered, and one that waits for the test's word.
    struct Signals {
        entered: Semaphore,
        release: Notify,
    }

    impl Default for Signals {
        fn default() -> Signals {
            Signals {
                entered: Semaphore::new(0),
                release: Notify::new(),
            }
        }
    }

    fn app(signals: Arc<Signals>) -> Router {
        let (waiting, hanging) = (signals.clone(), signals);
        Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route(
                "/echo",
                post(|body: Bytes| async move { body.len().to_string() }),
            )
            .route(
                "/wait",
                get(move || async move {
                    waiting.entered.add_permits(1);
                    waiting.release.notified().await;
                    "done"
                }),
            )
            .route(
                "/hang",
                get(move || async move {
                    hanging.entered.add_permits(1);
                    std::future::pending::<&'static str>().await
                }),
            )
    }

    async fn start(limits: Limits) -> (SocketAddr, RunningServer, Arc<Signals>) {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let signals = Arc::new(Signals::default());
        let server = spawn(
            listener,
            app(signals.clone()),
            limits,
            CancellationToken::new(),
        )
        .unwrap();
        (server.addr(), server, signals)
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    /// What the server sends until it closes the connection; `None` if it has not closed it
    /// within [`BOUND`].
    async fn read_until_closed(stream: &mut (impl AsyncRead + Unpin)) -> Option<String> {
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        let closed = tokio::time::timeout(BOUND, async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        closed
            .ok()
            .map(|()| String::from_utf8_lossy(&got).into_owned())
    }

    /// A POST whose 1000-byte body comes one byte every 100 ms (100 s in all): what the server
    /// answered before it closed the connection, `None` if it did not close it.
    async fn trickle_a_body(addr: SocketAddr) -> Option<String> {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        write
            .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
            .await
            .unwrap();
        let writer = tokio::spawn(async move {
            for _ in 0..1000 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if write.write_all(b"x").await.is_err() {
                    break;
                }
            }
        });
        let answered = read_until_closed(&mut read).await;
        writer.abort();
        answered
    }

    #[tokio::test]
    async fn silent_half_sent_and_trickling_clients_are_cut_off_while_others_are_served() {
        let (addr, server, _) = start(tight()).await;
        // Connected, and never a byte.
        let mut silent = Vec::new();
        for _ in 0..10 {
            silent.push(TcpStream::connect(addr).await.unwrap());
        }
        // A request head begun and never finished.
        let mut half_sent = Vec::new();
        for _ in 0..4 {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
            half_sent.push(s);
        }
        let trickling = tokio::spawn(trickle_a_body(addr));

        // While they hold their connections, an honest client is answered.
        let answer =
            tokio::time::timeout(BOUND, client().get(format!("http://{addr}/healthz")).send())
                .await
                .expect("/healthz answered while the slow clients hold their connections")
                .unwrap();
        assert_eq!(answer.status(), 200);

        for (i, s) in silent.iter_mut().chain(half_sent.iter_mut()).enumerate() {
            assert!(
                read_until_closed(s).await.is_some(),
                "connection {i} sent no whole request head and was left open"
            );
        }
        let trickled = trickling
            .await
            .unwrap()
            .expect("a trickling body kept its connection open");
        assert!(trickled.starts_with("HTTP/1.1 408"), "{trickled}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn a_keep_alive_connection_left_idle_is_closed() {
        let (addr, server, _) = start(tight()).await;
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let got = read_until_closed(&mut s)
            .await
            .expect("an idle keep-alive connection was left open");
        assert!(got.starts_with("HTTP/1.1 200"), "{got}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn connections_over_the_cap_wait_for_a_free_slot() {
        let limits = Limits {
            max_connections: 4,
            // Long enough that the held connections keep their slots for the whole test.
            header_timeout: BOUND * 3,
            ..tight()
        };
        let (addr, server, _) = start(limits).await;
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
        let fifth = tokio::spawn(client().get(format!("http://{addr}/healthz")).send());
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            !fifth.is_finished(),
            "a fifth connection was served over the cap"
        );
        drop(held.pop());
        let answer = tokio::time::timeout(BOUND, fifth)
            .await
            .expect("served once a slot was free")
            .unwrap()
            .unwrap();
        assert_eq!(answer.status(), 200);
        server.shutdown().await;
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_limit() {
        let (addr, server, _) = start(tight()).await;
        let url = format!("http://{addr}/echo");
        let small = client()
            .post(&url)
            .body("x".repeat(1000))
            .send()
            .await
            .unwrap();
        assert_eq!(small.text().await.unwrap(), "1000");
        let declared = client()
            .post(&url)
            .body("x".repeat(2000))
            .send()
            .await
            .unwrap();
        assert_eq!(declared.status(), 413);
        // Chunked: no length declared, counted as it comes.
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await
            .unwrap();
        for _ in 0..4 {
            let chunk = format!("{:x}\r\n{}\r\n", 400, "x".repeat(400));
            if s.write_all(chunk.as_bytes()).await.is_err() {
                break; // refused and closed already
            }
        }
        let streamed = read_until_closed(&mut s)
            .await
            .expect("closed after refusing");
        assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn shutdown_lets_a_request_in_flight_finish_and_cuts_one_that_never_ends() {
        let (addr, server, signals) = start(tight()).await;
        let waiting = tokio::spawn(client().get(format!("http://{addr}/wait")).send());
        let hanging = tokio::spawn(client().get(format!("http://{addr}/hang")).send());
        let _both_in = signals.entered.acquire_many(2).await.unwrap();
        let stopping = tokio::spawn(server.shutdown());
        // The listener is closed at once…
        tokio::time::timeout(BOUND, async {
            while TcpStream::connect(addr).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the listener still accepts after shutdown");
        // …a request in flight still gets its answer…
        signals.release.notify_waiters();
        let answer = waiting.await.unwrap().unwrap();
        assert_eq!(answer.text().await.unwrap(), "done");
        // …and one that never ends is cut at the grace.
        tokio::time::timeout(BOUND, stopping)
            .await
            .expect("shutdown waited past its grace")
            .unwrap();
        assert!(hanging.await.unwrap().is_err());
    }
}
