//! `tanu`: serve, migrate, admin, demo, config. See `tanu --help`.

/// mimalloc instead of glibc's malloc: glibc keeps freed memory in per-thread arenas, so
/// after a burst of uploads the server stayed at its peak; mimalloc hands freed pages
/// back to the system. Built without transparent huge pages (the workspace's `no_thp`),
/// which had doubled the memory the server held after a load run (both measured in
/// docs/performance.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Everything Tanu writes – the database, uploaded identity scans, e-mails kept as
    // files, backups – is for the service's own user: 0600 files, 0700 folders.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    tanu::cli::run()
}
