//! The embedded demo bank (`vedetta demo`): a small bank site — home, login, SMS code, account
//! page with the card balance — whose faults reproduce an outage's symptoms on demand.
//!
//! - [`faults`]: the faults and the switch shared by the pages and the admin endpoint.
//! - [`server`]: the axum app, sessions and the admin API.
//! - [`pages`]: the HTML (inline CSS, no external requests).
//! - [`sms`]: sends the login code to the SMS inbox as a Twilio-signed webhook.
//! - [`stack`]: the bank and its inbox started together, as `vedetta demo` runs them.
//!
//! Stable element ids, used by `journeys/demo-card-balance.yaml`: home `#login` (link to the
//! login page), `#cookie-banner` with `.accept`; login `#username`, `#password`, `#submit`,
//! `#error`; code page `#otp`, `#verify`, `#error`; account `#balance`, `#card`,
//! `#logout`; outage page `#outage-message`, `#retry`.

pub mod faults;
pub mod pages;
pub mod server;
pub mod sms;
pub mod stack;

pub use faults::{Fault, FaultSwitch, UnknownFault};
pub use server::{BankConfig, BankHandle, serve};
pub use sms::SmsGateway;
pub use stack::DemoStack;

/// The demo customer.
pub const DEMO_USERNAME: &str = "mario.rossi";
/// The demo customer's phone, where login codes go.
pub const DEMO_PHONE: &str = "+393330000001";
/// The password `vedetta demo` gives the bank and the journey (as the secret `DEMO_PASSWORD`).
pub const DEMO_PASSWORD: &str = "demo-pass-2026";
/// The balance the account page shows (from its API, `GET /api/balance`).
pub const DEMO_BALANCE: &str = "€ 1.234,56";
/// What the balance API says under the `balance-api` fault (HTTP 503).
pub const BALANCE_API_ERROR: &str = "balance service unavailable";
/// The outage page's message, as in the incident (Italian).
pub const OUTAGE_MESSAGE: &str =
    "Stiamo riscontrando delle difficoltà temporanee. Riprova più tardi.";
