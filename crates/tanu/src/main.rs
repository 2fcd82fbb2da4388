//! `tanu`: serve, migrate, admin, demo, config. See `tanu --help`.

fn main() -> std::process::ExitCode {
    tanu::cli::run()
}
