//! A [`Device`] as the driver's capabilities. Chromium: chromedriver's `mobileEmulation` with
//! explicit metrics (a named device's and a custom one's alike, and through a grid whose
//! chromedriver may know other names). Firefox: geckodriver can size the window and change the
//! user agent, nothing more — a device asking for a pixel ratio, touch or a mobile browser is
//! refused there, never run as a desktop.

use serde_json::{Value as Json, json};

use crate::journey::model::Device;

/// chromedriver's `goog:chromeOptions.mobileEmulation` for `device`.
pub(super) fn chromium_mobile_emulation(device: &Device) -> Json {
    let mut emulation = json!({
        "deviceMetrics": {
            "width": device.width,
            "height": device.height,
            "pixelRatio": device.pixel_ratio,
            "mobile": device.mobile,
            "touch": device.touch,
        }
    });
    if let Some(ua) = &device.user_agent {
        emulation["userAgent"] = json!(ua);
    }
    emulation
}

/// What of `device` Firefox cannot emulate, said for an error; empty when it can (a window
/// size and a user agent).
pub fn firefox_cannot_emulate(device: &Device) -> Vec<String> {
    let mut out = Vec::new();
    if device.pixel_ratio != 1.0 {
        out.push(format!("a pixel ratio of {}", device.pixel_ratio));
    }
    if device.touch {
        out.push("touch".to_string());
    }
    if device.mobile {
        out.push("a mobile browser (mobile: true)".to_string());
    }
    out
}

/// The error for a device Firefox cannot emulate, `None` when it can.
pub fn firefox_refusal(device: &Device) -> Option<String> {
    let missing = firefox_cannot_emulate(device);
    if missing.is_empty() {
        return None;
    }
    Some(format!(
        "Firefox cannot emulate {} of device `{device}` (geckodriver sets only the window size and the user agent); run it with --browser chromium, or give a device of {{width, height, user_agent}} only",
        and_list(&missing)
    ))
}

/// Firefox preferences for `device`: its user agent.
pub(super) fn firefox_prefs(device: &Device, prefs: &mut Json) {
    if let Some(ua) = &device.user_agent {
        prefs["general.useragent.override"] = json!(ua);
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::named_device;

    #[test]
    fn chromium_gets_explicit_metrics_and_the_user_agent() {
        let pixel = named_device("Pixel 7").unwrap();
        let e = chromium_mobile_emulation(&pixel);
        assert_eq!(
            e["deviceMetrics"],
            json!({"width": 412, "height": 915, "pixelRatio": 2.625, "mobile": true, "touch": true})
        );
        assert!(
            e["userAgent"]
                .as_str()
                .unwrap()
                .contains("Android 13; Pixel 7")
        );
    }

    #[test]
    fn firefox_refuses_what_it_cannot_emulate_and_takes_the_rest() {
        let pixel = named_device("Pixel 7").unwrap();
        assert_eq!(
            firefox_refusal(&pixel).unwrap(),
            "Firefox cannot emulate a pixel ratio of 2.625, touch and a mobile browser (mobile: true) of device `Pixel 7` (geckodriver sets only the window size and the user agent); run it with --browser chromium, or give a device of {width, height, user_agent} only"
        );
        let plain = Device {
            name: None,
            width: 400,
            height: 800,
            pixel_ratio: 1.0,
            mobile: false,
            touch: false,
            user_agent: Some("Phone/1".into()),
        };
        assert_eq!(firefox_refusal(&plain), None);
        let mut prefs = json!({});
        firefox_prefs(&plain, &mut prefs);
        assert_eq!(prefs, json!({"general.useragent.override": "Phone/1"}));
    }
}
