//! The main journey so far in a real browser: headless Chromium driven through
//! Debian's chromedriver (nothing is downloaded). Logs in, switches the language.
//! Skipped with a message when Chromium is not installed, unless
//! `TANU_TEST_REQUIRE_BROWSER=1` (as in CI).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

use crate::common::*;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium session; `None` (test skipped) when Chromium is not installed.
async fn browser() -> Option<(Driver, fantoccini::Client, TempDir)> {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("TANU_TEST_REQUIRE_BROWSER").is_err(),
            "TANU_TEST_REQUIRE_BROWSER is set but {CHROMIUM} / {CHROMEDRIVER} are missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("SKIPPED: Chromium not installed (apt-get install chromium chromium-driver)");
        return None;
    }
    let port = free_port();
    let driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = TempDir::new();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,900", format!("--user-data-dir={}", profile.0.display())],
            "prefs": { "intl.accept_languages": "kk,ru" }
        }
    });
    let caps = caps.as_object().unwrap().clone();
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Some((driver, c, profile)),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("chromedriver does not answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_and_switch_language_in_chromium() {
    let Some((_driver, c, _profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(tanu_storage::Backend::Sqlite).await.unwrap();

    c.goto(&app.url("/login")).await.unwrap();
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("kk")
    );
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(OPERATOR_EMAIL)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let who = c.wait().for_element(Locator::Id("who")).await.unwrap();
    assert_eq!(who.text().await.unwrap(), "Оператор Тест");
    let welcome = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(welcome.contains("Оператор Тест"), "{welcome}");

    c.find(Locator::Id("lang-ru"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("html[lang=ru]"))
        .await
        .unwrap();
    let nav = c
        .find(Locator::Css("a[href='/orgs']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(nav, "Организации");
    c.find(Locator::Id("register-org"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        h1, "Зарегистрировать организацию",
        "the next page stays in Russian"
    );
    // htmx checks the BIN as soon as the field is left (CSP allows no inline script; this
    // proves the embedded htmx runs).
    c.find(Locator::Id("bin"))
        .await
        .unwrap()
        .send_keys("940140000386")
        .await
        .unwrap();
    c.find(Locator::Id("name_kk"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let check = c
        .wait()
        .for_element(Locator::Css("p.field-error#bin-check"))
        .await
        .unwrap();
    let text = check.text().await.unwrap();
    assert!(text.contains("контрольн"), "{text}");
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("tanu-browser.png"), png);
    }
    c.find(Locator::Id("lang-en"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("html[lang=en]"))
        .await
        .unwrap();
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Register an organisation"
    );
    c.close().await.unwrap();
}

/// Clicks an element, retrying while the page is being replaced (a form just submitted
/// can leave the previous page's element in hand for a moment).
async fn click(c: &fantoccini::Client, css: &str) {
    let mut last = None;
    for _ in 0..30 {
        let e = c.wait().for_element(Locator::Css(css)).await.unwrap();
        match e.click().await {
            Ok(()) => return,
            Err(err) => {
                last = Some(err);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    panic!("cannot click {css}: {last:?}");
}

async fn text(c: &fantoccini::Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Rules 6–8 in the browser: the admin forms a commission, appoints three teachers at
/// once, assigns the secretary, and has the chair elected by a show of hands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_a_commission_and_elect_a_chair_in_chromium() {
    let Some((_driver, c, _profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(tanu_storage::Backend::Sqlite).await.unwrap();
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "higher").await;
    app.staff(&op, org, "admin@a.kz", &["org-admin"]).await;
    for (email, position) in [
        ("t1@a.kz", "teacher"),
        ("t2@a.kz", "teacher"),
        ("t3@a.kz", "teacher"),
        ("sec@a.kz", "specialist"),
    ] {
        let r = app.post(&op, &format!("/api/v1/organisations/{org}/staff"), json!({ "full_name": format!("Тест {email}"), "email": email, "position": position })).await;
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
        // Posts count once their people accept them.
        app.accept_invitation(email).await;
    }

    c.goto(&app.url("/lang/en?next=/login")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("admin@a.kz")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    click(&c, "#login-submit").await;
    c.wait().for_element(Locator::Id("who")).await.unwrap();
    c.goto(&app.url(&format!("/orgs/{org}"))).await.unwrap();
    click(&c, "#commissions-link").await;
    click(&c, "#form-commission").await;
    c.wait()
        .for_element(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Engineering commission")
        .await
        .unwrap();
    click(&c, "#commission-form button[type=submit]").await;
    assert_eq!(text(&c, "#commission-name").await, "Engineering commission");
    assert!(
        text(&c, "#readiness").await.contains("Rule 7"),
        "an empty commission cannot act"
    );

    // Three teachers in one change.
    for label in ["t1@a.kz", "t2@a.kz", "t3@a.kz"] {
        let xpath = format!("//label[contains(., 'Тест {label}')]/input");
        c.find(Locator::XPath(&xpath))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    click(&c, "#apply-membership").await;
    c.wait()
        .for_element(Locator::Css("#member-table"))
        .await
        .unwrap();
    assert_eq!(
        c.find_all(Locator::Css("#member-table tbody tr"))
            .await
            .unwrap()
            .len(),
        3
    );
    // The secretary: the only specialist who is not a member is offered.
    click(&c, "#assign-secretary").await;
    c.wait()
        .for_element(Locator::XPath(
            "//dd[@id='secretary'][contains(., 'Тест sec@a.kz')]",
        ))
        .await
        .unwrap();

    // The chair, by a show of hands: two of three vote for the first teacher.
    click(&c, "#open-chair").await;
    c.wait()
        .for_element(Locator::Css("#show-of-hands select"))
        .await
        .unwrap();
    let selects = c
        .find_all(Locator::Css("#show-of-hands select"))
        .await
        .unwrap();
    assert_eq!(selects.len(), 3);
    let first_candidate = selects[0]
        .find(Locator::Css("option:nth-child(2)"))
        .await
        .unwrap();
    let candidate_name = first_candidate.text().await.unwrap();
    for (i, s) in selects.iter().enumerate() {
        let option = if i < 2 {
            "option:nth-child(2)"
        } else {
            "option:nth-child(3)"
        };
        s.find(Locator::Css(option))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    click(&c, "#record").await;
    c.wait()
        .for_element(Locator::Css("#ballots tbody tr"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#ballots tbody tr:nth-child(3)"))
        .await
        .unwrap();
    click(&c, "#close-round").await;
    c.wait().for_element(Locator::Css("#result")).await.unwrap();
    let elected = text(&c, "#elected").await;
    assert!(elected.contains(&candidate_name), "{elected}");
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("tanu-election.png"), png);
    }
    c.goto(&app.url(&format!("/orgs/{org}/commissions/1")))
        .await
        .unwrap();
    assert_eq!(text(&c, "#chair").await, candidate_name);
    assert!(text(&c, "#readiness").await.contains("can act"));
    c.close().await.unwrap();
}

async fn log_in(c: &fantoccini::Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    click(c, "#login-submit").await;
    c.wait().for_element(Locator::Id("who")).await.unwrap();
}

async fn log_out(c: &fantoccini::Client) {
    click(c, "#logout").await;
    c.wait()
        .for_element(Locator::Id("login-link"))
        .await
        .unwrap();
}

async fn upload_file(c: &fantoccini::Client, kind: &str, path: &std::path::Path) {
    c.wait()
        .for_element(Locator::Id(&format!("file-{kind}")))
        .await
        .unwrap()
        .send_keys(&path.display().to_string())
        .await
        .unwrap();
    click(c, &format!("#upload-{kind}")).await;
    c.wait()
        .for_element(Locator::Id(&format!("doc-{kind}")))
        .await
        .unwrap();
}

async fn status_is(c: &fantoccini::Client, status: &str) {
    c.wait()
        .for_element(Locator::Css(&format!("#status[data-status='{status}']")))
        .await
        .unwrap();
}

/// Rules 10 and 11 in the browser: a candidate files an application with three uploads;
/// the secretary marks it incomplete; the candidate uploads a better scan and resubmits;
/// the secretary marks it complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_files_and_the_secretary_checks_in_chromium() {
    let Some((_driver, c, _profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(tanu_storage::Backend::Sqlite).await.unwrap();
    let op = app.operator_token().await;
    let org = app.org(&op, BIN_A, "technical-vocational").await;
    app.staff(&op, org, "secretary@a.kz", &["secretary"]).await;
    let r = app
        .client()
        .post(app.url("/api/v1/candidates"))
        .json(&json!({ "full_name": "Серікбай Аружан", "email": "aru@mail.kz", "password": PASSWORD, "iin": "850715400357" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::ACCEPTED);
    app.verify_email("aru@mail.kz").await;
    let files = TempDir::new();
    let write = |name: &str, bytes: Vec<u8>| {
        let p = files.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let statement = write("statement.pdf", pdf("Application"));
    let identity = write("identity.png", png());
    let certificate = write("certificate.pdf", pdf("Certificate IT-2026-0017"));

    c.goto(&app.url("/lang/en?next=/")).await.unwrap();
    log_in(&c, &app, "aru@mail.kz").await;
    click(&c, "#nav-applications").await;
    click(&c, "#new-application").await;
    click(&c, "#continue").await;
    let field = |id: &'static str, text: &'static str| {
        let c = c.clone();
        async move {
            c.wait()
                .for_element(Locator::Id(id))
                .await
                .unwrap()
                .send_keys(text)
                .await
                .unwrap()
        }
    };
    field("statement", "I completed a Python course.").await;
    field("provider_name", "IT Academy").await;
    field("programme_title", "Python for data").await;
    field("hours", "72").await;
    field("cert_number", "IT-2026-0017").await;
    for (id, date) in [
        ("study_from", "2026-01-10"),
        ("study_to", "2026-03-20"),
        ("issued_on", "2026-03-25"),
    ] {
        c.execute(
            &format!("document.getElementById('{id}').value = '{date}'"),
            vec![],
        )
        .await
        .unwrap();
    }
    field("outcomes", "writes programs").await;
    click(&c, "#consent").await;
    click(&c, "#save-draft").await;
    status_is(&c, "draft").await;
    upload_file(&c, "statement", &statement).await;
    upload_file(&c, "identity", &identity).await;
    upload_file(&c, "confirming", &certificate).await;
    click(&c, "#submit-application").await;
    status_is(&c, "submitted").await;
    let url = c.current_url().await.unwrap().to_string();
    log_out(&c).await;

    // The secretary: the identity copy is not legible.
    log_in(&c, &app, "secretary@a.kz").await;
    c.goto(&url).await.unwrap();
    for kind in ["statement", "identity", "confirming"] {
        click(&c, &format!("#present-{kind}")).await;
        click(&c, &format!("#matches-{kind}")).await;
        if kind != "identity" {
            click(&c, &format!("#legible-{kind}")).await;
        }
    }
    c.find(Locator::Id("reason"))
        .await
        .unwrap()
        .send_keys("The identity copy is blurred")
        .await
        .unwrap();
    click(&c, "#record-check").await;
    status_is(&c, "incomplete").await;
    log_out(&c).await;

    // The candidate sends a better scan and resubmits.
    log_in(&c, &app, "aru@mail.kz").await;
    c.goto(&url).await.unwrap();
    assert!(
        c.source()
            .await
            .unwrap()
            .contains("The identity copy is blurred")
    );
    upload_file(&c, "identity", &identity).await;
    click(&c, "#submit-application").await;
    status_is(&c, "submitted").await;
    log_out(&c).await;

    log_in(&c, &app, "secretary@a.kz").await;
    c.goto(&url).await.unwrap();
    for kind in ["statement", "identity", "confirming"] {
        for what in ["present", "legible", "matches"] {
            click(&c, &format!("#{what}-{kind}")).await;
        }
    }
    click(&c, "#record-check").await;
    status_is(&c, "complete").await;
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("tanu-application.png"), png);
    }
    c.close().await.unwrap();
}

/// Rules 8, 12–14 in the browser: the secretary schedules a meeting, records attendance,
/// opens it (the chair presides), interviews the first candidate, records a show of
/// hands, closes the vote, records the decision; the second candidate did not come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_meeting_in_chromium() {
    let Some((_driver, c, _profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(tanu_storage::Backend::Sqlite).await.unwrap();
    let (b, _apps) = board(&app, 2).await;
    elect(&app, &b).await;
    c.goto(&app.url("/lang/en?next=/")).await.unwrap();
    log_in(&c, &app, "sec@a.kz").await;
    c.goto(&app.url(&format!("/orgs/{}/commissions/{}", b.org, b.commission)))
        .await
        .unwrap();
    click(&c, "#new-meeting").await;
    c.wait()
        .for_element(Locator::Id("place"))
        .await
        .unwrap()
        .send_keys("Room 301")
        .await
        .unwrap();
    c.execute(
        &format!(
            "document.getElementById('starts_at').value = '{}'",
            soon(&app).await
        ),
        vec![],
    )
    .await
    .unwrap();
    for cb in c
        .find_all(Locator::Css("input[name=application_ids]"))
        .await
        .unwrap()
    {
        cb.click().await.unwrap();
    }
    click(&c, "#schedule").await;
    c.wait()
        .for_element(Locator::Css("#meeting-status[data-status=scheduled]"))
        .await
        .unwrap();
    for cb in c
        .find_all(Locator::Css("#attendance-form input[name=present]"))
        .await
        .unwrap()
    {
        cb.click().await.unwrap();
    }
    click(&c, "#save-attendance").await;
    click(&c, "#open-meeting").await;
    c.wait()
        .for_element(Locator::Css("#meeting-status[data-status=open]"))
        .await
        .unwrap();
    assert!(
        text(&c, "#presiding").await.contains("m0@a.kz"),
        "the chair presides"
    );

    let sections = c.find_all(Locator::Css("section.item")).await.unwrap();
    let first = sections[0]
        .attr("id")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("item-")
        .to_owned();
    let second = sections[1]
        .attr("id")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("item-")
        .to_owned();
    click(&c, &format!("#came-{first}")).await;
    c.wait()
        .for_element(Locator::Id(&format!("notes-{first}")))
        .await
        .unwrap()
        .send_keys("Asked about testing; answered well.")
        .await
        .unwrap();
    click(&c, &format!("#save-interview-{first}")).await;
    click(&c, &format!("#open-vote-{first}")).await;
    c.wait()
        .for_element(Locator::Css(&format!("#votes-{first} select")))
        .await
        .unwrap();
    for s in c
        .find_all(Locator::Css(&format!("#votes-{first} select")))
        .await
        .unwrap()
    {
        s.find(Locator::Css("option[value=recognise]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    click(&c, &format!("#record-votes-{first}")).await;
    // The votes are recorded when the recording form has no one left to record.
    c.wait()
        .for_element(Locator::Css(&format!("#votes-{first}:not(:has(select))")))
        .await
        .unwrap();
    click(&c, &format!("#close-vote-{first}")).await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "#item-status-{first}[data-status=adopted]"
        )))
        .await
        .unwrap();
    let tally = text(&c, &format!("#tally-{first}")).await;
    assert!(
        tally.contains("Recognise 5") && tally.contains("recognition adopted"),
        "{tally}"
    );
    click(&c, &format!("#decision-{first} input[name=unit]")).await;
    click(&c, &format!("#decide-{first}")).await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "#item-status-{first}[data-status=decided]"
        )))
        .await
        .unwrap();

    click(&c, &format!("#absent-{second}")).await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "#item-status-{second}[data-status=moved]"
        )))
        .await
        .unwrap();
    click(&c, "#close-meeting").await;
    c.wait()
        .for_element(Locator::Css("#meeting-status[data-status=closed]"))
        .await
        .unwrap();
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("tanu-meeting.png"), png);
    }
    c.close().await.unwrap();
}

/// Rule 9 in the browser: the secretary prepares the protocol of a held meeting and sends
/// it; the secretary and the presiding deputy approve it; the final PDF is downloaded and
/// checked on the public verification page – genuine, then one byte changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protocol_is_approved_downloaded_and_verified_in_chromium() {
    use base64::Engine;
    let Some((_driver, c, _profile)) = browser().await else {
        return;
    };
    let app = TestApp::spawn(tanu_storage::Backend::Sqlite).await.unwrap();
    let (b, meeting, _apps) = held_meeting(&app).await;
    app.post(&b.secretary, &b.meeting(meeting, "/close"), json!({}))
        .await;
    c.goto(&app.url("/lang/kk?next=/")).await.unwrap();
    log_in(&c, &app, "sec@a.kz").await;
    c.goto(&app.url(&format!("/orgs/{}/meetings/{meeting}", b.org)))
        .await
        .unwrap();
    click(&c, "#start-protocol").await;
    c.wait()
        .for_element(Locator::Id("opening_text"))
        .await
        .unwrap()
        .send_keys("Отырыс кестеге сәйкес өтті.")
        .await
        .unwrap();
    click(&c, "#save-texts").await;
    click(&c, "#send-protocol").await;
    c.wait()
        .for_element(Locator::Css("#protocol-status[data-status=signing]"))
        .await
        .unwrap();
    click(&c, "#approve-protocol").await;
    c.wait()
        .for_element(Locator::Css("#signer-secretary .badge.ok"))
        .await
        .unwrap();
    let page = c.current_url().await.unwrap().to_string();
    log_out(&c).await;
    log_in(&c, &app, "m1@a.kz").await;
    c.goto(&page).await.unwrap();
    click(&c, "#approve-protocol").await;
    c.wait()
        .for_element(Locator::Css("#protocol-status[data-status=final]"))
        .await
        .unwrap();
    let heading = text(&c, "#protocol-heading").await;
    assert!(heading.contains("1/2026"), "{heading}");

    // Download the Kazakh PDF as the browser would, keeping its bytes.
    let got = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.getElementById('pdf-kk').href).then(async r => {
               const b = new Uint8Array(await r.arrayBuffer());
               let s = ''; for (const x of b) s += String.fromCharCode(x);
               done([r.status, r.headers.get('content-type'), r.headers.get('x-tanu-verification-code'), btoa(s)]);
             });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(got[0], 200);
    assert_eq!(got[1], "application/pdf");
    let code = got[2].as_str().unwrap().to_owned();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(got[3].as_str().unwrap())
        .unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let dir = TempDir::new();
    let genuine = dir.0.join("protocol.pdf");
    std::fs::write(&genuine, &bytes).unwrap();
    let mut altered_bytes = bytes.clone();
    let mid = altered_bytes.len() / 2;
    altered_bytes[mid] ^= 1;
    let altered = dir.0.join("altered.pdf");
    std::fs::write(&altered, &altered_bytes).unwrap();

    // Anyone: the QR code's address, then the file itself.
    log_out(&c).await;
    c.goto(&app.url(&format!("/verify/{code}"))).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#verdict[data-verdict=code-only]"))
        .await
        .unwrap();
    let facts = text(&c, "#document-facts").await;
    assert!(facts.contains(&code), "{facts}");
    for (file, verdict) in [(&genuine, "genuine"), (&altered, "altered")] {
        c.wait()
            .for_element(Locator::Id("verify-file"))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        click(&c, "#verify-submit").await;
        c.wait()
            .for_element(Locator::Css(&format!("#verdict[data-verdict={verdict}]")))
            .await
            .unwrap();
    }
    if let Ok(png) = c.screenshot().await {
        let _ = std::fs::write(std::env::temp_dir().join("tanu-verify.png"), png);
    }
    c.close().await.unwrap();
}
