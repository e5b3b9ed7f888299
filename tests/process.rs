//! The binary as launchers (the Python and Node packages, scripts) see it: `--version`,
//! the `serving` line that names the port `--listen 127.0.0.1:0` bound, and
//! `--exit-on-stdin-close`, which keeps the emulator from outliving its launcher.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_csms-emulator");
/// Long enough for any machine load; a broken feature waits forever, so some bound is
/// needed, and reaching it is a failure rather than a slow pass.
const PATIENCE: Duration = Duration::from_secs(60);

/// Starts the emulator on a free port with stdin and stdout piped; returns the child and
/// the address its `serving` line names.
fn start(extra: &[&str]) -> (Child, String) {
    let (child, serving) = start_serving(extra);
    let address = serving.split_whitespace().next().unwrap().to_owned();
    (child, address)
}

/// [`start`], returning what its `serving` line says after `listen=`.
fn start_serving(extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    loop {
        let Ok(line) = seen.recv_timeout(PATIENCE) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no serving line");
        };
        if let Some((_, rest)) = line.split_once("csms-emulator serving listen=") {
            // Keep draining the pipe so the emulator never blocks on it.
            std::thread::spawn(move || while seen.recv().is_ok() {});
            return (child, rest.to_owned());
        }
    }
}

/// The whole answer to `GET path`, on a connection of its own.
fn get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn health(address: &str) -> String {
    get(address, "/_emulator/health")
}

/// A fresh folder holding a FIFO named `seed.json`: an emulator seeded from it blocks in
/// start-up until the test writes the fixture. Returns the folder and the FIFO.
fn fifo_seed() -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("csms-process-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("seed.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    (dir, fifo)
}

/// Waits for the child to exit, killing it (and failing) past [`PATIENCE`].
fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("the emulator did not exit");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn version_names_the_package_version_commit_target_and_date() {
    let output = Command::new(BINARY).arg("--version").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "csms-emulator {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert!(text.contains(", built 20"), "{text}");
}

#[test]
fn the_serving_line_names_the_port_that_port_zero_bound() {
    let (mut child, address) = start(&[]);
    let port: u16 = address.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    assert!(health(&address).starts_with("HTTP/1.1 200"), "{address}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_runtime_runs_as_many_workers_as_asked_for() {
    for (asked, runs) in [("3", "workers=3"), ("1", "workers=1")] {
        let (mut child, serving) = start_serving(&["--workers", asked]);
        assert!(serving.split_whitespace().any(|f| f == runs), "{serving}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn closing_stdin_stops_the_emulator_cleanly_when_asked_to_watch_it() {
    let (mut child, address) = start(&["--exit-on-stdin-close"]);
    assert!(health(&address).starts_with("HTTP/1.1 200"));
    drop(child.stdin.take());
    let status = wait_for_exit(&mut child);
    assert!(status.success(), "{status}");
}

#[test]
fn a_sigterm_while_the_seed_loads_stops_the_emulator_gracefully() {
    // The seed is a FIFO: start-up blocks reading it, so the SIGTERM lands mid-start-up
    // for certain. Handlers installed only once serving (as before) would let it kill the
    // process outright: no exit status, only a signal.
    let (dir, fifo) = fifo_seed();
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--seed"])
        .arg(&fifo)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Opening the FIFO for writing returns once the emulator has opened it to read: it is
    // loading its seed, past the point where it listens for signals.
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // A stop during loading does not wait for the load, so the emulator may be gone
    // before this is written (a broken pipe): either way it must exit cleanly.
    let written = writer.write_all(
        br#"{"projects": [{"id": "p", "secrets": [{"name": "s", "versions": [{"secret_string": "v"}]}]}]}"#,
    );
    if let Err(err) = written {
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{err}");
    }
    drop(writer);
    let status = wait_for_exit(&mut child);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn while_the_state_loads_every_request_is_answered_at_once_then_served() {
    // The seed is a FIFO, so loading lasts until this test writes it.
    let (dir, fifo) = fifo_seed();
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--seed"])
        .arg(&fifo)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, seen) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let address = loop {
        let line = seen.recv_timeout(PATIENCE).expect("a listening line");
        if let Some((_, rest)) = line.split_once("listen=") {
            if line.contains("csms-emulator listening; loading the state") {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        }
    };
    let mut writer = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    // Loading: alive, not ready, and CSMS answers 503 at once.
    assert!(health(&address).starts_with("HTTP/1.1 200"));
    let ready = get(&address, "/_emulator/ready");
    assert!(ready.starts_with("HTTP/1.1 503"), "{ready}");
    assert!(
        ready.to_ascii_lowercase().contains("retry-after: 1"),
        "{ready}"
    );
    assert!(ready.contains(r#""status":"loading""#), "{ready}");
    let csms = get(&address, "/v1/p/secrets/s/versions/latest");
    assert!(csms.starts_with("HTTP/1.1 503"), "{csms}");
    assert!(csms.contains(r#""error_code":"APIGW.0202""#), "{csms}");
    writer
        .write_all(br#"{"projects": [{"id": "p", "secrets": [{"name": "s", "versions": [{"secret_string": "seeded"}]}]}]}"#)
        .unwrap();
    drop(writer);
    // Loaded: the serving line, then the seeded state is served.
    loop {
        let line = seen.recv_timeout(PATIENCE).expect("a serving line");
        if line.contains("csms-emulator serving listen=") {
            break;
        }
    }
    std::thread::spawn(move || while seen.recv().is_ok() {});
    assert!(get(&address, "/_emulator/ready").starts_with("HTTP/1.1 200"));
    assert!(get(&address, "/v1/p/secrets/s/versions/latest").contains("seeded"));
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
