# Multi-stage build: a release binary on a small non-root runtime image.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml clippy.toml ./
COPY src ./src
COPY bench ./bench
RUN cargo build --release --locked --bin csms-emulator

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --no-create-home csms
COPY --from=build /src/target/release/csms-emulator /usr/local/bin/csms-emulator
USER csms
ENV CSMS_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/csms-emulator"]
