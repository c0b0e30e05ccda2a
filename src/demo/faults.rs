//! The demo bank's faults: chosen at start, switched at run time through `/admin/faults`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

/// One symptom of the incident the bank can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// Every page answers 503 with the Italian "temporary difficulties" message.
    Outage,
    /// Login fails with an error message, whatever the credentials.
    LoginError,
    /// The login code is never sent.
    SmsDrop,
    /// The login code is sent late (`BankConfig::sms_delay`).
    SmsDelay,
    /// Every page answers late (`BankConfig::slow_delay`).
    Slow,
    /// The account page renders without the balance: its place stays on "Loading your balance…".
    NoBalance,
    /// The balance API (`GET /api/balance`, which the account page calls) answers 503 with a
    /// JSON error; the page keeps its "Loading your balance…".
    BalanceApi,
}

impl Fault {
    pub const ALL: [Fault; 7] = [
        Fault::Outage,
        Fault::LoginError,
        Fault::SmsDrop,
        Fault::SmsDelay,
        Fault::Slow,
        Fault::NoBalance,
        Fault::BalanceApi,
    ];

    /// The name used on the command line and in the admin API.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Outage => "outage",
            Fault::LoginError => "login-error",
            Fault::SmsDrop => "sms-drop",
            Fault::SmsDelay => "sms-delay",
            Fault::Slow => "slow",
            Fault::NoBalance => "no-balance",
            Fault::BalanceApi => "balance-api",
        }
    }

    /// Every valid name, comma-separated, for error messages.
    pub fn names() -> String {
        Fault::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault name that is not one of [`Fault::ALL`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown fault `{0}`; valid faults: {names}", names = Fault::names())]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;
    fn from_str(s: &str) -> Result<Fault, UnknownFault> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name() == s.trim())
            .ok_or_else(|| UnknownFault(s.to_string()))
    }
}

impl serde::Serialize for Fault {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Fault {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fault, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The faults in force, shared by the running bank and whoever switches them.
#[derive(Debug, Clone, Default)]
pub struct FaultSwitch(Arc<RwLock<BTreeSet<Fault>>>);

impl FaultSwitch {
    pub fn new(initial: impl IntoIterator<Item = Fault>) -> FaultSwitch {
        FaultSwitch(Arc::new(RwLock::new(initial.into_iter().collect())))
    }

    pub fn is_on(&self, fault: Fault) -> bool {
        self.read().contains(&fault)
    }

    pub fn set(&self, fault: Fault, on: bool) {
        let mut set = self.0.write().unwrap_or_else(|p| p.into_inner());
        if on {
            set.insert(fault);
        } else {
            set.remove(&fault);
        }
    }

    /// Replaces the whole set.
    pub fn replace(&self, faults: impl IntoIterator<Item = Fault>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = faults.into_iter().collect();
    }

    /// The faults in force, in a stable order.
    pub fn current(&self) -> Vec<Fault> {
        self.read().iter().copied().collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeSet<Fault>> {
        // Writers only insert/remove/replace: a poisoned set is still a valid set.
        self.0.read().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_lists_the_valid_ones() {
        for f in Fault::ALL {
            assert_eq!(f.name().parse::<Fault>().unwrap(), f);
        }
        let err = "power-cut".parse::<Fault>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown fault `power-cut`; valid faults: outage, login-error, sms-drop, sms-delay, slow, no-balance, balance-api"
        );
    }

    #[test]
    fn the_switch_sets_and_replaces() {
        let s = FaultSwitch::new([Fault::Slow]);
        s.set(Fault::Outage, true);
        assert_eq!(s.current(), vec![Fault::Outage, Fault::Slow]);
        s.set(Fault::Slow, false);
        assert!(!s.is_on(Fault::Slow));
        s.replace([Fault::NoBalance]);
        assert_eq!(s.current(), vec![Fault::NoBalance]);
    }
}
