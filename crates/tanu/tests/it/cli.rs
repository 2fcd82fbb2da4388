//! The binary's subcommands, run as a user would.

use std::process::Command;

use crate::common::TempDir;

fn tanu(dir: &TempDir, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tanu"))
        .args(args)
        .arg("--data-dir")
        .arg(&dir.0)
        .env_remove("DATABASE_URL")
        .env_remove("TANU_DATABASE_URL")
        .output()
        .expect("tanu runs")
}

#[test]
fn config_lists_settings_and_redacts_secrets() {
    let dir = TempDir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_tanu"))
        .args(["config", "--data-dir"])
        .arg(&dir.0)
        .env("DATABASE_URL", "postgres://tanu:hunter2@db.example/tanu")
        .env("TANU_S3_SECRET_ACCESS_KEY", "s3cr3t")
        .env("TANU_METRICS_TOKEN", "m3tr1cs")
        .env("TANU_LISTEN", "0.0.0.0:9000")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        !text.contains("hunter2") && !text.contains("s3cr3t") && !text.contains("m3tr1cs"),
        "{text}"
    );
    assert!(text.contains("listen = \"0.0.0.0:9000\""), "{text}");
    for key in [
        "TANU_DATA_DIR",
        "TANU_LISTEN",
        "DATABASE_URL",
        "TANU_S3_ENDPOINT",
        "TANU_LOG_FORMAT",
        "TANU_MAX_UPLOAD_MB",
        "TANU_METRICS_TOKEN",
    ] {
        assert!(text.contains(key), "{key} documented");
    }
}

#[test]
fn migrate_create_operator_and_demo_on_a_fresh_folder() {
    let dir = TempDir::new();
    let out = tanu(&dir, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.0.join("tanu.db").exists());
    let out = tanu(
        &dir,
        &[
            "admin",
            "create-operator",
            "--email",
            "op@tanu.kz",
            "--password",
            "short",
        ],
    );
    assert!(!out.status.success(), "a short password is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    let out = tanu(&dir, &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin@college.demo"));
    let out = tanu(&dir, &["demo"]);
    assert!(
        !out.status.success(),
        "demo refuses a database with accounts"
    );
    let out = tanu(
        &dir,
        &[
            "admin",
            "create-operator",
            "--email",
            "op@tanu.kz",
            "--password",
            "a long enough password",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn openapi_snapshot_is_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_tanu"))
        .arg("openapi")
        .output()
        .unwrap();
    assert!(out.status.success());
    let current = String::from_utf8_lossy(&out.stdout).to_string();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &current).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == current,
        "the API changed: review, then run `UPDATE_SNAPSHOTS=1 cargo nextest run -E 'test(openapi_snapshot)'` and commit docs/openapi.json"
    );
}

/// Every file and folder under `root` is the owner's alone (no group or other bits).
pub(crate) fn private_tree(root: &std::path::Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut open = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(p) = todo.pop() {
        let meta = std::fs::metadata(&p).unwrap();
        if meta.permissions().mode() & 0o077 != 0 {
            open.push(format!(
                "{} {:o}",
                p.display(),
                meta.permissions().mode() & 0o777
            ));
        }
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                todo.push(e.unwrap().path());
            }
        }
    }
    open
}

#[test]
fn data_and_backups_are_readable_by_the_service_only() {
    // Issue 24: the database, the scans and the backups were created 0644 / 0755.
    let dir = TempDir::new();
    let data = dir.0.join("data");
    let backups = dir.0.join("backups");
    for args in [
        vec!["demo"],
        vec!["backup", "--to", backups.to_str().unwrap()],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_tanu"))
            .args(&args)
            .arg("--data-dir")
            .arg(&data)
            .env_remove("DATABASE_URL")
            .env_remove("TANU_DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for root in [&data, &backups] {
        let open = private_tree(root);
        assert!(open.is_empty(), "readable by others: {open:?}");
    }
    let files = std::fs::read_dir(&data).unwrap().count();
    assert!(files > 0);
}

#[test]
fn retention_run_on_the_demo_two_years_later_keeps_the_trail_verifiable() {
    let dir = TempDir::new();
    let out = tanu(&dir, &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at = (time::OffsetDateTime::now_utc() + time::Duration::days(730))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let lines = |out: &std::process::Output, verb: &str| -> Vec<String> {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix(verb).map(str::to_owned))
            .collect()
    };
    let dry = tanu(&dir, &["retention", "run", "--dry-run", "--at", &at]);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let listed = lines(&dry, "would purge ");
    assert!(
        listed.iter().any(|l| l.ends_with("identity-scan")),
        "the demo's decided applications lose their identity scans: {listed:?}"
    );
    let applied = tanu(&dir, &["retention", "run", "--at", &at]);
    assert!(
        applied.status.success(),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert_eq!(
        lines(&applied, "purged "),
        listed,
        "the run does what the dry run said"
    );
    let again = tanu(&dir, &["retention", "run", "--at", &at]);
    assert!(lines(&again, "purged ").is_empty());
    let verify = tanu(&dir, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("audit trail intact"));
    let bad = tanu(&dir, &["retention", "run", "--at", "next year"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}
