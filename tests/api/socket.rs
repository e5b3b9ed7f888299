//! Real-socket tests: serve on 127.0.0.1:0 (plain HTTP/1.1 and TLS), time out connections, shut down gracefully.

use std::sync::Arc;

use clap::Parser;
use csms_emulator::config::Config;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn exchange(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn the_server_answers_over_a_real_socket_and_stops_on_shutdown() {
    let (addr, stop, server) = spawn_server(csms_emulator::server::Timeouts::default()).await;

    let body = r#"{"name":"sock","secret_string":"over-tcp"}"#;
    let create = exchange(
        addr,
        &format!(
            "POST /v1/p/secrets HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(create.starts_with("HTTP/1.1 200"), "{create}");
    assert!(
        create.to_ascii_lowercase().contains("x-request-id: "),
        "{create}"
    );

    let read = exchange(
        addr,
        &format!("GET /v1/p/secrets/sock/versions/latest HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(read.contains("\"secret_string\":\"over-tcp\""), "{read}");

    stop.send(()).unwrap();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}

/// A server's address, the sender that begins its shutdown, and its task.
type Served = (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

/// Serves the default configuration with `timeouts`, over TLS when `tls` is given.
async fn spawn_server_over(
    timeouts: csms_emulator::server::Timeouts,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config::try_parse_from(["csms-emulator"]).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(csms_emulator::server::serve(
        listener,
        csms_emulator::app::build(&config),
        tls,
        timeouts,
        async {
            let _ = stopped.await;
        },
    ));
    (addr, stop, server)
}

/// [`spawn_server_over`] plain HTTP.
async fn spawn_server(timeouts: csms_emulator::server::Timeouts) -> Served {
    spawn_server_over(timeouts, None).await
}

/// [`spawn_server`] without the task; returns the address and the sender that stops it.
async fn serve_with(
    timeouts: csms_emulator::server::Timeouts,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (addr, stop, _server) = spawn_server(timeouts).await;
    (addr, stop)
}

/// A short idle timeout, and a header-read timeout long enough that a request written just
/// after connecting always arrives in time, however loaded the machine.
const SHORT_IDLE: csms_emulator::server::Timeouts = csms_emulator::server::Timeouts {
    header_read: std::time::Duration::from_secs(10),
    idle: std::time::Duration::from_millis(150),
};

/// Everything the server sends until it closes the connection; a connection it never
/// closes fails the test (after a bound far above the timeouts under test).
async fn until_closed(stream: &mut (impl AsyncRead + Unpin)) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut received),
    )
    .await
    .expect("the server closed the connection");
    // A reset is a close too.
    let _ = read;
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    // The idle timeout is an hour: only the header-read timeout, counted from the accept,
    // can close this connection before `until_closed` gives up.
    let (addr, _stop) = serve_with(csms_emulator::server::Timeouts {
        header_read: std::time::Duration::from_millis(100),
        idle: std::time::Duration::from_secs(3600),
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    assert_eq!(until_closed(&mut stream).await, "");
}

#[tokio::test]
async fn a_request_head_that_stalls_is_closed_after_the_header_read_timeout() {
    let (addr, _stop) = serve_with(csms_emulator::server::Timeouts {
        header_read: std::time::Duration::from_millis(100),
        idle: std::time::Duration::from_secs(3600),
    })
    .await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHo")
        .await
        .unwrap();
    assert!(!until_closed(&mut stream).await.contains("200 OK"));
}

#[tokio::test]
async fn a_keep_alive_connection_is_answered_then_closed_when_idle() {
    let (addr, _stop) = serve_with(SHORT_IDLE).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    for _ in 0..2 {
        stream
            .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
    }
    let received = until_closed(&mut stream).await;
    assert_eq!(received.matches("HTTP/1.1 200 OK").count(), 2, "{received}");
}

#[tokio::test]
async fn a_request_slower_than_the_idle_timeout_is_still_answered() {
    let (addr, _stop) = serve_with(SHORT_IDLE).await;
    let rule = r#"{"operation":"ListSecrets","latency_ms":600}"#;
    let added = exchange(
        addr,
        &format!(
            "POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{rule}",
            rule.len()
        ),
    )
    .await;
    assert!(added.starts_with("HTTP/1.1 200"), "{added}");
    let listed = exchange(
        addr,
        "GET /v1/p/secrets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(listed.starts_with("HTTP/1.1 200"), "{listed}");
}

#[tokio::test]
async fn the_healthcheck_command_passes_against_a_serving_emulator_only() {
    let generous = csms_emulator::server::Timeouts {
        header_read: std::time::Duration::from_secs(30),
        idle: std::time::Duration::from_secs(30),
    };
    let (addr, stop) = serve_with(generous).await;
    let url = csms_emulator::healthcheck::default_url(addr);
    let bound = std::time::Duration::from_secs(20);
    csms_emulator::healthcheck::probe(&url, bound)
        .await
        .expect("a serving emulator is healthy");
    let wrong_path = format!("http://{addr}/_emulator/nothing-here");
    let refused = csms_emulator::healthcheck::probe(&wrong_path, bound).await;
    assert!(refused.unwrap_err().contains("404"));
    drop(stop);
}

/// Everything the server answers to `raw`, on a connection of its own.
async fn raw_exchange(addr: std::net::SocketAddr, raw: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(raw).await.unwrap();
    until_closed(&mut stream).await
}

#[tokio::test]
async fn a_request_the_http_parser_refuses_gets_a_csms_shaped_body() {
    let (addr, _stop) = serve_with(SHORT_IDLE).await;
    for (raw, status) in [
        (
            b"POST /v1/p/secrets HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}".to_vec(),
            "400",
        ),
        (b"GET /v1/p/secrets HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".to_vec(), "400"),
        (b"GARBAGE\r\n\r\n".to_vec(), "400"),
        (
            [b"GET /".as_slice(), &vec![b'a'; 70_000], b" HTTP/1.1\r\nHost: x\r\n\r\n"].concat(),
            "414",
        ),
    ] {
        let answer = raw_exchange(addr, &raw).await;
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{answer}");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.to_ascii_lowercase().contains("x-request-id: "), "{head}");
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error_code"], "APIGW.0201", "{answer}");
        assert!(!body["error_msg"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_good_request_then_a_refused_one_on_one_connection_get_their_own_answers() {
    let (addr, _stop) = serve_with(SHORT_IDLE).await;
    let answer = raw_exchange(
        addr,
        b"GET /v1/p/secrets/missing HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    )
    .await;
    let answers: Vec<&str> = answer
        .split("HTTP/1.1 ")
        .filter(|a| !a.is_empty())
        .collect();
    assert_eq!(answers.len(), 2, "{answer}");
    assert!(
        answers[0].starts_with("404") && answers[0].contains("CSMS.0005"),
        "{answer}"
    );
    assert!(
        answers[1].starts_with("400") && answers[1].contains("APIGW.0201"),
        "{answer}"
    );
}

/// Timeouts no test outlasts: only shutdown closes a connection.
const UNTIL_STOPPED: csms_emulator::server::Timeouts = csms_emulator::server::Timeouts {
    header_read: std::time::Duration::from_secs(60),
    idle: std::time::Duration::from_secs(3600),
};

/// [`spawn_server`] with [`UNTIL_STOPPED`].
async fn serve_until_stopped() -> Served {
    spawn_server(UNTIL_STOPPED).await
}

/// Serves plain HTTP with [`UNTIL_STOPPED`]; returns the server and one connection to it.
async fn served_and_connected() -> (Served, TcpStream) {
    let served = serve_until_stopped().await;
    let stream = TcpStream::connect(served.0).await.unwrap();
    (served, stream)
}

/// A server configuration with a certificate made for `localhost`, and a client that
/// trusts it and nothing else.
fn self_signed_tls() -> (Arc<rustls::ServerConfig>, tokio_rustls::TlsConnector) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let server = csms_emulator::tls::server_config(
        made.cert.pem().as_bytes(),
        made.signing_key.serialize_pem().as_bytes(),
    )
    .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(made.cert.der().clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    (server, tokio_rustls::TlsConnector::from(Arc::new(client)))
}

/// Serves over TLS with [`UNTIL_STOPPED`]; returns the server and one connection to it,
/// its handshake done.
async fn tls_served_and_connected() -> (Served, impl AsyncRead + AsyncWrite + Unpin) {
    let (config, connector) = self_signed_tls();
    let served = spawn_server_over(UNTIL_STOPPED, Some(config)).await;
    let tcp = TcpStream::connect(served.0).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let stream = connector.connect(name, tcp).await.unwrap();
    (served, stream)
}

/// Reads from `stream` until what arrived contains `marker`.
async fn read_until(stream: &mut (impl AsyncRead + Unpin), marker: &str) -> String {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    while !String::from_utf8_lossy(&received).contains(marker) {
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(20), stream.read(&mut chunk))
                .await
                .expect("the server answered")
                .unwrap();
        assert!(
            read > 0,
            "closed before {marker:?}: {}",
            String::from_utf8_lossy(&received)
        );
        received.extend_from_slice(&chunk[..read]);
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// Waits (with a bound far above any shutdown) for the server's task to end well.
async fn assert_server_stops(server: tokio::task::JoinHandle<std::io::Result<()>>) {
    let finished = tokio::time::timeout(std::time::Duration::from_secs(20), server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "{finished:?}");
}

/// Shutdown closes `stream`'s connection, idle after one answer, at once.
async fn shutdown_closes_the_idle_connection(
    (_, stop, server): Served,
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
) {
    stream
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answered = read_until(&mut stream, "}").await;
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");

    // The idle timeout is an hour: only shutdown can close the connection in time.
    stop.send(()).unwrap();
    assert_eq!(until_closed(&mut stream).await, "");
    assert_server_stops(server).await;
}

#[tokio::test]
async fn shutdown_closes_an_idle_kept_alive_connection_at_once() {
    let (served, stream) = served_and_connected().await;
    shutdown_closes_the_idle_connection(served, stream).await;
}

#[tokio::test]
async fn shutdown_closes_an_idle_kept_alive_tls_connection_at_once() {
    let (served, stream) = tls_served_and_connected().await;
    shutdown_closes_the_idle_connection(served, stream).await;
}

/// A request on `stream` that is under way when shutdown begins is answered, then the
/// connection closes and the server stops.
async fn the_request_under_way_is_answered(
    (_, stop, server): Served,
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
) {
    let body = r#"{"name":"late","secret_string":"v"}"#;
    stream
        .write_all(
            format!(
                "POST /v1/p/secrets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    // hyper sends `100 Continue` once the handler reads the body: the request is under way.
    read_until(&mut stream, "100 Continue\r\n\r\n").await;
    stop.send(()).unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();

    let answered = until_closed(&mut stream).await;
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert!(answered.contains(r#""name":"late""#), "{answered}");
    assert_server_stops(server).await;
}

#[tokio::test]
async fn a_request_under_way_when_shutdown_begins_is_still_answered() {
    let (served, stream) = served_and_connected().await;
    the_request_under_way_is_answered(served, stream).await;
}

#[tokio::test]
async fn a_tls_request_under_way_when_shutdown_begins_is_still_answered() {
    let (served, stream) = tls_served_and_connected().await;
    the_request_under_way_is_answered(served, stream).await;
}

#[tokio::test]
async fn shutdown_closes_a_connection_whose_tls_handshake_is_under_way_at_once() {
    let (config, connector) = self_signed_tls();
    let (addr, stop, server) = spawn_server_over(UNTIL_STOPPED, Some(config)).await;
    // Connected first and silent: its handshake waits for a ClientHello that never comes.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    // The server accepts in the order clients connected, so once this second connection
    // is served, the silent one was accepted before it and its handshake is under way.
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let handshaken = connector.connect(name, tcp).await.unwrap();

    // The header-read timeout, which bounds a handshake, is a minute: only shutdown can
    // close the silent connection within `until_closed`'s bound.
    stop.send(()).unwrap();
    assert_eq!(until_closed(&mut silent).await, "");
    drop(handshaken);
    assert_server_stops(server).await;
}

#[tokio::test]
async fn a_get_whose_body_follows_its_head_gets_its_whole_answer_and_keeps_its_connection() {
    let ((_, _stop, _server), mut stream) = served_and_connected().await;
    stream
        .write_all(b"GET /_emulator/openapi.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n")
        .await
        .unwrap();
    // The body follows in a write of its own, as clients that send the head first do.
    // Unread, it would arrive after the answer and reset the connection, cutting the
    // answer short; read, the pause changes nothing.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    stream.write_all(b"{}").await.unwrap();

    // Raw bytes: a read may end inside a character of the body.
    let mut received = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut read_more = async |received: &mut Vec<u8>| {
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(20), stream.read(&mut chunk))
                .await
                .expect("the answer kept coming")
                .expect("the connection was not reset");
        assert!(read > 0, "closed after {} bytes", received.len());
        received.extend_from_slice(&chunk[..read]);
    };
    let head_end = loop {
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        read_more(&mut received).await;
    };
    let head = String::from_utf8(received[..head_end].to_vec()).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|n| n.trim().parse().ok())
        .expect("a content-length");
    while received.len() < head_end + length {
        read_more(&mut received).await;
    }
    let body = &received[head_end..];
    assert!(length > 10_000, "a long answer: {length} bytes");
    assert_eq!(body.len(), length);
    let document: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert!(document["paths"].is_object());

    stream
        .write_all(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let next = read_until(&mut stream, "\"ok\"").await;
    assert!(next.starts_with("HTTP/1.1 200"), "{next}");
}
