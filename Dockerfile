# syntax=docker/dockerfile:1
#
# The MLOpsKit image: `autoserve-agent` (the entry point) and `mlops`, built with the Swift stdlib linked
# statically, on a slim Debian that adds only libcurl, libxml2 and the CA certificates.
#
#   docker build -t mlopskit:local .
#   docker run --rm -p 9101:9101 -e MLFLOW_TRACKING_URI=http://mlflow:5000 \
#     -v /var/run/docker.sock:/var/run/docker.sock mlopskit:local
#   docker run --rm --entrypoint mlops mlopskit:local bootstrap
#
# See docs/DEPLOYMENT.md (compose override, Prometheus configuration, what was checked and how).

# The builder and the runtime are the same Debian release (12, bookworm), so the libcurl and libxml2
# the binaries were built against are the ones the runtime installs. MLOpsKit loads each of them on
# first use (dlopen) rather than linking it: an agent that only speaks plain HTTP never maps them.
# Hashing (swift-crypto) is compiled in.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build -------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

# Package versions are not pinned (hadolint DL3008): Debian replaces them on its mirrors with every
# security update, so a pin breaks the build; the release is pinned by the image tag instead.
# hadolint ignore=DL3008
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libcurl4-openssl-dev libxml2-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Everything the manifest names (the test and benchmark targets too: SwiftPM checks that every target's
# folder exists); .dockerignore keeps build folders, virtualenvs and service state out of the context.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks

# The SwiftPM cache is a BuildKit cache mount: dependencies are fetched once per builder, not per build.
RUN --mount=type=cache,target=/root/.cache/org.swift.swiftpm \
    swift build -c release --static-swift-stdlib --product autoserve-agent \
 && swift build -c release --static-swift-stdlib --product mlops \
 && bin="$(swift build -c release --show-bin-path)" \
 && install -d /out \
 && install -m 0755 "$bin/autoserve-agent" "$bin/mlops" /out/

# --- runtime -----------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

# libcurl4 is Debian's OpenSSL flavour of libcurl (HTTPS, and every request of `mlops`); libxml2
# parses S3's XML. Nothing else: no curl, no compiler, no
# Swift runtime (linked in).
# hadolint ignore=DL3008
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libcurl4 libxml2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged user. With the Docker runtime the agent needs the Engine's socket: give the
# container the socket's group (compose: group_add) or set DOCKER_HOST, rather than running as root.
RUN groupadd --system --gid 10001 mlopskit \
 && useradd --system --uid 10001 --gid mlopskit --home-dir /var/lib/mlopskit --create-home \
      --shell /usr/sbin/nologin mlopskit

COPY --from=build /out/autoserve-agent /out/mlops /usr/local/bin/

LABEL org.opencontainers.image.title="mlopskit" \
      org.opencontainers.image.description="autoserve-agent and the mlops CLI (MLOpsKit)"

# In a container the agent's HTTP server (/metrics, /sd, /status, /healthz, /readyz, webhooks) and its
# serving gateway must listen on every interface; the process runtime keeps its state in the user's home.
ENV MLFLOW_SERVE_LISTEN=0.0.0.0:9101 \
    MLFLOW_SERVE_GATEWAY_LISTEN=0.0.0.0:9102 \
    MLFLOW_SERVE_STATE_DIR=/var/lib/mlopskit/serving

USER 10001:10001
WORKDIR /var/lib/mlopskit
EXPOSE 9101 9102

# No HEALTHCHECK here: the same image runs one-shot `mlops` commands, and the agent's address is
# configurable. The compose override declares the agent's health check (GET /healthz).
ENTRYPOINT ["autoserve-agent"]
