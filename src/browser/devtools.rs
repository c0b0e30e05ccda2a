//! The browser's own DevTools endpoint (Chromium's `--remote-debugging-port`, which
//! chromedriver opens on loopback and reports as `goog:chromeOptions.debuggerAddress`): a
//! client for the few browser-level commands the pool needs (`Target.createBrowserContext`,
//! `Target.createTarget`, `Target.disposeBrowserContext`).
//!
//! Why not chromedriver's `/goog/cdp/execute`: it speaks to the *page*'s DevTools session, and
//! Chromium refuses browser-context commands there ("Not allowed"). Why not WebDriver BiDi
//! (`browser.createUserContext`): it needs `webSocketUrl: true` when the session is created,
//! which puts chromedriver in BiDi mode for every session, pooled or not; the browser target
//! leaves the WebDriver session exactly as it was. A connection lives for one operation.
//!
//! The WebSocket is tokio-tungstenite's client (handshake, framing, masking, pings), run over
//! a TCP stream we dial ourselves: only a loopback address is ever accepted (the browser we
//! started), and the connection goes to 127.0.0.1 whatever host the endpoint's
//! `webSocketDebuggerUrl` names. Every step is bounded by [`CALL_TIMEOUT`] and every message
//! by [`MAX_MESSAGE`]; what we add is the DevTools Protocol's part: ids, answers, errors.

use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value as Json, json};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::error::BrowserError;

/// How long one DevTools operation (connect, a command and its answer) may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest message read: the browser target's answers are small; events are not asked for.
const MAX_MESSAGE: usize = 8 << 20;

/// An open connection to the browser target.
pub(super) struct DevTools {
    socket: JsonSocket,
}

impl DevTools {
    /// Connects to the browser target of the DevTools server at `address` (`host:port`, as
    /// chromedriver reports it), if that is on loopback.
    pub async fn connect(address: &str) -> Result<DevTools, BrowserError> {
        tokio::time::timeout(CALL_TIMEOUT, Self::connect_now(address))
            .await
            .map_err(|_| devtools_error("the browser's DevTools endpoint did not answer"))?
    }

    async fn connect_now(address: &str) -> Result<DevTools, BrowserError> {
        let port = loopback_port(address).map_err(in_devtools)?;
        let version: Json = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| devtools_error(e.to_string()))?
            .get(format!("http://127.0.0.1:{port}/json/version"))
            .send()
            .await
            .map_err(|e| devtools_error(e.to_string()))?
            .json()
            .await
            .map_err(|e| devtools_error(e.to_string()))?;
        let ws = version["webSocketDebuggerUrl"]
            .as_str()
            .ok_or_else(|| devtools_error("no webSocketDebuggerUrl in /json/version"))?;
        let path = ws
            .strip_prefix("ws://")
            .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
            .ok_or_else(|| devtools_error(format!("unexpected DevTools URL {ws}")))?;
        Self::open(port, path).await
    }

    /// The WebSocket handshake with `path` on 127.0.0.1:`port`.
    async fn open(port: u16, path: &str) -> Result<DevTools, BrowserError> {
        let socket = JsonSocket::open(port, path).await.map_err(in_devtools)?;
        Ok(DevTools { socket })
    }

    /// Sends one command and returns its `result`; an `error` answer is an `Err`.
    pub async fn call(&mut self, method: &str, params: Json) -> Result<Json, BrowserError> {
        tokio::time::timeout(CALL_TIMEOUT, self.call_now(method, params))
            .await
            .map_err(|_| devtools_error(format!("{method} had no answer")))?
    }

    async fn call_now(&mut self, method: &str, params: Json) -> Result<Json, BrowserError> {
        // Events and the answers to commands given up on are not ours.
        let answer = self
            .socket
            .exchange(method, params, drop)
            .await
            .map_err(in_devtools)?;
        if let Some(e) = answer.get("error") {
            return Err(devtools_error(format!(
                "{method}: {}",
                e["message"].as_str().unwrap_or("failed")
            )));
        }
        Ok(answer["result"].clone())
    }
}

/// A WebSocket to a browser's own endpoint on loopback that carries JSON commands
/// (`{"id", "method", "params"}`) and their answers, the DevTools Protocol's framing and
/// WebDriver BiDi's alike; messages are at most [`MAX_MESSAGE`]. Errors say what failed,
/// without naming the protocol.
pub(super) struct JsonSocket {
    socket: WebSocketStream<TcpStream>,
    next_id: u64,
}

impl JsonSocket {
    /// The WebSocket handshake with `path` on 127.0.0.1:`port`.
    pub(super) async fn open(port: u16, path: &str) -> Result<JsonSocket, BrowserError> {
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| BrowserError::Setup(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let url = format!("ws://127.0.0.1:{port}{path}");
        let (socket, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(config))
            .await
            .map_err(|e| BrowserError::Setup(format!("the endpoint refused the WebSocket: {e}")))?;
        Ok(JsonSocket { socket, next_id: 0 })
    }

    /// Sends `method` with `params` and returns the message that answers it (the one with its
    /// id); every other JSON message read meanwhile — an event, the answer to a command given
    /// up on — goes to `other`.
    pub(super) async fn exchange(
        &mut self,
        method: &str,
        params: Json,
        mut other: impl FnMut(Json),
    ) -> Result<Json, BrowserError> {
        self.next_id += 1;
        let id = self.next_id;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.socket
            .send(Message::text(text))
            .await
            .map_err(socket_error)?;
        loop {
            let message = self.receive().await?;
            let Ok(v) = serde_json::from_slice::<Json>(&message) else {
                continue;
            };
            if v["id"].as_u64() == Some(id) {
                return Ok(v);
            }
            other(v);
        }
    }

    /// The next text or binary message; tungstenite answers pings on the way.
    async fn receive(&mut self) -> Result<Bytes, BrowserError> {
        loop {
            match self.socket.next().await {
                None | Some(Ok(Message::Close(_))) => return Err(closed()),
                Some(Err(e)) => return Err(socket_error(e)),
                Some(Ok(Message::Text(text))) => return Ok(text.into()),
                Some(Ok(Message::Binary(bytes))) => return Ok(bytes),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            }
        }
    }
}

/// The port of a `host:port` address of the browser's whose host is loopback; anything else is
/// refused before anything is dialled.
pub(super) fn loopback_port(address: &str) -> Result<u16, BrowserError> {
    let (host, port) = address
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
        .ok_or_else(|| BrowserError::Setup(format!("not a host:port: {address}")))?;
    if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        return Err(BrowserError::Setup(format!(
            "the browser's endpoint {address} is not on loopback"
        )));
    }
    Ok(port)
}

fn socket_error(e: WsError) -> BrowserError {
    match e {
        WsError::ConnectionClosed | WsError::AlreadyClosed => closed(),
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => BrowserError::Setup(
            format!("a message too large ({size} bytes; at most {max_size})"),
        ),
        e => BrowserError::Setup(e.to_string()),
    }
}

fn closed() -> BrowserError {
    BrowserError::Setup("the browser closed the connection".into())
}

/// An error of the shared socket code, said to be the DevTools connection's.
fn in_devtools(e: BrowserError) -> BrowserError {
    e.map_message(|m| format!("browser DevTools: {m}"))
}

fn devtools_error(message: impl Into<String>) -> BrowserError {
    BrowserError::Setup(format!("browser DevTools: {}", message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A stand-in for the browser target on 127.0.0.1: accepts one WebSocket, reads one
    /// command and answers it with `answer(id)`'s messages, in order.
    async fn target(answer: impl FnOnce(u64) -> Vec<Message> + Send + 'static) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            let command = loop {
                match ws.next().await {
                    Some(Ok(Message::Text(t))) => break serde_json::from_str::<Json>(&t).unwrap(),
                    Some(Ok(_)) => continue,
                    _ => return,
                }
            };
            for message in answer(command["id"].as_u64().unwrap()) {
                if ws.send(message).await.is_err() {
                    return;
                }
            }
            // Wait for the client to hang up rather than closing first.
            while let Some(Ok(_)) = ws.next().await {}
        });
        port
    }

    fn text(v: Json) -> Message {
        Message::text(v.to_string())
    }

    fn setup_message(r: Result<Json, BrowserError>) -> String {
        match r {
            Err(BrowserError::Setup(m)) => m,
            other => panic!("expected a setup error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_address_off_loopback_is_refused_before_anything_is_dialled() {
        for address in ["10.0.0.7:9222", "example.com:9222", "[::2]:9222"] {
            let Err(BrowserError::Setup(m)) = DevTools::connect(address).await else {
                panic!("{address} was accepted");
            };
            assert!(m.contains("is not on loopback"), "{m}");
        }
        let Err(BrowserError::Setup(m)) = DevTools::connect("127.0.0.1").await else {
            panic!("an address without a port was accepted");
        };
        assert!(m.contains("not a host:port"), "{m}");
    }

    #[tokio::test]
    async fn the_answer_with_the_commands_id_is_returned_past_events_and_other_answers() {
        let port = target(|id| {
            vec![
                Message::Ping(Bytes::from_static(b"are you there")),
                text(json!({ "method": "Target.targetCreated", "params": { "id": id } })),
                text(json!({ "id": id + 100, "result": { "browserContextId": "not ours" } })),
                Message::text("not JSON"),
                text(json!({ "id": id, "result": { "browserContextId": "B1" } })),
            ]
        })
        .await;
        let mut devtools = DevTools::open(port, "/devtools/browser/x").await.unwrap();
        let result = devtools
            .call("Target.createBrowserContext", json!({}))
            .await
            .unwrap();
        assert_eq!(result, json!({ "browserContextId": "B1" }));
    }

    #[tokio::test]
    async fn an_error_answer_is_an_error_naming_the_command_and_the_browsers_reason() {
        let port = target(|id| {
            vec![text(json!({ "id": id,
                "error": { "code": -32000, "message": "Failed to find browser context" } }))]
        })
        .await;
        let mut devtools = DevTools::open(port, "/devtools/browser/x").await.unwrap();
        let m = setup_message(
            devtools
                .call("Target.disposeBrowserContext", json!({}))
                .await,
        );
        assert_eq!(
            m,
            "browser DevTools: Target.disposeBrowserContext: Failed to find browser context"
        );
    }

    #[tokio::test]
    async fn a_message_over_the_cap_is_an_error_not_an_allocation() {
        let port = target(|_| vec![Message::binary(vec![b' '; MAX_MESSAGE + 1])]).await;
        let mut devtools = DevTools::open(port, "/devtools/browser/x").await.unwrap();
        let m = setup_message(devtools.call("Target.createTarget", json!({})).await);
        assert!(m.contains("browser DevTools: a message too large"), "{m}");
    }

    #[tokio::test]
    async fn the_browser_hanging_up_before_answering_is_an_error() {
        let port = target(|_| vec![Message::Close(None)]).await;
        let mut devtools = DevTools::open(port, "/devtools/browser/x").await.unwrap();
        let m = setup_message(devtools.call("Target.createTarget", json!({})).await);
        assert_eq!(m, "browser DevTools: the browser closed the connection");
    }

    #[tokio::test]
    async fn a_refused_handshake_says_so() {
        // An HTTP server that is not a WebSocket endpoint.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
            let (mut tcp, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = tcp.read(&mut buf).await;
            let _ = tcp
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .await;
        });
        let Err(BrowserError::Setup(m)) = DevTools::open(port, "/devtools/browser/x").await else {
            panic!("a 404 was taken for a WebSocket");
        };
        assert!(
            m.starts_with("browser DevTools: the endpoint refused the WebSocket")
                && m.contains("404"),
            "{m}"
        );
    }
}
