//! The phones and tablets `device:` and `--device` may name: Chromium DevTools' list of
//! emulated devices (portrait), as facts — name, viewport in CSS pixels, pixel ratio, whether
//! it is a mobile device with touch, and its user agent. Pure data, so a journey is validated
//! without a browser; the browser module turns a [`Device`] into the driver's emulation.

use super::model::Device;
use super::suggest;

/// The Chrome version written into Android user agents (DevTools writes the running browser's
/// there; a journey is validated before any browser runs). Reduced form, as Chrome sends it.
const CHROME_VERSION: &str = "130.0.0.0";

const IPHONE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";
const IPAD_UA: &str = "Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1";

/// A device's user agent, as DevTools writes it.
#[derive(Clone, Copy)]
enum Agent {
    /// Written out (Safari's).
    Exact(&'static str),
    /// Chrome on an Android phone: the platform part (`Android 13; Pixel 7`).
    AndroidPhone(&'static str),
    /// Chrome elsewhere (tablets, Windows, smart displays): the platform part and what follows
    /// `Safari/537.36`.
    Chrome(&'static str, &'static str),
}

/// One entry of the list.
struct Known {
    name: &'static str,
    width: u32,
    height: u32,
    pixel_ratio: f64,
    agent: Agent,
}

const fn known(
    name: &'static str,
    width: u32,
    height: u32,
    pixel_ratio: f64,
    agent: Agent,
) -> Known {
    Known {
        name,
        width,
        height,
        pixel_ratio,
        agent,
    }
}

use Agent::{AndroidPhone, Chrome, Exact};

const SAFARI_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15";

/// Chromium DevTools' emulated devices (every one a mobile device with touch), portrait.
const KNOWN: &[Known] = &[
    known("iPhone SE", 375, 667, 2.0, Exact(IPHONE_UA)),
    known("iPhone XR", 414, 896, 2.0, Exact(IPHONE_UA)),
    known("iPhone 12 Pro", 390, 844, 3.0, Exact(IPHONE_UA)),
    known("iPhone 14", 390, 844, 3.0, Exact(IPHONE_UA)),
    known("iPhone 14 Plus", 428, 926, 3.0, Exact(IPHONE_UA)),
    known("iPhone 14 Pro", 393, 852, 3.0, Exact(IPHONE_UA)),
    known("iPhone 14 Pro Max", 430, 932, 3.0, Exact(IPHONE_UA)),
    known("iPhone 15", 393, 852, 3.0, Exact(IPHONE_UA)),
    known("iPhone 15 Plus", 430, 932, 3.0, Exact(IPHONE_UA)),
    known("iPhone 15 Pro", 393, 852, 3.0, Exact(IPHONE_UA)),
    known("iPhone 15 Pro Max", 430, 932, 3.0, Exact(IPHONE_UA)),
    known("iPhone 16e", 390, 844, 3.0, Exact(IPHONE_UA)),
    known("iPhone 16", 393, 852, 3.0, Exact(IPHONE_UA)),
    known("iPhone 16 Plus", 430, 932, 3.0, Exact(IPHONE_UA)),
    known("iPhone 16 Pro", 402, 874, 3.0, Exact(IPHONE_UA)),
    known("iPhone 16 Pro Max", 440, 956, 3.0, Exact(IPHONE_UA)),
    known(
        "Pixel 7",
        412,
        915,
        2.625,
        AndroidPhone("Android 13; Pixel 7"),
    ),
    known(
        "Pixel 8",
        412,
        915,
        2.625,
        AndroidPhone("Android 14; Pixel 8"),
    ),
    known(
        "Pixel 8 Pro",
        448,
        997,
        3.0,
        AndroidPhone("Android 14; Pixel 8 Pro"),
    ),
    known(
        "Pixel 8a",
        412,
        915,
        2.625,
        AndroidPhone("Android 14; Pixel 8a"),
    ),
    known(
        "Pixel 9",
        412,
        924,
        2.625,
        AndroidPhone("Android 14; Pixel 9"),
    ),
    known(
        "Pixel 9 Pro",
        427,
        952,
        3.0,
        AndroidPhone("Android 14; Pixel 9 Pro"),
    ),
    known(
        "Pixel 9 Pro XL",
        448,
        997,
        3.0,
        AndroidPhone("Android 14; Pixel 9 Pro XL"),
    ),
    known(
        "Pixel 9 Pro Fold",
        412,
        922,
        2.625,
        AndroidPhone("Android 14; Pixel 9 Pro Fold"),
    ),
    known(
        "Pixel 10",
        412,
        924,
        2.625,
        AndroidPhone("Android 16; Pixel 10"),
    ),
    known(
        "Samsung Galaxy S8+",
        360,
        740,
        4.0,
        AndroidPhone("Android 8.0.0; SM-G955U Build/R16NW"),
    ),
    known(
        "Samsung Galaxy S20 Ultra",
        412,
        915,
        3.5,
        AndroidPhone("Android 13; SM-G981B"),
    ),
    known(
        "Samsung Galaxy A51/71",
        412,
        914,
        2.625,
        AndroidPhone("Android 8.0.0; SM-G955U Build/R16NW"),
    ),
    known(
        "Samsung Galaxy A55",
        360,
        800,
        2.25,
        AndroidPhone("Android 14; SM-A556B"),
    ),
    known(
        "Galaxy Z Fold 5",
        344,
        882,
        2.625,
        AndroidPhone("Android 10; K"),
    ),
    known(
        "Galaxy Z Fold 6",
        412,
        968,
        2.625,
        AndroidPhone("Android 14; SM-F956U"),
    ),
    known(
        "Surface Duo",
        540,
        720,
        2.5,
        AndroidPhone("Android 11.0; Surface Duo"),
    ),
    known(
        "Moto G4",
        360,
        640,
        3.0,
        AndroidPhone("Android 6.0.1; Moto G (4)"),
    ),
    known(
        "Moto G Power",
        412,
        823,
        1.75,
        AndroidPhone("Android 11; moto g power (2022)"),
    ),
    known("iPad Mini", 768, 1024, 2.0, Exact(IPAD_UA)),
    known("iPad Air", 820, 1180, 2.0, Exact(IPAD_UA)),
    known("iPad Pro 13\"", 1032, 1376, 2.0, Exact(SAFARI_MAC)),
    known(
        "Galaxy Tab S4",
        712,
        1138,
        2.25,
        Chrome("Linux; Android 8.1.0; SM-T837A", ""),
    ),
    known(
        "Surface Pro 7",
        912,
        1368,
        2.0,
        Chrome("Windows NT 10.0; Win64; x64", ""),
    ),
    known(
        "Surface Pro 10",
        960,
        1440,
        2.0,
        Chrome("Windows NT 10.0; Win64; x64", ""),
    ),
    known(
        "Nest Hub",
        1024,
        600,
        2.0,
        Chrome("X11; Linux aarch64", " CrKey/1.54.250320"),
    ),
    known(
        "Nest Hub Max",
        1280,
        800,
        2.0,
        Chrome("X11; Linux aarch64", " CrKey/1.54.250320"),
    ),
];

/// Every name the list knows, in its order.
pub fn device_names() -> impl Iterator<Item = &'static str> {
    KNOWN.iter().map(|k| k.name)
}

/// The device the list calls `name` (letter case aside).
pub fn named_device(name: &str) -> Option<Device> {
    let k = KNOWN
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(name.trim()))?;
    Some(Device {
        name: Some(k.name.to_string()),
        width: k.width,
        height: k.height,
        pixel_ratio: k.pixel_ratio,
        mobile: true,
        touch: true,
        user_agent: Some(user_agent(k.agent)),
    })
}

/// The user agent string of an entry.
fn user_agent(agent: Agent) -> String {
    let v = CHROME_VERSION;
    match agent {
        Exact(ua) => ua.to_string(),
        AndroidPhone(platform) => format!(
            "Mozilla/5.0 (Linux; {platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Mobile Safari/537.36"
        ),
        Chrome(platform, tail) => format!(
            "Mozilla/5.0 ({platform}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Safari/537.36{tail}"
        ),
    }
}

/// "did you mean …?" for a name the list does not know: a device whose name holds the words
/// given (`Galaxy S8+` → `Samsung Galaxy S8+`), else the closest spelling.
pub fn suggest_device(name: &str) -> Option<String> {
    let lower = name.trim().to_ascii_lowercase();
    let holding = (!lower.is_empty())
        .then(|| {
            KNOWN
                .iter()
                .filter(|k| k.name.to_ascii_lowercase().contains(&lower))
                .min_by_key(|k| k.name.len())
        })
        .flatten();
    match holding {
        Some(k) => Some(format!("did you mean `{}`?", k.name)),
        None => suggest::did_you_mean(name, device_names()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_device_has_devtools_metrics_and_a_phone_user_agent() {
        let pixel = named_device("pixel 7").expect("known");
        assert_eq!(pixel.name.as_deref(), Some("Pixel 7"));
        assert_eq!((pixel.width, pixel.height), (412, 915));
        assert_eq!(pixel.pixel_ratio, 2.625);
        assert!(pixel.mobile && pixel.touch);
        assert_eq!(
            pixel.user_agent.as_deref(),
            Some(
                "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
            )
        );
        let se = named_device("iPhone SE").expect("known");
        assert_eq!((se.width, se.height, se.pixel_ratio), (375, 667, 2.0));
        assert!(se.user_agent.unwrap().contains("iPhone OS"));
        assert!(named_device("Nokia 3310").is_none());
    }

    #[test]
    fn every_name_is_unique_and_every_entry_sane() {
        let mut names: Vec<String> = device_names().map(|n| n.to_ascii_lowercase()).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count);
        for name in device_names() {
            let d = named_device(name).unwrap();
            assert!(
                d.width >= 240 && d.height >= 240 && d.pixel_ratio >= 1.0,
                "{name}"
            );
            assert!(d.user_agent.unwrap().starts_with("Mozilla/5.0 ("), "{name}");
        }
    }

    #[test]
    fn an_unknown_name_gets_the_device_it_most_likely_meant() {
        assert_eq!(
            suggest_device("Galaxy S8+").as_deref(),
            Some("did you mean `Samsung Galaxy S8+`?")
        );
        assert_eq!(
            suggest_device("Pixle 7").as_deref(),
            Some("did you mean `Pixel 7`?")
        );
        assert_eq!(
            suggest_device("iPhone 14 Prp").as_deref(),
            Some("did you mean `iPhone 14 Pro`?")
        );
        assert_eq!(suggest_device("Toaster"), None);
    }
}
