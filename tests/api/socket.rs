//! One real-socket smoke test: serve on 127.0.0.1:0, speak HTTP/1.1, shut down gracefully.

use clap::Parser;
use csms_emulator::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config::try_parse_from(["csms-emulator"]).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(csms_emulator::app::serve(
        listener,
        csms_emulator::app::build(&config),
        async {
            let _ = stopped.await;
        },
    ));

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
