//! Times the rendering of a ten-item protocol on a warm [`Renderer`].
//!
//! ```sh
//! cargo run --release -p tanu-pdf --example bench            # 50 warm renders
//! cargo run --release -p tanu-pdf --example bench -- 200 ru  # 200 renders, Russian
//! ```
//!
//! The first render is reported separately (cold: nothing of the document is cached
//! yet); then each warm render gets data that differ slightly (the generation time), as
//! in production, so typst cannot reuse the whole previous result.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use tanu_pdf::{Renderer, model};

#[path = "../tests/common/mod.rs"]
mod common;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(50, |a| a.parse().expect("N must be a number"));
    let lang = args.next().unwrap_or_else(|| "kk".to_owned());
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };

    let started = Instant::now();
    let renderer = Renderer::new().expect("renderer");
    let setup = started.elapsed();

    let protocol: model::Protocol = common::protocol(&lang);
    let started = Instant::now();
    let pdf = renderer.protocol(&protocol).expect("render");
    let cold = started.elapsed();

    let mut times = Vec::with_capacity(n);
    let mut size = pdf.len();
    for i in 0..n {
        let mut p = protocol.clone();
        p.generated_at = format!("12.11.2026 17:{:02}", i % 60);
        let started = Instant::now();
        let pdf = renderer.protocol(&p).expect("render");
        times.push(started.elapsed());
        size = pdf.len();
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];

    println!(
        "tanu-pdf bench ({profile} build), protocol with {} items, lang {lang}",
        protocol.items.len()
    );
    println!("  Renderer::new       {:8.1} ms", ms(setup));
    println!("  first render (cold) {:8.1} ms", ms(cold));
    if times.is_empty() {
        return;
    }
    println!(
        "  warm, {n} renders:  min {:.1} ms, median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(at(0.5)),
        ms(at(0.9)),
        ms(times[times.len() - 1]),
    );
    println!(
        "  PDF size            {size} bytes ({:.0} KiB)",
        size as f64 / 1024.0
    );
}
