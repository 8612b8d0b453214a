/*
 * signal.h — Signal through signal-cli's JSON-RPC daemon over HTTP (`signal-cli daemon --http`):
 * its event stream and its calls, through libcurl's multi interface on the app's libuv loop.
 */
#ifndef TEND_SIGNAL_H
#define TEND_SIGNAL_H

#include "adapters/adapter.h"
#include "config/config.h"

/* NULL with a logged one-line reason when the config is unusable. */
tend_adapter *tend_signal_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg);

#endif
