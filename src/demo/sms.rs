//! The bank's SMS provider, played for real: each login code goes to the SMS inbox as the
//! form-encoded, `X-Twilio-Signature`-signed webhook Twilio would send, so the demo exercises
//! the inbox's real code path.

use std::time::Duration;

use crate::inbox::twilio;

/// Where and how the bank "sends" SMS.
#[derive(Clone)]
pub struct SmsGateway {
    /// The inbox's Twilio webhook URL (`http://127.0.0.1:PORT/sms/twilio`), exactly as signed.
    pub webhook_url: String,
    /// The Twilio auth token the inbox checks signatures with.
    pub twilio_auth_token: String,
    /// The sender shown on the message.
    pub from: String,
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsGateway")
            .field("webhook_url", &self.webhook_url)
            .finish_non_exhaustive()
    }
}

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the SMS inbox could not be reached: {0}")]
    Unreachable(String),
    #[error("the SMS inbox refused the message: HTTP {0}")]
    Refused(u16),
}

impl SmsGateway {
    pub fn new(webhook_url: impl Into<String>, twilio_auth_token: impl Into<String>) -> SmsGateway {
        SmsGateway {
            webhook_url: webhook_url.into(),
            twilio_auth_token: twilio_auth_token.into(),
            from: "+390200000000".into(),
        }
    }

    /// Posts one inbound-message webhook for `body` to `to`.
    pub async fn send(
        &self,
        client: &reqwest::Client,
        to: &str,
        body: &str,
    ) -> Result<(), SendError> {
        let sid = format!("SM{}", crate::inbox::random_token(16));
        let params: Vec<(String, String)> = [
            ("MessageSid", sid.clone()),
            // Twilio sends the legacy name too.
            ("SmsSid", sid),
            ("AccountSid", format!("AC{}", "0".repeat(32))),
            ("From", self.from.clone()),
            ("To", to.to_string()),
            ("Body", body.to_string()),
            ("NumMedia", "0".to_string()),
            ("NumSegments", "1".to_string()),
            ("ApiVersion", "2010-04-01".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let signature = twilio::sign(&self.twilio_auth_token, &self.webhook_url, &params);
        let form: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&params)
            .finish();
        let response = client
            .post(&self.webhook_url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(twilio::SIGNATURE_HEADER, signature)
            .body(form)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| {
                SendError::Unreachable(if e.is_timeout() {
                    "timed out".into()
                } else {
                    "connection failed".into()
                })
            })?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(SendError::Refused(response.status().as_u16()))
        }
    }
}
