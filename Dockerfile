# csms-emulator container: a release binary built in one stage, run as a non-root user in
# a small Debian image (curl only, for the health check).
#   docker build -t csms-emulator .
#   docker run --rm -p 8080:8080 csms-emulator
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml clippy.toml ./
COPY src ./src
COPY bench ./bench
RUN cargo build --release --locked --bin csms-emulator

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --create-home csms
COPY --from=build /src/target/release/csms-emulator /usr/local/bin/csms-emulator
USER csms
WORKDIR /data
# State is in memory unless CSMS_DATA_DIR=/data is set; /data also receives the self-signed
# certificate when HTTPS is on.
VOLUME ["/data"]
ENV CSMS_LISTEN=0.0.0.0:8080 \
    CSMS_TLS_LISTEN=0.0.0.0:8443 \
    CSMS_TLS_CERT_OUT=/data/csms-emulator-cert.pem
EXPOSE 8080 8443
HEALTHCHECK --interval=5s --timeout=2s --start-period=2s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/_emulator/health || exit 1
ENTRYPOINT ["/usr/local/bin/csms-emulator"]
