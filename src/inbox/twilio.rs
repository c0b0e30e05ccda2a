//! Twilio's request signature (`X-Twilio-Signature`), as Twilio documents it in "Webhooks
//! security": HMAC-SHA1, keyed with the account's auth token, over the full URL Twilio called
//! followed by every POST parameter sorted by name, each as name then value with nothing
//! between; base64. Used by the inbox to check webhooks and by the demo bank to sign them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// The string Twilio signs: the URL, then the parameters sorted by name (and, for a name sent
/// more than once, by value, each distinct value once, as Twilio's helper libraries do).
fn signed_data(url: &str, params: &[(String, String)]) -> Vec<u8> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut data = url.as_bytes().to_vec();
    for (name, value) in sorted {
        data.extend_from_slice(name.as_bytes());
        data.extend_from_slice(value.as_bytes());
    }
    data
}

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac =
        Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC accepts any key length");
    mac.update(&signed_data(url, params));
    mac
}

/// The signature Twilio would send for a POST of `params` to `url`.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(auth_token, url, params).finalize().into_bytes())
}

/// Whether `signature` (the header's value) is Twilio's for this request. The comparison is
/// constant-time (`Mac::verify_slice`), so response times reveal nothing about the expected value.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], signature: &str) -> bool {
    let Ok(given) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    mac(auth_token, url, params).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The worked example of Twilio's security documentation (also in every helper library's
    /// tests): auth token `12345`, this URL, these parameters.
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    fn documented_params() -> Vec<(String, String)> {
        // Deliberately not in order: sorting is the verifier's job.
        pairs(&[
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("From", "+14158675309"),
            ("Digits", "1234"),
            ("Caller", "+14158675309"),
        ])
    }

    #[test]
    fn reproduces_twilios_documented_signature() {
        assert_eq!(
            sign("12345", URL, &documented_params()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        assert!(verify(
            "12345",
            URL,
            &documented_params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn repeated_parameters_follow_the_helper_libraries() {
        let params = pairs(&[
            ("Sid", "CA123"),
            ("SidAccount", "AC123"),
            ("Digits", "5678"),
            ("Digits", "1234"),
            ("Digits", "1234"),
        ]);
        assert_eq!(sign("12345", URL, &params), "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let sig = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        assert!(!verify("54321", URL, &documented_params(), sig));
        assert!(!verify(
            "12345",
            "https://mycompany.com/myapp.php?foo=1",
            &documented_params(),
            sig
        ));
        let mut tampered = documented_params();
        tampered[3].1 = "9999".into();
        assert!(!verify("12345", URL, &tampered, sig));
        assert!(!verify(
            "12345",
            URL,
            &documented_params(),
            "not base64 at all!"
        ));
        assert!(!verify("12345", URL, &documented_params(), ""));
    }
}
