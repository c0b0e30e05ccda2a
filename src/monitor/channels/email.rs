//! E-mail over SMTP (lettre, rustls): STARTTLS on `smtp://` (port 587 by default), TLS from the
//! first byte on `smtps://` (465), plain only when the config says `security: none` (a relay on
//! the same machine); login with `username`/`password` when given. The message is plain text —
//! the summary, then each fact on its own line — and a down alert carries the annotated
//! screenshot as a PNG attachment. The password is never said, in any error.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::monitor::notify::{Alert, AlertEvent, human_secs, slow_summary};

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain, then `STARTTLS` before anything is sent; refused if the server cannot.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
    /// No encryption: only for a relay on a trusted network.
    None,
}

/// An e-mail channel.
#[derive(Clone)]
pub struct Email {
    /// The server as configured (`smtp://mail.example.com:587`), without credentials.
    pub server: String,
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub username: Option<String>,
    /// A secret: never printed.
    pub password: Option<String>,
    /// A root certificate (PEM) to trust besides the usual ones: a private relay's CA.
    pub ca_pem: Option<Vec<u8>>,
}

/// Why a message did not go.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("could not build the message: {0}")]
    Build(String),
    #[error("{message}")]
    Smtp {
        message: String,
        /// The server may take it later (busy, unreachable, a 4xx answer).
        retryable: bool,
    },
}

/// The attached screenshot: a file name and the PNG.
pub struct Screenshot {
    pub name: String,
    pub png: Vec<u8>,
}

impl Email {
    /// `[vedetta] DOWN card-balance: step 6 "wait for the SMS code" (otp_not_received)`.
    pub fn subject(alert: &Alert) -> String {
        let j = &alert.journey;
        let step = alert
            .step
            .as_ref()
            .map(|s| format!(": step {} \"{}\"", s.index, s.name))
            .unwrap_or_default();
        let category = alert
            .category
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        let what = match alert.event {
            AlertEvent::Down => format!("DOWN {j}{step}{category}"),
            AlertEvent::Degraded => format!("DEGRADED (slow) {j}{step}"),
            AlertEvent::Recovered => format!("RECOVERED {j}"),
            AlertEvent::Blind => format!("monitor BLIND on {j}"),
            AlertEvent::Sighted => format!("monitor sees {j} again"),
        };
        one_line(&format!("[vedetta] {what}"))
    }

    /// The plain-text body: the summary, then every fact of the alert on a line of its own.
    pub fn body(alert: &Alert) -> String {
        let mut lines = vec![alert.text.clone(), String::new()];
        let mut fact = |name: &str, value: &str| lines.push(format!("{name:<12} {value}"));
        fact("journey:", &alert.journey);
        if let Some(title) = &alert.title {
            fact("title:", title);
        }
        fact("event:", alert.event.as_str());
        if let Some(previous) = &alert.previous {
            fact("was:", previous);
        }
        fact("since:", &alert.since);
        fact("at:", &alert.at);
        if let Some(secs) = alert.duration_seconds {
            fact("lasted:", &human_secs(secs));
        }
        if let Some(step) = &alert.step {
            fact("step:", &format!("{} {}", step.index, step.name));
        }
        if let Some(category) = &alert.category {
            fact("category:", category);
        }
        for s in &alert.slow {
            fact("slow:", &slow_summary(s));
        }
        fact("status page:", &alert.status_page);
        if let Some(shot) = &alert.screenshot_url {
            fact("screenshot:", shot);
        }
        if let Some(evidence) = &alert.evidence {
            fact("evidence:", evidence);
        }
        fact("run:", &alert.run_id.to_string());
        if let Some(message) = &alert.message {
            lines.push(String::new());
            lines.push(message.clone());
        }
        lines.push(String::new());
        lines.push(format!("— vedetta {}", alert.vedetta_version));
        lines.join("\n") + "\n"
    }

    /// The message for `alert`, with `screenshot` attached when given.
    pub fn message(
        &self,
        alert: &Alert,
        screenshot: Option<&Screenshot>,
    ) -> Result<Message, EmailError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(Self::subject(alert));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let text = SinglePart::plain(Self::body(alert));
        let built = match screenshot {
            Some(shot) => {
                let png = ContentType::parse("image/png").expect("a valid content type");
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(text)
                        .singlepart(Attachment::new(shot.name.clone()).body(shot.png.clone(), png)),
                )
            }
            None => builder.singlepart(text),
        };
        built.map_err(|e| EmailError::Build(e.to_string()))
    }

    /// Sends `message` in one SMTP session (connect, secure, log in, send, quit).
    pub async fn send(&self, message: Message) -> Result<(), EmailError> {
        let transport = self.transport()?;
        transport.send(message).await.map(|_| ()).map_err(|e| {
            let retryable = !e.is_permanent();
            EmailError::Smtp {
                message: self.mask(&e.to_string()),
                retryable,
            }
        })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, EmailError> {
        let smtp_error = |e: lettre::transport::smtp::Error| EmailError::Smtp {
            message: self.mask(&e.to_string()),
            retryable: false,
        };
        let parameters = || -> Result<TlsParameters, EmailError> {
            let mut b = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.ca_pem {
                b = b.add_root_certificate(Certificate::from_pem(pem).map_err(smtp_error)?);
            }
            b.build_rustls().map_err(smtp_error)
        };
        let tls = match self.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(parameters()?),
            SmtpSecurity::Tls => Tls::Wrapper(parameters()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) = (&self.username, &self.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(builder.build())
    }

    /// `text` with the password masked, in every form it could take.
    pub fn mask(&self, text: &str) -> String {
        let mut secrets = crate::journey::model::Variables::default();
        if let Some(p) = &self.password {
            secrets.set_secret("PASSWORD", p);
        }
        secrets.mask(text)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
