/*
 * console.h — stdin/stdout: the embedded default and the demo. Each input line is a message from
 * the current member; ":as NAME" switches member, ":advance 3d" moves the clock (and runs what
 * falls due), ":quit" or end of input exits. Output lines start with [public], [private NAME] or
 * [dm NAME].
 */
#ifndef TEND_CONSOLE_H
#define TEND_CONSOLE_H

#include "adapters/adapter.h"
#include "config/config.h"

tend_adapter *tend_console_adapter_create(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg);

#endif
