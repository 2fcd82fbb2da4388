//! Notifications on both databases: each transition tells whom it concerns, in the inbox
//! and by e-mail through a real SMTP server (Python's aiosmtpd, started here), once –
//! also when the worker runs again, as after a restart; failures are retried.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tanu_app::notify::{Mailer, deliver_due};

use crate::common::*;

struct Smtp {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An aiosmtpd server writing to a Maildir; `None` (skipped) without Python's aiosmtpd
/// unless `TANU_TEST_REQUIRE_SMTP` is set.
async fn smtp_server() -> Option<Smtp> {
    let python = std::env::var("TANU_TEST_SMTP_PYTHON").ok();
    let Some(python) = python else {
        assert!(
            std::env::var("TANU_TEST_REQUIRE_SMTP").is_err(),
            "TANU_TEST_REQUIRE_SMTP is set but TANU_TEST_SMTP_PYTHON (a python with aiosmtpd) is not"
        );
        eprintln!("SKIPPED: no aiosmtpd (set TANU_TEST_SMTP_PYTHON; scripts/test does)");
        return None;
    };
    let port = free_port();
    let dir = TempDir::new();
    let child = Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir.0.join("maildir"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    // From here the guard kills and reaps the process whatever happens.
    let server = Smtp { child, port, dir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd does not listen");
}

fn delivered(smtp: &Smtp) -> Vec<String> {
    let new = smtp.dir.0.join("maildir").join("new");
    let Ok(entries) = std::fs::read_dir(new) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect()
}

async fn kinds(app: &TestApp, token: &str) -> Vec<String> {
    let v: Value = app
        .get(token, "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

both!(each_transition_tells_whom_it_concerns_once, |app| {
    let Some(smtp) = smtp_server().await else {
        return;
    };
    let (b, meeting, _apps) = held_meeting(&app).await;
    app.post(&b.secretary, &b.meeting(meeting, "/close"), json!({}))
        .await;
    let start = format!(
        "/api/v1/organisations/{}/meetings/{meeting}/protocol",
        b.org
    );
    let p: Value = app
        .post(&b.secretary, &start, json!({}))
        .await
        .json()
        .await
        .unwrap();
    let base = format!("/api/v1/organisations/{}/protocols/{}", b.org, p["id"]);
    app.post(&b.secretary, &format!("{base}/send"), json!({}))
        .await;
    app.post(&b.members[1].1, &format!("{base}/approve"), json!({}))
        .await;
    let v: Value = app
        .post(&b.secretary, &format!("{base}/approve"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "final");

    // The inbox: the recognised candidate was told every step; the refused one too.
    let first = kinds(&app, &b.candidates[0]).await;
    for k in [
        "application-received",
        "application-complete",
        "meeting-scheduled",
        "decision-taken",
        "protocol-final",
    ] {
        assert!(first.contains(&k.to_owned()), "{k} missing: {first:?}");
    }
    assert!(
        kinds(&app, &b.candidates[1])
            .await
            .contains(&"decision-taken".to_owned())
    );
    // The absent candidate: scheduled, but no decision and no protocol.
    let third = kinds(&app, &b.candidates[2]).await;
    assert!(!third.contains(&"decision-taken".to_owned()), "{third:?}");
    // The secretary: each new submission, the meeting, the protocol.
    let sec = kinds(&app, &b.secretary).await;
    assert_eq!(
        sec.iter().filter(|k| *k == "application-submitted").count(),
        3,
        "{sec:?}"
    );
    assert!(sec.contains(&"meeting-scheduled".to_owned()));
    assert!(sec.contains(&"protocol-final".to_owned()));
    // A member: the meeting and the protocol; not the candidates' own steps.
    let member = kinds(&app, &b.members[2].1).await;
    assert!(member.contains(&"meeting-scheduled".to_owned()));
    assert!(member.contains(&"protocol-final".to_owned()));
    assert!(!member.contains(&"application-received".to_owned()));
    // In the recipient's language (Kazakh by default here).
    let v: Value = app
        .get(&b.candidates[0], "/api/v1/notifications")
        .await
        .json()
        .await
        .unwrap();
    let received = v
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "application-received")
        .unwrap();
    assert!(
        received["subject"].as_str().unwrap().contains("қабылданды"),
        "{received}"
    );
    assert_eq!(received["email_status"], "pending");
    // Read, one and all.
    let r = app
        .post(
            &b.candidates[0],
            "/api/v1/notifications/read",
            json!({ "id": received["id"] }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // E-mail: first the server is down – nothing is lost, the attempt is counted.
    let now = tanu_storage::now();
    let down = Mailer::new(
        Some(&format!("smtp://127.0.0.1:{}", free_port())),
        "Tanu <noreply@tanu.test>",
        smtp.dir.0.join("unused"),
    )
    .unwrap();
    assert_eq!(deliver_due(&app.ctx, &down, now).await.unwrap(), 0);
    let mut conn = app.ctx.db.acquire().await.unwrap();
    let counts = tanu_storage::repo::notifications::email_counts(conn.conn())
        .await
        .unwrap();
    drop(conn);
    let pending = counts
        .iter()
        .find(|(s, _)| s == "pending")
        .map_or(0, |(_, n)| *n);
    assert!(pending >= 20, "{counts:?}");
    // Then up: after the backoff every message goes, once.
    let up = Mailer::new(
        Some(&format!("smtp://127.0.0.1:{}", smtp.port)),
        "Tanu <noreply@tanu.test>",
        smtp.dir.0.join("unused"),
    )
    .unwrap();
    let later = now + time::Duration::hours(2);
    let sent = deliver_due(&app.ctx, &up, later).await.unwrap();
    assert_eq!(i64::try_from(sent).unwrap(), pending);
    // A second worker run (as after a restart) sends nothing again.
    assert_eq!(deliver_due(&app.ctx, &up, later).await.unwrap(), 0);
    let mut mails = Vec::new();
    for _ in 0..50 {
        mails = delivered(&smtp);
        if mails.len() == sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(mails.len(), sent);
    let to_candidate: Vec<&String> = mails
        .iter()
        .filter(|m| m.contains("cand0@mail.kz"))
        .collect();
    assert_eq!(
        to_candidate.len(),
        6,
        "one e-mail per notification of the candidate, and the link that verified the address"
    );
    assert!(
        to_candidate
            .iter()
            .any(|m| m.contains("BEGIN:VCALENDAR") || m.contains("text/calendar")),
        "the meeting e-mail carries its calendar file"
    );
    let ids: std::collections::HashSet<&str> = mails
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
        })
        .collect();
    assert_eq!(
        ids.len(),
        sent,
        "every message once, each with its own Message-ID"
    );
});

both!(without_smtp_mail_is_written_as_eml_files, |app| {
    let (b, _apps) = board(&app, 1).await;
    let _ = b;
    let dir = TempDir::new();
    let files = Mailer::new(None, "Tanu <noreply@tanu.test>", dir.0.join("mail")).unwrap();
    let sent = deliver_due(&app.ctx, &files, tanu_storage::now())
        .await
        .unwrap();
    // The candidate (received, complete) and the secretary (new submission).
    assert!(sent >= 3, "{sent}");
    let eml: Vec<String> = std::fs::read_dir(dir.0.join("mail"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".eml"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert_eq!(eml.len(), sent);
    assert!(
        eml.iter().any(|m| m.contains("To: cand0@mail.kz")),
        "{eml:?}"
    );
});
