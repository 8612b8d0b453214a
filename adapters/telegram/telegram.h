/*
 * telegram.h — Telegram through the Bot API over HTTPS: getUpdates long-polling and sends through
 * libcurl's multi interface on the app's libuv loop.
 */
#ifndef TEND_TELEGRAM_H
#define TEND_TELEGRAM_H

#include "adapters/adapter.h"
#include "config/config.h"

/* NULL with a logged one-line reason when the config is unusable. */
tend_adapter *tend_telegram_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg);

#endif
