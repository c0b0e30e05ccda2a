//! One journey attempt at a time per SMS number.
//!
//! An SMS carries nothing that ties it to the login that asked for it: when two journeys log in
//! on the same number at once, the two codes arrive in whatever order the bank sends them, and
//! no rule on arrival times can tell which is whose. So an attempt that reads codes from a
//! number holds that number for its whole walk; another attempt on it waits its turn, and
//! journeys on other numbers run alongside as before. Taken in sorted order, so two journeys
//! that share two numbers never hold one each and wait for the other.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use crate::journey::model::{Action, OtpSource, Step, Variables};

/// The numbers in use, shared by every journey of a run (or of the monitor).
#[derive(Clone, Default)]
pub struct NumberLeases {
    numbers: Arc<Mutex<HashMap<String, Arc<AsyncMutex<()>>>>>,
}

/// Held for an attempt; the numbers are free again when it is dropped.
pub struct Lease {
    _held: Vec<OwnedMutexGuard<()>>,
}

impl NumberLeases {
    /// Waits until every number in `numbers` is free, then holds them all.
    pub async fn acquire(&self, numbers: &BTreeSet<String>) -> Lease {
        let mut held = Vec::with_capacity(numbers.len());
        for number in numbers {
            let lock = self
                .numbers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(number.clone())
                .or_default()
                .clone();
            held.push(lock.lock_owned().await);
        }
        Lease { _held: held }
    }

    /// Whether some attempt holds `number` now.
    pub fn is_held(&self, number: &str) -> bool {
        self.numbers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(number)
            .is_some_and(|m| m.try_lock().is_err())
    }
}

/// The numbers the `otp: {from: sms}` steps of `steps` (inside `when` and `include` too) read
/// from, normalised as the inbox stores them. A number that depends on a variable a step saves
/// at run time is not known before the walk, and is left out.
pub fn sms_numbers(steps: &[Step], vars: &Variables) -> BTreeSet<String> {
    Step::all(steps)
        .into_iter()
        .filter_map(|step| match &step.action {
            Action::Otp(otp) => match &otp.source {
                OtpSource::Sms { to, .. } => super::phone::normalise_number(&to.render(vars)).ok(),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn numbers(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn a_second_attempt_on_a_number_waits_until_the_first_lets_go() {
        let leases = NumberLeases::default();
        let first = leases.acquire(&numbers(&["+39333"])).await;
        assert!(leases.is_held("+39333"));
        let second = tokio::spawn({
            let leases = leases.clone();
            async move { leases.acquire(&numbers(&["+39333"])).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "the number is still held");
        drop(first);
        let second = second.await.unwrap();
        assert!(leases.is_held("+39333"));
        drop(second);
        assert!(!leases.is_held("+39333"));
    }

    #[tokio::test]
    async fn other_numbers_are_not_held_up() {
        let leases = NumberLeases::default();
        let _a = leases.acquire(&numbers(&["+1"])).await;
        let _b = leases.acquire(&numbers(&["+2"])).await;
        assert!(leases.is_held("+1") && leases.is_held("+2"));
    }

    #[tokio::test]
    async fn journeys_sharing_two_numbers_do_not_deadlock() {
        let leases = NumberLeases::default();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let leases = leases.clone();
                tokio::spawn(async move {
                    let _l = leases.acquire(&numbers(&["+2", "+1"])).await;
                    tokio::task::yield_now().await;
                })
            })
            .collect();
        for t in tasks {
            tokio::time::timeout(Duration::from_secs(10), t)
                .await
                .expect("no deadlock")
                .unwrap();
        }
    }
}
