//! Secrets never appear in anything vedetta produces: a real run of the binary fills two
//! secrets into a careless page (it echoes them into its text and its console), fails, and every
//! byte it wrote — console output, logs, the JSON, JUnit and HTML reports, the evidence folder
//! with page source and console log — is searched for the values. The failure screenshot is
//! checked in pixels: each field filled from a secret looks exactly like an empty one.

use crate::common;

use std::path::Path;

use common::{browser_slot, serve};

const CUSTOMER_ID: &str = "CUST-7731-Zeta";
const PIN: &str = "pin-90210-Qx";

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_output_report_log_evidence_or_pixel() {
    let site = serve().await;
    let _slot = browser_slot().await;
    let dir = tempfile::tempdir().unwrap();
    let journey = dir.path().join("secrets.yaml");
    std::fs::write(
        &journey,
        "name: secrets-everywhere\n\
         base_url: ${BASE}\n\
         timeout: 2s\n\
         secrets: [CUSTOMER_ID, PIN]\n\
         steps:\n  \
           - open: /secrets.html\n  \
           - fill: { '#customer': '${CUSTOMER_ID}', '#pin': '${PIN}' }\n  \
           - click: '#title'\n  \
           - name: the customer is welcomed\n    \
             assert_text: { '#title': Welcome }\n",
    )
    .unwrap();
    let secrets = dir.path().join("secrets.yaml.secret");
    std::fs::write(
        &secrets,
        format!("CUSTOMER_ID: {CUSTOMER_ID}\nPIN: {PIN}\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let reports = dir.path().join("reports");

    let run = common::vedetta_run_everything(&journey, &secrets, &site.base, dir.path());
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "the journey fails\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("the customer is welcomed"), "{stdout}");
    assert!(!stderr.is_empty(), "--verbose logs something to search");

    for (what, text) in [("stdout", &stdout), ("stderr (logs)", &stderr)] {
        for secret in [CUSTOMER_ID, PIN] {
            assert!(!text.contains(secret), "{what} shows a secret:\n{text}");
        }
    }
    let mut files = Vec::new();
    files_under(&out, &mut files);
    files_under(&reports, &mut files);
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    for wanted in [
        ".annotated.png",
        ".html",
        ".console.txt",
        "manifest.json",
        "junit.xml",
        "report.json",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(wanted)),
            "no {wanted} among {names:#?}"
        );
    }
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for secret in [CUSTOMER_ID, PIN] {
            assert!(
                !contains(&bytes, secret),
                "{} holds a secret",
                file.display()
            );
        }
    }
    // The careless page really did echo them: the masks are there instead.
    let page_source = files
        .iter()
        .find(|f| {
            f.to_string_lossy()
                .ends_with("-the-customer-is-welcomed.html")
        })
        .unwrap();
    assert!(
        std::fs::read_to_string(page_source)
            .unwrap()
            .contains("typed ••••••")
    );
    let console = files
        .iter()
        .find(|f| f.to_string_lossy().ends_with(".console.txt"))
        .unwrap();
    let console = std::fs::read_to_string(console).unwrap();
    assert!(console.contains("typed ••••••"), "{console}");
    // The page logged every keystroke: no prefix longer than two characters shows.
    for secret in [CUSTOMER_ID, PIN] {
        assert!(
            !console.contains(&secret[..3]),
            "a prefix of a secret in the console log:\n{console}"
        );
    }

    // In pixels: each secret field is indistinguishable from the empty field below it.
    let raw = files
        .iter()
        .find(|f| {
            let n = f.to_string_lossy();
            n.ends_with(".png") && !n.ends_with(".annotated.png")
        })
        .unwrap();
    let shot = image::open(raw).unwrap().to_rgba8();
    let field = |top: u32| image::imageops::crop_imm(&shot, 20, top, 300, 40).to_image();
    assert!(
        field(20) == field(80),
        "the customer id field is not blanked in the screenshot"
    );
    assert!(
        field(140) == field(200),
        "the PIN field is not blanked in the screenshot"
    );
    // …while a field with text in it would differ: the check can fail.
    assert!(field(20) != image::imageops::crop_imm(&shot, 20, 255, 300, 40).to_image());
}
