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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_and_switch_language_in_chromium() {
    if !std::path::Path::new(CHROMEDRIVER).exists() || !std::path::Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("TANU_TEST_REQUIRE_BROWSER").is_err(),
            "TANU_TEST_REQUIRE_BROWSER is set but {CHROMIUM} / {CHROMEDRIVER} are missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("SKIPPED: Chromium not installed (apt-get install chromium chromium-driver)");
        return;
    }
    let app = TestApp::spawn(tanu_storage::Backend::Sqlite).await.unwrap();
    let port = free_port();
    let _driver = Driver(
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
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver answers");

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
