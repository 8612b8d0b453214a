/*
 * discord.h — Discord over its gateway websocket (libwebsockets) and REST API (libcurl multi), on
 * the app's libuv loop.
 */
#ifndef TEND_DISCORD_H
#define TEND_DISCORD_H

#include "adapters/adapter.h"
#include "config/config.h"

/* NULL with a logged one-line reason when the config is unusable. */
tend_adapter *tend_discord_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg);

#endif
