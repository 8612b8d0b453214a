/*
 * console.c — the console adapter's life: reading stdin on the loop and printing what the bot says.
 *
 * stdin may be a terminal (uv_tty, with a prompt), a pipe or socket (uv_pipe), or a regular file or
 * /dev/null (uv_fs_read, which runs in libuv's thread pool): in every case the loop never waits on it.
 */
#include "adapters/console/console_impl.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

static const char greeting[] =
    "[console] tend " TEND_VERSION ": you are %s in the group \"%s\". Type /help to begin;\n"
    "[console] You're in your private chat with tend; :room types in the group room, :dm comes back.\n"
    "[console] :as NAME switches member, :advance 1d moves the clock, :quit ends.\n";

/* Input is over (":quit", end of input, a read error): tend stops. */
static void finish(console *c)
{
    c->quit = true;
    tend_host_stop(c->adapter.host, 0);
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    console *c = handle->data;
    (void)suggested;
    *buf = uv_buf_init(c->chunk, sizeof c->chunk);
}

static void on_stream_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    console *c = stream->data;
    if (c->stopping)
        return;
    if (nread > 0) {
        if (console_feed(c, buf->base, (size_t)nread))
            finish(c);
        else
            console_prompt(c);
    } else if (nread < 0) {
        if (nread != UV_EOF)
            tend_log(TEND_LOG_ERROR, "console", "cannot read input: %s", uv_strerror((int)nread));
        console_feed_end(c);
        if (c->interactive)
            fputc('\n', c->out);
        fflush(c->out);
        finish(c);
    }
}

static void read_file_chunk(console *c);

static void on_file_read(uv_fs_t *req)
{
    console *c = req->data;
    ssize_t n = req->result;
    uv_fs_req_cleanup(req);
    c->fs_busy = false;
    if (c->stopping)
        return;
    if (n > 0 && !console_feed(c, c->chunk, (size_t)n)) {
        read_file_chunk(c);
        return;
    }
    if (n < 0)
        tend_log(TEND_LOG_ERROR, "console", "cannot read input: %s", uv_strerror((int)n));
    console_feed_end(c);
    fflush(c->out);
    finish(c);
}

static void read_file_chunk(console *c)
{
    uv_buf_t buf = uv_buf_init(c->chunk, sizeof c->chunk);
    c->fs_req.data = c;
    int rc = uv_fs_read(c->adapter.loop, &c->fs_req, STDIN_FILENO, &buf, 1, -1, on_file_read);
    if (rc != 0) {
        tend_log(TEND_LOG_ERROR, "console", "cannot read input: %s", uv_strerror(rc));
        finish(c);
        return;
    }
    c->fs_busy = true;
}

static int open_stream(console *c)
{
    uv_handle_type type = uv_guess_handle(STDIN_FILENO);
    int rc;
    if (type == UV_TTY) {
        rc = uv_tty_init(c->adapter.loop, &c->stream.tty, STDIN_FILENO, 1);
        c->input = CONSOLE_IN_TTY;
        c->interactive = true;
    } else {
        rc = uv_pipe_init(c->adapter.loop, &c->stream.pipe, 0);
        if (rc == 0) {
            c->input = CONSOLE_IN_PIPE;
            rc = uv_pipe_open(&c->stream.pipe, STDIN_FILENO);
        }
    }
    if (rc != 0)
        return rc;
    c->stream.pipe.data = c; /* both members start with the same uv_handle_t fields */
    return uv_read_start((uv_stream_t *)&c->stream.pipe, on_alloc, on_stream_read);
}

static int console_start(tend_adapter *self)
{
    console *c = self->impl;
    if (uv_guess_handle(STDIN_FILENO) == UV_FILE) {
        c->input = CONSOLE_IN_FILE;
        read_file_chunk(c);
        return c->quit ? -1 : 0;
    }
    int rc = open_stream(c);
    if (rc != 0) {
        tend_log(TEND_LOG_ERROR, "console", "cannot read standard input: %s", uv_strerror(rc));
        return -1;
    }
    if (c->interactive) {
        fprintf(c->out, greeting, c->member, c->group_key + strlen("console:"));
        console_prompt(c);
    }
    return 0;
}

/* Printed is delivered: the terminal cannot refuse a line. */
static int console_send(tend_adapter *self, const tend_outgoing *o)
{
    console *c = self->impl;
    tend_console_print(c->out, o->msg);
    if (o->msg->file) {
        char path[PATH_MAX + 64], err[PATH_MAX + 128];
        if (console_write_file(c, o->msg->file, path, sizeof path, err, sizeof err) == 0)
            fprintf(c->out, "  \U0001F4CE file: %s\n", path);
        else
            fprintf(c->out, "  (the file could not be written: %s)\n", err);
    }
    fflush(c->out);
    tend_host_sent(self->host, o->id, TEND_SENT_OK);
    return 0;
}

static void console_stop(tend_adapter *self)
{
    console *c = self->impl;
    if (c->stopping)
        return;
    c->stopping = true;
    if (c->input == CONSOLE_IN_TTY || c->input == CONSOLE_IN_PIPE) {
        uv_handle_t *h = (uv_handle_t *)&c->stream.pipe;
        uv_read_stop((uv_stream_t *)h);
        if (c->input == CONSOLE_IN_TTY)
            uv_tty_reset_mode();
        if (!uv_is_closing(h))
            uv_close(h, NULL);
    } else if (c->input == CONSOLE_IN_FILE && c->fs_busy) {
        uv_cancel((uv_req_t *)&c->fs_req); /* a queued read ends at once; a running one soon */
    }
    fflush(c->out);
}

static void console_destroy(tend_adapter *self)
{
    if (!self)
        return;
    console *c = self->impl;
    if (c)
        free(c->line);
    free(c);
}

static const tend_adapter_ops console_ops = {
    .platform = "console",
    .resend_shows_twice = true,
    .start = console_start,
    .send = console_send,
    .stop = console_stop,
    .destroy = console_destroy,
};

tend_adapter *tend_console_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg)
{
    console *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->adapter.ops = &console_ops;
    c->adapter.impl = c;
    c->adapter.loop = loop;
    c->adapter.host = host;
    c->out = stdout;
    const char *group = cfg && cfg->console_group ? cfg->console_group : "demo";
    const char *member = cfg && cfg->console_member ? cfg->console_member : "you";
    snprintf(c->group_key, sizeof c->group_key, "console:%.100s", group);
    snprintf(c->member, sizeof c->member, "%s", member);
    console_files_init(c, cfg ? cfg->database : NULL);
    return &c->adapter;
}

const char *tend_console_group_key(const tend_adapter *adapter)
{
    const console *c = adapter->impl;
    return c->group_key;
}

void tend_console_set_output(tend_adapter *adapter, FILE *out)
{
    console *c = adapter->impl;
    c->out = out;
}
