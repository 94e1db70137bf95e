# Two images from one build (house-style §3.14):
#   docker build --target mock_truevault -t mock_truevault .
#   docker build --target mock_twilio    -t mock_twilio .
# docker-compose.yml builds both. The servers bind 0.0.0.0 inside the container (a server on
# the container's own loopback is unreachable through a published port); publish the ports on
# the host's 127.0.0.1 only: the control plane (/_mock/*) is unauthenticated.

# --- builder: Debian 12 with the -dev packages ------------------------------------------------
FROM debian:bookworm AS builder
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config \
      libcpp-httplib-dev nlohmann-json3-dev libsqlitecpp-dev libspdlog-dev libssl-dev \
      libre2-dev libexpected-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The release preset: RelWithDebInfo, no tests (Catch2 is not needed here).
RUN cmake --preset release \
 && cmake --build --preset release -j"$(nproc)" --target mock_truevault mock_twilio \
 && strip build-release/bin/mock_truevault build-release/bin/mock_twilio

# --- runtime: only the shared libraries the binaries load (SQLiteCpp links statically) --------
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libsqlite3-0 libspdlog1.10 libfmt9 libssl3 libre2-9 zlib1g libbrotli1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /srv/mock --create-home mock
# The default fixture sits in the working directory (fixtures/default.json is the binaries'
# default); docker-compose.yml mounts ./fixtures over /fixtures instead.
WORKDIR /srv/mock
COPY --chown=mock:mock fixtures/ /srv/mock/fixtures/
USER mock

FROM runtime AS mock_truevault
COPY --from=builder /src/build-release/bin/mock_truevault /usr/local/bin/mock_truevault
ENV MOCK_TRUEVAULT_HOST=0.0.0.0 \
    MOCK_TRUEVAULT_PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=5s --timeout=3s --retries=5 CMD ["mock_truevault", "--healthcheck"]
ENTRYPOINT ["mock_truevault"]

FROM runtime AS mock_twilio
COPY --from=builder /src/build-release/bin/mock_twilio /usr/local/bin/mock_twilio
ENV MOCK_TWILIO_HOST=0.0.0.0 \
    MOCK_TWILIO_PORT=8082
EXPOSE 8082
HEALTHCHECK --interval=5s --timeout=3s --retries=5 CMD ["mock_twilio", "--healthcheck"]
ENTRYPOINT ["mock_twilio"]
