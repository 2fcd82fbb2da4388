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
    tanu::cli::run()
}
