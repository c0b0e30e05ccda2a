//! WebDriver BiDi, for what classic WebDriver does not give in Firefox: the page's network and
//! its console.
//!
//! geckodriver keeps no performance log and no console log, but opens a BiDi WebSocket when the
//! session asks for one (`webSocketUrl: true`). On it vedetta subscribes to the `network.*`
//! events and to `log.entryAdded`, and keeps the bodies of small answers in the browser
//! (`network.addDataCollector`), so that a failed answer's start can still be read after the
//! page moved on (`network.getData`).
//!
//! No task reads the socket in the background: the browser's events wait in the connection
//! until they are asked for — when a step fails (the console and the network) and when the
//! attempt ends (the network) — and are read then, up to the answer to one cheap command
//! (`session.status`) sent after them, so that every event the browser sent before the
//! question is in the answer. Only a loopback endpoint is accepted (a geckodriver vedetta
//! started), like the DevTools endpoint (`devtools.rs`).

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value as Json, json};

use super::devtools::{JsonSocket, loopback_port};
use super::error::BrowserError;

/// How long one BiDi operation (connect, a command and its answer) may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Events kept between two reads at most: a page that makes more requests than this between
/// two failures loses the latest from its HAR, never the run's memory.
const MAX_EVENTS: usize = 50_000;

/// Answers the browser keeps for a later read are those up to this size (encoded, as sent); a
/// failed answer's first 4 KiB are what is kept of it (see `network.rs`).
const MAX_KEPT_BODY: u64 = 64 * 1024;

/// The session's BiDi connection.
pub(super) struct Bidi {
    socket: JsonSocket,
    /// `network.*` events read while waiting for an answer, for the next [`Bidi::take_events`].
    events: Vec<Json>,
    /// `log.entryAdded` events (their `params`), for the next [`Bidi::take_console`].
    console: Vec<Json>,
}

impl Bidi {
    /// Connects to the session's BiDi endpoint `url` (`ws://127.0.0.1:PORT/session/ID`, as
    /// geckodriver reports it) and asks for the page's network events and answers' bodies.
    pub async fn connect(url: &str) -> Result<Bidi, BrowserError> {
        let (address, path) = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.find('/').map(|i| rest.split_at(i)))
            .ok_or_else(|| bidi_error(format!("unexpected BiDi URL {url}")))?;
        let port = loopback_port(address).map_err(in_bidi)?;
        let socket = tokio::time::timeout(CALL_TIMEOUT, JsonSocket::open(port, path))
            .await
            .map_err(|_| bidi_error("the endpoint did not answer"))?
            .map_err(in_bidi)?;
        let mut bidi = Bidi {
            socket,
            events: Vec::new(),
            console: Vec::new(),
        };
        bidi.call(
            "session.subscribe",
            json!({ "events": [
                "network.beforeRequestSent",
                "network.responseCompleted",
                "network.fetchError",
                "log.entryAdded",
            ] }),
        )
        .await?;
        // A Firefox too old for data collectors (a recent BiDi command) keeps no bodies: its
        // failed answers are then named without their text.
        let kept = bidi
            .call(
                "network.addDataCollector",
                json!({ "dataTypes": ["response"], "maxEncodedDataSize": MAX_KEPT_BODY }),
            )
            .await;
        if let Err(e) = kept {
            tracing::debug!("failed answers' bodies are not kept: {e}");
        }
        Ok(bidi)
    }

    /// The `network.*` events the browser sent since the last call, in order.
    pub async fn take_events(&mut self) -> Result<Vec<Json>, BrowserError> {
        // Its answer comes after every event sent before it.
        self.call("session.status", json!({})).await?;
        Ok(std::mem::take(&mut self.events))
    }

    /// The console's entries (`log.entryAdded`'s `params`) since the last call, in order.
    pub async fn take_console(&mut self) -> Result<Vec<Json>, BrowserError> {
        self.call("session.status", json!({})).await?;
        Ok(std::mem::take(&mut self.console))
    }

    /// The start (up to `limit` bytes) of the body of the answer to `request` (a
    /// `network.*` event's `request.request`), while the browser keeps it.
    pub async fn response_body(&mut self, request: &str, limit: usize) -> Option<String> {
        let data = self
            .call(
                "network.getData",
                json!({ "dataType": "response", "request": request }),
            )
            .await
            .ok()?;
        let bytes = &data["bytes"];
        let value = bytes["value"].as_str()?;
        let raw = match bytes["type"].as_str() {
            Some("base64") => base64::engine::general_purpose::STANDARD
                .decode(value)
                .ok()?,
            _ => value.as_bytes().to_vec(),
        };
        Some(String::from_utf8_lossy(&raw[..raw.len().min(limit)]).into_owned())
    }

    /// Sends one command and returns its `result`; an `error` answer is an `Err`. Events read
    /// meanwhile are kept for [`Bidi::take_events`] and [`Bidi::take_console`].
    async fn call(&mut self, method: &str, params: Json) -> Result<Json, BrowserError> {
        tokio::time::timeout(CALL_TIMEOUT, self.call_now(method, params))
            .await
            .map_err(|_| bidi_error(format!("{method} had no answer")))?
    }

    async fn call_now(&mut self, method: &str, params: Json) -> Result<Json, BrowserError> {
        let (events, console) = (&mut self.events, &mut self.console);
        let keep = |message: Json| {
            if message["type"] != "event" {
                return; // the answer to a command given up on
            }
            match message["method"].as_str().unwrap_or_default() {
                m if m.starts_with("network.") && events.len() < MAX_EVENTS => events.push(message),
                "log.entryAdded" if console.len() < MAX_EVENTS => {
                    console.push(message["params"].clone());
                }
                _ => {}
            }
        };
        let answer = self
            .socket
            .exchange(method, params, keep)
            .await
            .map_err(in_bidi)?;
        if answer["type"] == "error" {
            return Err(bidi_error(format!(
                "{method}: {}",
                answer["message"]
                    .as_str()
                    .or(answer["error"].as_str())
                    .unwrap_or("failed")
            )));
        }
        Ok(answer["result"].clone())
    }
}

/// An error of the shared socket code (`devtools.rs`), said to be the BiDi connection's.
fn in_bidi(e: BrowserError) -> BrowserError {
    e.map_message(|m| format!("browser BiDi: {m}"))
}

fn bidi_error(message: impl Into<String>) -> BrowserError {
    in_bidi(BrowserError::Setup(message.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{SinkExt as _, StreamExt as _};
    use tokio::net::TcpListener;
    use tokio_tungstenite::tungstenite::Message;

    /// A stand-in for geckodriver's BiDi endpoint on 127.0.0.1: answers every command with
    /// `answer(command)`'s messages, in order.
    async fn endpoint(answer: fn(&Json) -> Vec<Json>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                let Message::Text(t) = message else { continue };
                let command: Json = serde_json::from_str(&t).unwrap();
                for reply in answer(&command) {
                    if ws.send(Message::text(reply.to_string())).await.is_err() {
                        return;
                    }
                }
            }
        });
        format!("ws://127.0.0.1:{port}/session/s1")
    }

    fn success(command: &Json, result: Json) -> Json {
        json!({ "type": "success", "id": command["id"], "result": result })
    }

    fn event(method: &str, request: &str) -> Json {
        json!({ "type": "event", "method": method,
                "params": { "request": { "request": request } } })
    }

    #[tokio::test]
    async fn events_sent_before_the_question_are_all_in_the_answer_and_only_once() {
        let url = endpoint(|c| match c["method"].as_str().unwrap() {
            "session.status" => vec![
                event("network.beforeRequestSent", "1"),
                json!({ "type": "event", "method": "log.entryAdded", "params": { "text": "hi" } }),
                json!({ "type": "event", "method": "browsingContext.load", "params": {} }),
                event("network.responseCompleted", "1"),
                success(c, json!({ "ready": false })),
            ],
            _ => vec![success(c, json!({}))],
        })
        .await;
        let mut bidi = Bidi::connect(&url).await.unwrap();
        let events = bidi.take_events().await.unwrap();
        let methods: Vec<&str> = events
            .iter()
            .map(|e| e["method"].as_str().unwrap())
            .collect();
        assert_eq!(
            methods,
            ["network.beforeRequestSent", "network.responseCompleted"]
        );
        // The console's entry was read on the way, and is the console's.
        assert_eq!(bidi.take_console().await.unwrap()[0]["text"], "hi");
        // The next read brings the next events, not these again.
        assert_eq!(bidi.take_events().await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn a_body_comes_as_text_or_base64_cut_to_the_limit() {
        let url = endpoint(|c| match c["params"]["request"].as_str() {
            Some("text") => vec![success(
                c,
                json!({ "bytes": { "type": "string", "value": "Servizio non disponibile" } }),
            )],
            Some("b64") => vec![success(
                c,
                json!({ "bytes": { "type": "base64", "value": "Q2l0dMOgIGRvd24=" } }),
            )],
            Some(_) => vec![
                json!({ "type": "error", "id": c["id"], "error": "no such network data",
                                    "message": "no data" }),
            ],
            None => vec![success(c, json!({}))],
        })
        .await;
        let mut bidi = Bidi::connect(&url).await.unwrap();
        assert_eq!(
            bidi.response_body("text", 8).await.as_deref(),
            Some("Servizio")
        );
        assert_eq!(
            bidi.response_body("b64", 100).await.as_deref(),
            Some("Città down")
        );
        assert_eq!(bidi.response_body("gone", 100).await, None);
    }

    #[tokio::test]
    async fn an_endpoint_off_loopback_is_refused_before_anything_is_dialled() {
        for url in [
            "ws://10.0.0.7:9222/session/x",
            "ws://example.com:9222/session/x",
        ] {
            let Err(BrowserError::Setup(m)) = Bidi::connect(url).await else {
                panic!("{url} was accepted");
            };
            assert!(
                m.starts_with("browser BiDi: ") && m.contains("not on loopback"),
                "{m}"
            );
        }
    }

    #[tokio::test]
    async fn a_refused_subscription_is_an_error_naming_the_command() {
        let url = endpoint(|c| {
            vec![
                json!({ "type": "error", "id": c["id"], "error": "unknown command",
                         "message": "session.subscribe is not supported" }),
            ]
        })
        .await;
        let Err(BrowserError::Setup(m)) = Bidi::connect(&url).await else {
            panic!("the refusal was taken for a connection");
        };
        assert_eq!(
            m,
            "browser BiDi: session.subscribe: session.subscribe is not supported"
        );
    }
}
