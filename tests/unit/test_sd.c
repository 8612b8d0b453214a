/*
 * test_sd.c — systemd's notifications go through libsystemd only when systemd listens (app/sd.h):
 * without $NOTIFY_SOCKET the library is never mapped; with it, READY=1 reaches the socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/sd.h"

static int systemd_mapped(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f))
        found |= strstr(line, "libsystemd") != NULL;
    fclose(f);
    return found;
}

static void without_systemd_nothing_is_loaded(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    uint64_t usec = 7;
    assert_int_equal(tend_sd_notify("READY=1"), 0);
    assert_int_equal(tend_sd_watchdog_enabled(&usec), 0);
    assert_false(tend_sd_loaded());
    assert_false(systemd_mapped());
}

static void with_systemd_listening_the_message_arrives(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-test-sd-XXXXXX";
    assert_non_null(mkdtemp(path));
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/notify", path);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    setenv("NOTIFY_SOCKET", addr.sun_path, 1);
    setenv("WATCHDOG_USEC", "400000", 1);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    assert_true(tend_sd_notify("READY=1\nSTATUS=ok") > 0);
    assert_true(tend_sd_loaded());
    assert_true(systemd_mapped());
    char got[128] = {0};
    assert_true(recv(fd, got, sizeof got - 1, 0) > 0);
    assert_string_equal(got, "READY=1\nSTATUS=ok");
    uint64_t usec = 0;
    assert_true(tend_sd_watchdog_enabled(&usec) > 0);
    assert_int_equal(usec, 400000);
    close(fd);
    unlink(addr.sun_path);
    rmdir(path);
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_systemd_nothing_is_loaded),
        cmocka_unit_test(with_systemd_listening_the_message_arrives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
