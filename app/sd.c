/* sd.c — see sd.h. */
#include "app/sd.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "lib/log.h"

#define LIBSYSTEMD "libsystemd.so.0"

static void *handle;
static bool failed; /* said once; not tried again */
static __typeof__(sd_notify) *notify_fn;
static __typeof__(sd_watchdog_enabled) *watchdog_fn;

/* libsystemd, when systemd listens and it can be opened. */
static bool ready(void)
{
    const char *socket = getenv("NOTIFY_SOCKET");
    if (!socket || !*socket)
        return false;
    if (handle)
        return true;
    if (failed)
        return false;
    void *h = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
    void *n = h ? dlsym(h, "sd_notify") : NULL, *w = h ? dlsym(h, "sd_watchdog_enabled") : NULL;
    if (!n || !w) {
        failed = true;
        /* systemd waits for READY=1 and would stop tend: say why */
        tend_log(TEND_LOG_ERROR, "ops", "systemd is listening but %s cannot be used (%s): it will not hear READY",
                 LIBSYSTEMD, h ? "a function is missing" : dlerror());
        if (h)
            dlclose(h);
        return false;
    }
    /* POSIX guarantees a function pointer survives the round trip through void * */
    memcpy(&notify_fn, &n, sizeof n);
    memcpy(&watchdog_fn, &w, sizeof w);
    handle = h;
    return true;
}

int tend_sd_notify(const char *state)
{
    return ready() ? notify_fn(0, state) : 0;
}

int tend_sd_watchdog_enabled(uint64_t *usec)
{
    return ready() ? watchdog_fn(0, usec) : 0;
}

int tend_sd_loaded(void)
{
    return handle != NULL;
}
