//! The inbox's messages, and the one operation that matters: take the newest code sent to a
//! number, at most once.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use crate::code_pattern;
use crate::otp::phone::{InvalidNumber, normalise_number};
use crate::otp::{OtpError, SmsInbox};

/// How many messages the inbox keeps; older ones are dropped first.
pub const MAX_MESSAGES: usize = 1000;
/// Messages older than this are dropped: no journey waits for a code that long.
pub const MAX_AGE: Duration = Duration::from_secs(3600);
/// How many provider message ids are remembered to ignore replays.
const MAX_SEEN_IDS: usize = 10_000;

/// One inbound SMS.
#[derive(Debug, Clone)]
pub struct Message {
    /// The receiving number, E.164 (`+393330000001`).
    pub to: String,
    pub from: String,
    pub body: String,
    pub received_at: SystemTime,
    /// Handed out to a journey already: never handed out again.
    pub taken: bool,
}

#[derive(Default)]
struct State {
    messages: VecDeque<Message>,
    seen_ids: HashSet<String>,
    seen_order: VecDeque<String>,
}

/// The SMS inbox's store. Cheap to share behind an `Arc`; every method takes `&self`.
#[derive(Default)]
pub struct Inbox {
    state: Mutex<State>,
    /// Woken on every new message, so waiting journeys look again at once.
    arrived: Notify,
}

/// What happened to a posted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Stored,
    /// The provider sent this message id before (a retried webhook): ignored.
    Duplicate,
}

impl Inbox {
    pub fn new() -> Inbox {
        Inbox::default()
    }

    /// Stores a message to `to` (normalised here). `provider_id` (Twilio's `MessageSid`) makes
    /// a retried delivery a no-op.
    pub fn deliver(
        &self,
        to: &str,
        from: &str,
        body: &str,
        provider_id: Option<&str>,
    ) -> Result<Delivery, InvalidNumber> {
        let to = normalise_number(to)?;
        let now = SystemTime::now();
        {
            let mut state = self.lock();
            if let Some(id) = provider_id.filter(|id| !id.is_empty()) {
                if !state.seen_ids.insert(id.to_string()) {
                    return Ok(Delivery::Duplicate);
                }
                state.seen_order.push_back(id.to_string());
                if state.seen_order.len() > MAX_SEEN_IDS
                    && let Some(old) = state.seen_order.pop_front()
                {
                    state.seen_ids.remove(&old);
                }
            }
            state.messages.push_back(Message {
                to,
                from: from.to_string(),
                body: body.to_string(),
                received_at: now,
                taken: false,
            });
            prune(&mut state.messages, now);
        }
        self.arrived.notify_waiters();
        Ok(Delivery::Stored)
    }

    /// How many messages are held (taken or not).
    pub fn len(&self) -> usize {
        self.lock().messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the held messages, oldest first (for tests and diagnostics; never logged).
    pub fn messages(&self) -> Vec<Message> {
        self.lock().messages.iter().cloned().collect()
    }

    /// Takes the code of the newest untaken message to `to` received at or after `since` whose
    /// body holds one by `pattern` ([`code_pattern::find_code`]: never empty) and marks it
    /// taken, both under one lock: two journeys waiting on one number never get the same code.
    /// Returns `None` if none is there now.
    pub fn try_take_code(
        &self,
        to: &str,
        pattern: &regex::Regex,
        since: SystemTime,
    ) -> Option<String> {
        let mut state = self.lock();
        let found = state.messages.iter_mut().rev().find_map(|m| {
            if m.taken || m.to != to || m.received_at < since {
                return None;
            }
            let code = code_pattern::find_code(pattern, &m.body)?.to_string();
            Some((m, code))
        });
        found.map(|(m, code)| {
            m.taken = true;
            code
        })
    }

    /// [`Inbox::try_take_code`], waiting up to `timeout` for a message to arrive. A pattern
    /// that could match an empty code ([`code_pattern::check`]) is refused first.
    pub async fn take_code(
        &self,
        to: &str,
        pattern: &regex::Regex,
        since: SystemTime,
        timeout: Duration,
    ) -> Result<String, OtpError> {
        let to = normalise_number(to).map_err(|e| OtpError::Unavailable(e.to_string()))?;
        code_pattern::check(pattern).map_err(|e| OtpError::Unavailable(e.to_string()))?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Register for the next arrival before looking, so a message that lands between
            // the look and the wait still wakes us.
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(code) = self.try_take_code(&to, pattern, since) {
                return Ok(code);
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return Err(OtpError::NotReceived(format!(
                    "no SMS to {to} matching /{}/ arrived within {}",
                    pattern.as_str(),
                    crate::journey::model::format_duration(timeout)
                )));
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the queue half-written (every update is a
        // single push or flag), so a poisoned lock is still safe to use.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn prune(messages: &mut VecDeque<Message>, now: SystemTime) {
    while messages.len() > MAX_MESSAGES {
        messages.pop_front();
    }
    while let Some(front) = messages.front() {
        match now.duration_since(front.received_at) {
            Ok(age) if age > MAX_AGE => {
                messages.pop_front();
            }
            _ => break,
        }
    }
}

impl SmsInbox for Inbox {
    fn take_code<'a>(
        &'a self,
        to: &'a str,
        pattern: &'a regex::Regex,
        since: SystemTime,
        timeout: Duration,
    ) -> futures::future::BoxFuture<'a, Result<String, OtpError>> {
        Box::pin(Inbox::take_code(self, to, pattern, since, timeout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn six_digits() -> regex::Regex {
        regex::Regex::new(r"\b(\d{6})\b").unwrap()
    }

    #[test]
    fn newest_untaken_code_is_taken_once() {
        let inbox = Inbox::new();
        let since = SystemTime::now() - Duration::from_secs(1);
        inbox
            .deliver("+393330000001", "BANK", "code 111111", None)
            .unwrap();
        inbox
            .deliver("+393330000001", "BANK", "code 222222", None)
            .unwrap();
        let to = "+393330000001";
        assert_eq!(
            inbox.try_take_code(to, &six_digits(), since).as_deref(),
            Some("222222")
        );
        assert_eq!(
            inbox.try_take_code(to, &six_digits(), since).as_deref(),
            Some("111111")
        );
        assert_eq!(inbox.try_take_code(to, &six_digits(), since), None);
    }

    #[test]
    fn whole_match_when_the_pattern_has_no_group() {
        let inbox = Inbox::new();
        inbox
            .deliver("+393330000001", "BANK", "your code: 4321", None)
            .unwrap();
        let re = regex::Regex::new(r"\d{4}").unwrap();
        let since = SystemTime::UNIX_EPOCH;
        assert_eq!(
            inbox.try_take_code("+393330000001", &re, since).as_deref(),
            Some("4321")
        );
    }

    #[test]
    fn a_replayed_provider_id_is_stored_once() {
        let inbox = Inbox::new();
        assert_eq!(
            inbox
                .deliver("+393330000001", "x", "123456", Some("SM1"))
                .unwrap(),
            Delivery::Stored
        );
        assert_eq!(
            inbox
                .deliver("+393330000001", "x", "123456", Some("SM1"))
                .unwrap(),
            Delivery::Duplicate
        );
        assert_eq!(inbox.len(), 1);
    }

    #[test]
    fn keeps_at_most_the_newest_messages() {
        let inbox = Inbox::new();
        for i in 0..(MAX_MESSAGES + 5) {
            inbox
                .deliver("+393330000001", "x", &format!("{i:06}"), None)
                .unwrap();
        }
        assert_eq!(inbox.len(), MAX_MESSAGES);
        assert_eq!(inbox.messages()[0].body, "000005");
    }

    #[tokio::test]
    async fn a_waiting_take_wakes_on_arrival() {
        let inbox = std::sync::Arc::new(Inbox::new());
        let since = SystemTime::now();
        let waiter = {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                inbox
                    .take_code(
                        "+393330000001",
                        &six_digits(),
                        since,
                        Duration::from_secs(30),
                    )
                    .await
            })
        };
        tokio::task::yield_now().await;
        inbox
            .deliver("+393330000001", "x", "code 654321", None)
            .unwrap();
        assert_eq!(waiter.await.unwrap().unwrap(), "654321");
    }

    #[tokio::test]
    async fn a_pattern_that_can_match_an_empty_code_is_refused_and_takes_nothing() {
        let inbox = Inbox::new();
        let since = SystemTime::UNIX_EPOCH;
        inbox
            .deliver("+393330000001", "x", "code 654321", None)
            .unwrap();
        let empty = regex::Regex::new("(z)?").unwrap();
        let err = inbox
            .take_code("+393330000001", &empty, since, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert!(matches!(err, OtpError::Unavailable(_)), "{err:?}");
        // Even asked directly, an empty match is no code.
        assert_eq!(inbox.try_take_code("+393330000001", &empty, since), None);
        assert_eq!(
            inbox
                .try_take_code("+393330000001", &six_digits(), since)
                .as_deref(),
            Some("654321")
        );
    }

    #[tokio::test]
    async fn nothing_arriving_is_not_received() {
        let inbox = Inbox::new();
        let err = inbox
            .take_code(
                "+393330000001",
                &six_digits(),
                SystemTime::now(),
                Duration::from_millis(50),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, OtpError::NotReceived(_)), "{err:?}");
    }
}
