/*
 * sd.h — systemd's sd_notify and sd_watchdog_enabled, with libsystemd opened only when systemd
 * is listening.
 *
 * libsystemd and what it brings (libgcrypt, libgpg-error, liblzma, liblz4) are about 0.9 MB of
 * resident memory once mapped, and both calls do nothing unless systemd put $NOTIFY_SOCKET in the
 * environment (a Type=notify unit, config/tend.service). So the library is opened with dlopen the
 * first time one of them is called with $NOTIFY_SOCKET set, and never in a container, a terminal
 * or a test. The calls are libsystemd's own.
 */
#ifndef TEND_APP_SD_H
#define TEND_APP_SD_H

#include <stdint.h>

/* sd_notify(0, state) when systemd listens; 0 when it does not (like sd_notify itself). */
int tend_sd_notify(const char *state);

/* sd_watchdog_enabled(0, usec) when systemd listens; 0 when it does not. */
int tend_sd_watchdog_enabled(uint64_t *usec);

/* Whether libsystemd is loaded in this process (tests). */
int tend_sd_loaded(void);

#endif
