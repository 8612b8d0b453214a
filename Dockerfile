# tend in a container: build on Debian bookworm, run on bookworm-slim as a non-root user.
#   docker build -t tend .
#   docker run -d --name tend -v tend-data:/data -e DISCORD_TOKEN=... -e TEND_DISCORD_APPLICATION_ID=... tend
# The database lives on the /data volume; tokens come from the environment, never the image.
# `docker ps` shows healthy/unhealthy: the HEALTHCHECK asks tend's own /healthz (tend --health),
# which says 200 only while every configured platform is connected and the database answers.
# On a Raspberry Pi or another arm64 machine the same file builds natively (docker build on the
# Pi); from an amd64 machine: docker buildx build --platform linux/arm64 -t tend . (needs QEMU's
# binfmt handlers, e.g. docker run --privileged --rm tonistiigi/binfmt --install arm64).

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates gettext \
      libuv1-dev libwebsockets-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev libinih-dev libicu-dev \
      libsystemd-dev libpq-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DTEND_TESTS=OFF -DTEND_WERROR=ON -DTEND_POSTGRES=ON \
 && cmake --build /build -j "$(nproc)" --target tend \
 && strip /build/tend

FROM debian:bookworm-slim
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="tend" \
      org.opencontainers.image.description="A chat bot for mutual aid groups: share the work, rest, celebrate" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"
# libwebsockets-evlib-uv: lws loads its libuv glue as a plugin at run time; without it the
# Discord gateway cannot start ("unable to load evlib plugin").
# libicu72 and libsystemd0 are opened with dlopen when first needed (lib/icu.c, app/sd.c), so
# `ldd tend` does not list them: they stay in this list.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates tzdata libuv1 libwebsockets17 libwebsockets-evlib-uv libcurl4 libcjson1 \
      libsqlite3-0 libinih1 libicu72 libsystemd0 sqlite3 libpq5 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tend \
 && mkdir -p /data && chown tend:tend /data
COPY --from=build /build/tend /usr/local/bin/tend
# the translations, where tend looks for installed ones (glibc's built-in C.UTF-8 needs no locales)
COPY --from=build /build/locale /usr/local/share/locale
COPY config/tend.conf /usr/share/doc/tend/tend.conf.example

ENV TEND_STORE_DATABASE=/data/tend.db
# GnuTLS comes in only through Debian's libcurl (for ldap:// and rtmp://, which tend never asks for)
# and would initialise itself when loaded: 0.8 MB of memory for nothing (bench/profiles/rss-round3.txt)
ENV GNUTLS_NO_IMPLICIT_INIT=1
# The health and metrics endpoint, inside the container only unless you publish it
# (-p 127.0.0.1:9464:9464 with TEND_OPS_LISTEN=0.0.0.0:9464, to let a Prometheus on the host scrape).
ENV TEND_OPS_LISTEN=127.0.0.1:9464
VOLUME /data
WORKDIR /data
USER tend
# start-period: the first connection to Discord or Matrix can take a while
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["/usr/local/bin/tend", "--health"]
ENTRYPOINT ["/usr/local/bin/tend"]
