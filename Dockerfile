# csms-emulator container: one static (musl) binary on an empty base, run as uid 10001.
#   docker build -t csms-emulator .
#   docker run --rm -p 8080:8080 csms-emulator
#
# The final stage takes the binary from the stage BINARY names:
#   build (default)  compiles it here, for the platform being built (buildx: amd64, arm64);
#   host             takes target/container/<arch>/ as scripts/container.sh prepares it from
#                    the release tarballs (the binaries scripts/release.sh built and tested),
#                    so the image needs no second compile and no base image to pull.
ARG BINARY=build

FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev
# The commit `--version` reports (.git does not reach the build); the release passes it.
ARG CSMS_GIT_COMMIT=""
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs rustfmt.toml clippy.toml ./
COPY src ./src
COPY bench ./bench
RUN cargo build --profile dist --locked --bin csms-emulator \
    && mkdir -p /out/data \
    && cp target/dist/csms-emulator /out/csms-emulator

FROM scratch AS host
# Set by the builder for each platform of `--platform linux/amd64,linux/arm64`.
ARG TARGETARCH
COPY target/container/${TARGETARCH}/ /out/

FROM ${BINARY} AS binary

FROM scratch
ARG VERSION=dev
ARG SOURCE=https://github.com/csms-emulator/csms-emulator
LABEL org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.description="Local emulator of Huawei Cloud Cloud Secret Management Service (CSMS)" \
      org.opencontainers.image.licenses="MIT"
COPY --from=binary /out/csms-emulator /csms-emulator
# /data: state with CSMS_DATA_DIR=/data, and the self-signed certificate when HTTPS is on.
COPY --from=binary --chown=10001:10001 /out/data /data
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
ENV CSMS_LISTEN=0.0.0.0:8080 \
    CSMS_TLS_LISTEN=0.0.0.0:8443 \
    CSMS_TLS_CERT_OUT=/data/csms-emulator-cert.pem
EXPOSE 8080 8443
HEALTHCHECK --interval=2s --timeout=3s --start-period=1s --retries=3 \
    CMD ["/csms-emulator", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/csms-emulator"]
