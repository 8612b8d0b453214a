# tend in a container: build on Debian bookworm, run on bookworm-slim as a non-root user.
#   docker build -t tend .
#   docker run -d --name tend -v tend-data:/data -e DISCORD_TOKEN=... -e TEND_DISCORD_APPLICATION_ID=... tend
# The database lives on the /data volume; tokens come from the environment, never the image.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config ca-certificates \
      libuv1-dev libwebsockets-dev libcurl4-openssl-dev libcjson-dev libsqlite3-dev libinih-dev libicu-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DTEND_TESTS=OFF -DTEND_WERROR=ON \
 && cmake --build /build -j "$(nproc)" --target tend \
 && strip /build/tend

FROM debian:bookworm-slim
# libwebsockets-evlib-uv: lws loads its libuv glue as a plugin at run time; without it the
# Discord gateway cannot start ("unable to load evlib plugin").
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates tzdata libuv1 libwebsockets17 libwebsockets-evlib-uv libcurl4 libcjson1 \
      libsqlite3-0 libinih1 libicu72 sqlite3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tend \
 && mkdir -p /data && chown tend:tend /data
COPY --from=build /build/tend /usr/local/bin/tend
COPY config/tend.conf /usr/share/doc/tend/tend.conf.example

ENV TEND_STORE_DATABASE=/data/tend.db
VOLUME /data
WORKDIR /data
USER tend
ENTRYPOINT ["/usr/local/bin/tend"]
