//! The browser's own DevTools endpoint (Chromium's `--remote-debugging-port`, which
//! chromedriver opens on loopback and reports as `goog:chromeOptions.debuggerAddress`): a
//! minimal WebSocket client for the few browser-level commands the pool needs
//! (`Target.createBrowserContext`, `Target.createTarget`, `Target.disposeBrowserContext`).
//!
//! Why not chromedriver's `/goog/cdp/execute`: it speaks to the *page*'s DevTools session, and
//! Chromium refuses browser-context commands there ("Not allowed"). Why not WebDriver BiDi
//! (`browser.createUserContext`): it needs `webSocketUrl: true` when the session is created,
//! which puts chromedriver in BiDi mode for every session, pooled or not; the browser target
//! leaves the WebDriver session exactly as it was. A connection lives for one operation.
//!
//! Only a loopback address is ever dialled (the browser we started); anything else is refused.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value as Json, json};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::error::BrowserError;

/// How long one DevTools operation (connect, a command and its answer) may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest message read: the browser target's answers are small; events are not asked for.
const MAX_MESSAGE: usize = 8 << 20;

/// An open connection to the browser target.
pub(super) struct DevTools {
    stream: BufReader<TcpStream>,
    next_id: u64,
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
        let (host, port) = address
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .ok_or_else(|| devtools_error(format!("not a host:port: {address}")))?;
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Err(devtools_error(format!(
                "the browser's DevTools endpoint {address} is not on loopback"
            )));
        }
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
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .ok_or_else(|| devtools_error(format!("unexpected DevTools URL {ws}")))?;
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| devtools_error(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let mut stream = BufReader::new(tcp);
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 16]>());
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
             Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .map_err(|e| devtools_error(e.to_string()))?;
        let head = read_head(&mut stream).await?;
        let accept = base64::engine::general_purpose::STANDARD.encode(Sha1::digest(
            format!("{key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11").as_bytes(),
        ));
        let status_ok = head.lines().next().is_some_and(|l| l.contains(" 101 "));
        let accepted = head.lines().any(|l| {
            l.split_once(':').is_some_and(|(k, v)| {
                k.eq_ignore_ascii_case("sec-websocket-accept") && v.trim() == accept
            })
        });
        if !status_ok || !accepted {
            return Err(devtools_error(format!(
                "the DevTools endpoint refused the WebSocket: {}",
                head.lines().next().unwrap_or_default()
            )));
        }
        Ok(DevTools { stream, next_id: 0 })
    }

    /// Sends one command and returns its `result`; an `error` answer is an `Err`.
    pub async fn call(&mut self, method: &str, params: Json) -> Result<Json, BrowserError> {
        tokio::time::timeout(CALL_TIMEOUT, self.call_now(method, params))
            .await
            .map_err(|_| devtools_error(format!("{method} had no answer")))?
    }

    async fn call_now(&mut self, method: &str, params: Json) -> Result<Json, BrowserError> {
        self.next_id += 1;
        let id = self.next_id;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.send(0x1, text.as_bytes()).await?;
        loop {
            let message = self.receive().await?;
            let Ok(v) = serde_json::from_slice::<Json>(&message) else {
                continue;
            };
            if v["id"].as_u64() != Some(id) {
                continue; // an event
            }
            if let Some(e) = v.get("error") {
                return Err(devtools_error(format!(
                    "{method}: {}",
                    e["message"].as_str().unwrap_or("failed")
                )));
            }
            return Ok(v["result"].clone());
        }
    }

    /// One masked frame, as a client must send.
    async fn send(&mut self, opcode: u8, payload: &[u8]) -> Result<(), BrowserError> {
        let mut frame = Vec::with_capacity(payload.len() + 14);
        frame.push(0x80 | opcode);
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= u16::MAX as usize => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask: [u8; 4] = rand::random();
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream
            .get_mut()
            .write_all(&frame)
            .await
            .map_err(|e| devtools_error(e.to_string()))
    }

    /// The next whole message (fragments joined); pings answered on the way.
    async fn receive(&mut self) -> Result<Vec<u8>, BrowserError> {
        let mut message = Vec::new();
        loop {
            let (fin, opcode, payload) = self.frame().await?;
            match opcode {
                0x8 => return Err(devtools_error("the browser closed the DevTools connection")),
                0x9 => self.send(0xA, &payload).await?,
                0xA => {}
                _ => {
                    message.extend_from_slice(&payload);
                    if message.len() > MAX_MESSAGE {
                        return Err(devtools_error("a DevTools message too large"));
                    }
                    if fin {
                        return Ok(message);
                    }
                }
            }
        }
    }

    async fn frame(&mut self) -> Result<(bool, u8, Vec<u8>), BrowserError> {
        let io = |e: std::io::Error| devtools_error(e.to_string());
        let mut head = [0u8; 2];
        self.stream.read_exact(&mut head).await.map_err(io)?;
        let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0F);
        let masked = head[1] & 0x80 != 0;
        let len = match head[1] & 0x7F {
            126 => self.stream.read_u16().await.map_err(io)? as usize,
            127 => self.stream.read_u64().await.map_err(io)? as usize,
            n => n as usize,
        };
        if len > MAX_MESSAGE {
            return Err(devtools_error("a DevTools message too large"));
        }
        let mut mask = [0u8; 4];
        if masked {
            self.stream.read_exact(&mut mask).await.map_err(io)?;
        }
        let mut payload = vec![0u8; len];
        self.stream.read_exact(&mut payload).await.map_err(io)?;
        if masked {
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= mask[i % 4];
            }
        }
        Ok((fin, opcode, payload))
    }
}

/// The HTTP head of the handshake's answer (up to the blank line).
async fn read_head(stream: &mut BufReader<TcpStream>) -> Result<String, BrowserError> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(devtools_error(
                "the DevTools handshake's answer is too long",
            ));
        }
        let b = stream
            .read_u8()
            .await
            .map_err(|e| devtools_error(e.to_string()))?;
        head.push(b);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

fn devtools_error(message: impl Into<String>) -> BrowserError {
    BrowserError::Setup(format!("browser DevTools: {}", message.into()))
}
