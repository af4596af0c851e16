# Dockerfile -- the image `make image` builds offline (scripts/image.sh), built here from
# source where a registry is reachable:  docker build -t compose2swarm:0.1.0 .
# The final stage is the filesystem scripts/image.sh makes (the binary, exactly the shared
# libraries ldd lists, CA certificates, a non-root user) and the same configuration;
# tests/swarm/tier-image.sh checks that this stage declares what the imported image has.
FROM debian:bookworm-slim AS build
# the build packages of scripts/install-deps.sh (tests/packaging/ci-docs.sh checks every -dev one is here)
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential autoconf automake libtool pkg-config ca-certificates \
      libyaml-dev libcjson-dev libcmocka-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN autoreconf -fi && ./configure -q && make -j"$(nproc)" \
 && ./compose2swarm lint fixtures/ok/clean-stack.yml \
 && sh scripts/image.sh rootfs ./compose2swarm /rootfs

FROM scratch
ARG VERSION=0.1.0
COPY --from=build /rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title=compose2swarm org.opencontainers.image.licenses=MIT \
      org.opencontainers.image.version=$VERSION
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["compose2swarm"]
