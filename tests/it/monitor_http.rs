//! The monitor's HTTP under a slow-client attack (issue 14, defect 3): clients that connect and
//! send nothing, or trickle a request's body, hold no slot for long, and `/healthz`, the API and
//! the status page keep answering while they try. No browser: a monitor with no journeys.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;
use vedetta::monitor::{Listen, MonitorSetup};

/// Far above the server's read timeouts (10 s): reached only if a limit does not hold.
const BOUND: Duration = Duration::from_secs(40);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_starve_the_monitors_http() {
    let data = tempfile::tempdir().unwrap();
    let monitor = vedetta::monitor::start(
        MonitorSetup {
            journeys: Vec::new(),
            listen: Listen::Addr("127.0.0.1:0".parse().unwrap()),
            public_url: None,
            data_dir: data.path().to_path_buf(),
            retention: Duration::from_secs(3600),
            concurrency: 1,
            channels: Vec::new(),
            browser: Default::default(),
            otp: Default::default(),
            sign_key: None,
            maintenance: Vec::new(),
            api_token: None,
            locations: Vec::new(),
            alert_locations: None,
            public: None,
        },
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let addr = monitor.addr;

    // More silent connections than the server serves at once, and one trickling a body.
    let mut silent = Vec::new();
    for _ in 0..150 {
        silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let mut trickling = tokio::net::TcpStream::connect(addr).await.unwrap();
    trickling
        .write_all(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
        .await
        .unwrap();

    // A legitimate client is answered (after at most the header timeout frees the slots).
    for path in ["/healthz", "/api/journeys", "/"] {
        let answer = tokio::time::timeout(BOUND, reqwest::get(format!("http://{addr}{path}")))
            .await
            .unwrap_or_else(|_| panic!("{path} did not answer under the attack"))
            .unwrap();
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
    }

    // Every slow connection is closed by the server.
    let mut buf = [0u8; 256];
    for s in silent.iter_mut().chain(std::iter::once(&mut trickling)) {
        let closed = tokio::time::timeout(BOUND, async {
            while let Ok(n) = s.read(&mut buf).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a slow connection was left open");
    }
    monitor.shutdown().await;
}
