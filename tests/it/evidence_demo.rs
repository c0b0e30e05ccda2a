//! The evidence pipeline on a real failure: the demo journey walked in headless Chromium
//! against the embedded bank with its `outage` fault; its evidence folder (annotated screenshot,
//! manifest) checked and tampered with, and the JUnit and HTML reports written from the run's
//! real `RunReport`.
//!
//! The annotated PNG and the HTML report are kept under target/tmp/ to look at.

use crate::common;

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;
use vedetta::demo::{BankConfig, DEMO_PASSWORD, DemoStack, Fault};
use vedetta::evidence::annotate::{Header, annotate_file, annotated_path, strip_height};
use vedetta::evidence::manifest::{ManifestMeta, verify, write_manifest};
use vedetta::journey::model::Journey;
use vedetta::journey::{LoadOptions, load_journey};
use vedetta::report::{html, junit};
use vedetta::runner::result::{FailureCategory, JourneyStatus, RunReport, StepStatus};

fn demo_journey(bank_url: &str) -> Journey {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("journeys/demo-card-balance.yaml");
    let mut opts =
        LoadOptions::with_env([("DEMO_PASSWORD".to_string(), DEMO_PASSWORD.to_string())]);
    opts.cli_vars = vec![("BANK_URL".into(), bank_url.into())];
    match load_journey(&path, &opts) {
        Ok(j) => Journey {
            name: "evidence-outage".into(),
            ..j
        },
        Err(diags) => panic!("the demo journey is invalid: {diags:#?}"),
    }
}

async fn outage_run(out: &Path) -> RunReport {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let config = BankConfig {
        faults: vec![Fault::Outage],
        ..BankConfig::default()
    };
    let stack = DemoStack::start_with(listener, config).await.unwrap();
    let mut opts = common::options(out);
    opts.otp = stack.otp_sources();
    let ran = common::run_with(
        vec![demo_journey(&stack.bank.url)],
        opts,
        CancellationToken::new(),
    )
    .await;
    stack.shutdown().await;
    ran.report
}

fn xmllint_schema(xml: &Path) -> std::process::Output {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit.xsd");
    std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(xml)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is needed to validate JUnit XML ({e}): apt-get install libxml2-utils")
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_outage_leaves_annotated_sealed_evidence_and_reports() {
    let out = tempfile::tempdir().unwrap();
    let report = outage_run(out.path()).await;
    let journey = &report.journeys[0];
    assert_eq!(journey.status, JourneyStatus::Failed);
    let step = journey
        .steps
        .iter()
        .find(|s| s.status == StepStatus::Failed)
        .expect("a failed step");
    let failure = step.failure.as_ref().unwrap();
    assert_eq!(failure.category, FailureCategory::Outage);
    let raw = PathBuf::from(failure.screenshot.as_ref().expect("failure screenshot"));
    let evidence = PathBuf::from(failure.evidence.as_ref().expect("evidence folder"));

    // The runner left the annotated copy beside the raw shot, a header strip taller, and
    // sealed the folder with a manifest that verifies as it is.
    let annotated = annotated_path(&raw);
    assert!(
        annotated.is_file(),
        "no annotated screenshot beside {}",
        raw.display()
    );
    let header =
        vedetta::runner::failure_header(&journey.name, step, jiff::Timestamp::now()).unwrap();
    let (w, h) = image::image_dimensions(&raw).unwrap();
    assert_eq!(
        image::image_dimensions(&annotated).unwrap(),
        (w, h + strip_height(w, &header))
    );
    let intact = verify(&evidence).expect("the runner writes manifest.json");
    assert!(intact.is_intact(), "{intact:?}");
    assert!(
        intact.intact >= 2,
        "raw and annotated screenshots at least: {intact:?}"
    );

    // Re-annotating and re-sealing (what a person fixing a header would do) still verifies.
    // The new header must differ from the runner's (which may carry this very second's time).
    let fixed_header = Header {
        message: format!("{} (reviewed)", header.message),
        ..header.clone()
    };
    annotate_file(&raw, &fixed_header, None).unwrap();
    assert_eq!(verify(&evidence).unwrap().changed.len(), 1);
    let meta = ManifestMeta {
        vedetta_version: report.vedetta_version.clone(),
        browser_name: "chrome".into(),
        browser_version: "unknown".into(),
        driver: "chromedriver".into(),
        host: ManifestMeta::host_name(),
        started_at: journey.started_at.clone(),
        finished_at: jiff::Timestamp::now().to_string(),
    };
    write_manifest(&evidence, &meta).unwrap();
    assert!(verify(&evidence).unwrap().is_intact());

    // Tampering, three ways; each is named.
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let mut bytes = std::fs::read(&annotated).unwrap();
    let last = bytes.len() - 20;
    bytes[last] ^= 0x01;
    std::fs::write(&annotated, &bytes).unwrap();
    assert_eq!(verify(&evidence).unwrap().changed, [name(&annotated)]);
    bytes[last] ^= 0x01;
    std::fs::write(&annotated, &bytes).unwrap();
    assert!(verify(&evidence).unwrap().is_intact());

    std::fs::rename(&raw, out.path().join("moved.png")).unwrap();
    std::fs::write(evidence.join("extra.txt"), "planted").unwrap();
    let tampered = verify(&evidence).unwrap();
    assert_eq!(tampered.missing, [name(&raw)]);
    assert_eq!(tampered.added, ["extra.txt"]);
    std::fs::rename(out.path().join("moved.png"), &raw).unwrap();
    std::fs::remove_file(evidence.join("extra.txt")).unwrap();

    // JUnit from the real run: valid, the outage a <failure>, the annotated shot attached.
    let xml_path = out.path().join("junit.xml");
    junit::write(&report, &xml_path).unwrap();
    let lint = xmllint_schema(&xml_path);
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    assert!(
        lint.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&lint.stderr)
    );
    assert!(xml.contains("type=\"outage\""), "{xml}");
    assert!(
        xml.contains(&format!("[[ATTACHMENT|{}]]", annotated.display())),
        "{xml}"
    );

    // HTML from the real run: the annotated screenshot inline.
    let html_path = out.path().join("report.html");
    html::write(&report, &html_path).unwrap();
    let page = std::fs::read_to_string(&html_path).unwrap();
    assert!(page.contains("alt=\"annotated screenshot\" src=\"data:image/png;base64,"));
    assert_eq!(
        page.matches("<li class=\"step ").count(),
        journey.steps.len()
    );

    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::copy(&annotated, keep.join("demo-outage.annotated.png")).unwrap();
    std::fs::write(keep.join("demo-outage-report.html"), page).unwrap();
}
