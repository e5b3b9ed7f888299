//! Heap a batch import uses while it runs: sends R batch-import requests of N items each
//! (100-byte values, as `bench/scale.py` sends) through the router, in-process, and
//! prints for each the heap's peak above what it held before the request. dhat counts
//! every allocation exactly, so the figures do not move with the machine's load. Memory a
//! request uses only while it runs is what the allocator may keep afterwards, and so
//! shows in the RSS after a large import (README, "RSS after load").
//!
//! `cargo run --release --example bench-import-peak -- [R] [N]` (default 4 requests of 5000)

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use clap::Parser;
use csms_emulator::clock::{ClockMode, EmulatorClock};
use csms_emulator::config::Config;
use csms_emulator::store::memory::MemoryStore;
use http_body_util::BodyExt;
use tower::ServiceExt;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const MIB: f64 = 1_048_576.0;

fn main() {
    let mut args = std::env::args().skip(1);
    let requests: usize = args.next().map_or(4, |a| a.parse().expect("R is a number"));
    let items: usize = args
        .next()
        .map_or(5000, |a| a.parse().expect("N is a number"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _profiler = dhat::Profiler::builder().testing().build();
    runtime.block_on(async {
        let config = Config::try_parse_from(["csms-emulator", "--request-log", "errors"]).unwrap();
        let clock = Arc::new(EmulatorClock::new());
        clock.set_mode(ClockMode::Frozen);
        clock.set(1_795_000_000_000);
        let app = csms_emulator::app::build_with(&config, Arc::new(MemoryStore::new()), clock);
        let value = "v".repeat(100);
        for r in 0..requests {
            let body = {
                let secrets: Vec<String> = (r * items..(r + 1) * items)
                    .map(|i| format!(r#"{{"name": "s-{i:07}", "secret_string": "{value}"}}"#))
                    .collect();
                format!(r#"{{"secrets": [{}]}}"#, secrets.join(", "))
            };
            let body_bytes = body.len();
            let request =
                Request::post("/v1/0123456789abcdef0123456789abcdef/secrets/batch-import")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap();
            // The body is counted in `before`; the peak so far is at most this request's.
            let before = dhat::HeapStats::get();
            let response = app.clone().oneshot(request).await.unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            response.into_body().collect().await.unwrap();
            let after = dhat::HeapStats::get();
            println!(
                "request {r}: {items} items, body {:.2} MiB; peak {:.2} MiB over the heap before it; \
                 {:.2} MiB in {} allocations; heap {:+.2} MiB after it",
                body_bytes as f64 / MIB,
                (after.max_bytes - before.curr_bytes) as f64 / MIB,
                (after.total_bytes - before.total_bytes) as f64 / MIB,
                after.total_blocks - before.total_blocks,
                (after.curr_bytes as f64 - before.curr_bytes as f64) / MIB,
            );
        }
    });
}
