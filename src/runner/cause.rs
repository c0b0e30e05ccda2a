//! The cause of a failed step as the site's requests tell it: the failure lists the requests
//! that failed around it, its message ends with the most telling one, and a step during which
//! the site under test answered ≥ 500 or gave no answer is `outage` — the backend failed, not
//! the page. Other sites' failures (analytics, fonts, ads) are listed but never change the
//! category; a harness failure stays one.

use super::network_evidence::StepNetwork;
use super::result::{Failure, FailureCategory};

/// `failure` with what its step's requests say.
pub(crate) fn with_network_cause(mut failure: Failure, network: StepNetwork) -> Failure {
    if let Some(first) = network.failed.first() {
        failure.message = format!("{}; {}", failure.message, first.summary());
    }
    let backend_failed = network.failed.iter().any(|r| r.backend_failed);
    if backend_failed && failure.category != FailureCategory::Infrastructure {
        failure.category = FailureCategory::Outage;
    }
    failure.requests = network.failed;
    failure.waterfall = network.all;
    failure
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::FailedRequest;

    fn failure(category: FailureCategory) -> Failure {
        Failure {
            category,
            message: r#"expected #balance to match /€/, its text is "Loading…""#.into(),
            screenshot: None,
            evidence: None,
            signature: None,
            url: None,
            page_says: None,
            evidence_sha256: None,
            requests: Vec::new(),
            waterfall: Vec::new(),
            console: Vec::new(),
        }
    }

    fn request(url: &str, status: u16, site_under_test: bool) -> FailedRequest {
        FailedRequest {
            method: "GET".into(),
            url: url.into(),
            status: Some(status),
            error: None,
            duration_ms: 12,
            resource_type: "fetch".into(),
            error_text: Some("balance service unavailable".into()),
            site_under_test,
            backend_failed: site_under_test && status >= 500,
        }
    }

    fn with(failed: Vec<FailedRequest>) -> StepNetwork {
        StepNetwork {
            failed,
            all: Vec::new(),
        }
    }

    #[test]
    fn the_site_s_failing_backend_makes_the_step_an_outage_named_in_the_message() {
        let api = request("http://127.0.0.1:1/api/balance?card=4821", 503, true);
        let f = with_network_cause(failure(FailureCategory::Assertion), with(vec![api]));
        assert_eq!(f.category, FailureCategory::Outage);
        assert_eq!(
            f.message,
            r#"expected #balance to match /€/, its text is "Loading…"; GET /api/balance?card=4821 answered 503 ("balance service unavailable")"#
        );
        assert_eq!(f.requests.len(), 1);
    }

    #[test]
    fn other_sites_and_the_site_s_4xx_are_listed_without_changing_the_category() {
        let beacon = request("https://analytics.example/collect", 503, false);
        let unauthorised = request("http://127.0.0.1:1/api/me", 401, true);
        let f = with_network_cause(
            failure(FailureCategory::Assertion),
            with(vec![unauthorised, beacon]),
        );
        assert_eq!(f.category, FailureCategory::Assertion);
        assert!(
            f.message
                .ends_with(r#"; GET /api/me answered 401 ("balance service unavailable")"#)
        );
        assert_eq!(f.requests.len(), 2);

        let quiet = with_network_cause(failure(FailureCategory::Timeout), with(vec![]));
        assert_eq!(quiet.category, FailureCategory::Timeout);
        assert!(quiet.message.ends_with(r#""Loading…""#));
    }

    #[test]
    fn a_harness_failure_stays_one() {
        let api = request("http://127.0.0.1:1/api", 500, true);
        let f = with_network_cause(failure(FailureCategory::Infrastructure), with(vec![api]));
        assert_eq!(f.category, FailureCategory::Infrastructure);
    }
}
