//! Heap bytes a secret costs once stored: loads N secrets (each with one 100-byte version,
//! the project's default key and no tags, as `bench/scale.py` does) into an in-memory
//! store through the fixture path, then reports the heap still in use, per secret. dhat
//! counts every allocation exactly, so the figure does not move with the machine's load,
//! and the allocator's own retention (what RSS adds) is left out.
//!
//! `cargo run --release --example bench-heap -- [N]` (default 100000)

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use csms_emulator::clock::ManualClock;
use csms_emulator::service::{CsmsService, check_fixture};
use csms_emulator::store::memory::MemoryStore;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |a| a.parse().expect("N is a number"));
    let _profiler = dhat::Profiler::builder().testing().build();
    let now = 1_795_000_000_000;
    let service = CsmsService::new(
        Arc::new(MemoryStore::new()),
        Arc::new(ManualClock::new(now)),
    );
    let before = dhat::HeapStats::get().curr_bytes;
    {
        let value = "v".repeat(100);
        let secrets: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"name":"s-{i:07}","versions":[{{"secret_string":"{value}"}}]}}"#))
            .collect();
        let text = format!(
            r#"{{"format":1,"projects":[{{"id":"0123456789abcdef0123456789abcdef","secrets":[{}]}}]}}"#,
            secrets.join(",")
        );
        let fixture = csms_emulator::fixture_file::parse(&text, Path::new("bench"), now).unwrap();
        let checked = check_fixture("bench", fixture).unwrap();
        service.seed(vec![checked]).unwrap();
    }
    let stats = dhat::HeapStats::get();
    let held = stats.curr_bytes - before;
    println!(
        "{n} secrets: {:.1} MiB held, {} bytes a secret in {:.1} allocations",
        held as f64 / 1_048_576.0,
        held / n,
        (stats.curr_blocks as f64) / n as f64
    );
}
