/*
 * console_lines.c — what the console does with a line: run a command as the current member, or one
 * of its own directives (:as, :dm, :room, :advance, :quit), and print what the bot said.
 *
 * Lines the console itself prints start with "[console]" so a transcript always shows who spoke.
 */
#include "adapters/console/console_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "bot/limits.h"
#include "bot/parse.h"

#define LINE_MAX_BYTES (1024 * 1024) /* far above any title or note; keeps memory bounded */

static void print_text(FILE *out, const char *head, const char *text)
{
    const char *p = text;
    fputs(head, out);
    for (;;) {
        size_t n = strcspn(p, "\n");
        fwrite(p, 1, n, out);
        fputc('\n', out);
        if (!p[n])
            break;
        p += n + 1;
        fputs("  ", out); /* a continuation line belongs to the message above it */
    }
}

void tend_console_print(FILE *out, const tend_message *msg)
{
    char head[CONSOLE_KEY_MAX + 32];
    const char *who = msg->member_name ? msg->member_name : msg->member_key ? msg->member_key : "?";
    if (msg->audience == TEND_TO_PUBLIC)
        snprintf(head, sizeof head, "[public] ");
    else
        snprintf(head, sizeof head, "[%s %s] ", msg->audience == TEND_TO_PRIVATE ? "private" : "dm", who);
    char *text = tend_message_render(msg, "/", NULL, NULL);
    print_text(out, head, text ? text : "(out of memory)");
    free(text);
    if (msg->n_buttons == 0)
        return;
    fputs("  \u2192 ", out);
    for (size_t i = 0; i < msg->n_buttons; i++)
        fprintf(out, "%s%s: /%s", i ? " \u00b7 " : "", msg->buttons[i].label, msg->buttons[i].command);
    fputc('\n', out);
}

/* The answers come back through the outbox to console_send, which prints them. */
static void run_command(console *c, const char *text)
{
    tend_request req = {
        .group_key = c->group_key,
        .channel_key = c->group_key,
        .member_key = c->member,
        .member_name = c->member,
        .is_coordinator = true, /* whoever sits at the console runs the group */
        .own_keyboard = true,   /* ...and types every line: no per-minute budget (request.h) */
        .place = c->in_room ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE,
        .text = text,
    };
    tend_host_handle(c->adapter.host, &req);
}

/* ":as NAME": the first use creates the member, so others can name them at once. */
static void speak_as(console *c, const char *name)
{
    size_t chars = tend_utf8_length(name);
    if (!*name || chars > TEND_LIMIT_NAME_CHARS) {
        fprintf(c->out, "[console] :as needs a name of 1 to %d characters, like :as sam\n", TEND_LIMIT_NAME_CHARS);
        return;
    }
    char key[CONSOLE_KEY_MAX] = "";
    int rc = tend_host_introduce(c->adapter.host, c->group_key, name, key, sizeof key);
    if (rc == TEND_HOST_NAME_UNREADABLE) {
        fprintf(c->out, "[console] :as needs a plain name, like :as sam\n");
        return;
    }
    if (rc == TEND_HOST_NAME_TAKEN) {
        fprintf(c->out, "[console] someone here already goes by a name that looks like %s; pick another\n",
                key);
        return;
    }
    if (rc != 0) {
        fprintf(c->out, "[console] I couldn't switch to %s; see the log line above\n", key);
    } else {
        snprintf(c->member, sizeof c->member, "%s", key);
        fprintf(c->out, "[console] now speaking as %s\n", c->member);
    }
}

/* ":advance 1w": the host stops the clock at every moment something falls due on the way. */
static void advance(console *c, const char *arg)
{
    int64_t seconds = 0;
    if (tend_parse_duration(arg, &seconds) != 0) {
        fprintf(c->out, "[console] :advance needs a duration like 30m, 1h, 3d or 1w (at most a year)\n");
        return;
    }
    tend_host_advance(c->adapter.host, seconds);
    time_t t = (time_t)tend_host_now(c->adapter.host);
    struct tm tm;
    char when[64];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%a %Y-%m-%d %H:%M UTC", &tm);
    fprintf(c->out, "[console] the clock is now %s\n", when);
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* ":room" / ":dm": where the member types next, in the group's room or their private chat. */
static void move_to(console *c, bool room)
{
    c->in_room = room;
    if (strcmp(c->member, "you") == 0) /* the default person: "you is typing" reads as a mistake */
        fputs(room ? "[console] you are typing in the group room now, where everyone reads along\n"
                   : "[console] you are typing in your private chat with tend now\n",
              c->out);
    else
        fprintf(c->out, room ? "[console] %s is typing in the group room now, where everyone reads along\n"
                             : "[console] %s is typing in their private chat with tend now\n",
                c->member);
}

static int directive(console *c, const char *line)
{
    const char *word = line + 1;
    size_t len = strcspn(word, " \t");
    const char *arg = skip_space(word + len);
    if (len == 4 && strncmp(word, "quit", 4) == 0)
        return 1;
    if (len == 2 && strncmp(word, "as", 2) == 0)
        speak_as(c, arg);
    else if (len == 7 && strncmp(word, "advance", 7) == 0)
        advance(c, arg);
    else if ((len == 2 && strncmp(word, "dm", 2) == 0) || (len == 4 && strncmp(word, "room", 4) == 0))
        move_to(c, len == 4);
    else
        fprintf(c->out, "[console] I know :as NAME, :dm, :room, :advance DURATION and :quit\n");
    return 0;
}

static void refuse_unreadable(console *c)
{
    fprintf(c->out, "[console] that line has a byte that isn't text (a NUL or broken UTF-8), so I skipped it\n");
    fflush(c->out);
}

int tend_console_handle_line(tend_adapter *adapter, const char *raw)
{
    console *c = adapter->impl;
    if (!tend_utf8_valid(raw, strlen(raw))) {
        refuse_unreadable(c);
        return 0;
    }
    char *line = strdup(skip_space(raw));
    if (!line)
        return 0;
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        line[--len] = '\0';
    int quit = 0;
    if (line[0] == ':')
        quit = directive(c, line);
    else if (line[0] && line[0] != '#') /* "#" lines are comments, for scripted demos */
        run_command(c, line[0] == '/' ? line + 1 : line);
    free(line);
    fflush(c->out);
    return quit;
}

void console_prompt(console *c)
{
    if (c->interactive && !c->quit) {
        fprintf(c->out, "%s> ", c->member);
        fflush(c->out);
    }
}

static int end_line(console *c)
{
    if (c->line_too_long) {
        fprintf(c->out, "[console] that line was longer than 1 MB, so I skipped it\n");
        c->line_too_long = false;
        c->line_len = 0;
        return 0;
    }
    size_t len = c->line_len;
    c->line[len] = '\0';
    c->line_len = 0;
    /* a NUL would cut the line short and a broken byte would be stored as it came: neither is a
     * command anyone meant, so the line is refused whole */
    if (!tend_utf8_valid(c->line, len)) {
        refuse_unreadable(c);
        return 0;
    }
    return tend_console_handle_line(&c->adapter, c->line);
}

static bool line_append(console *c, const char *bytes, size_t n)
{
    if (c->line_too_long)
        return true;
    if (c->line_len + n + 1 > LINE_MAX_BYTES) {
        c->line_too_long = true;
        return true;
    }
    if (c->line_len + n + 1 > c->line_cap) {
        size_t cap = c->line_cap ? c->line_cap : 256;
        while (cap < c->line_len + n + 1)
            cap *= 2;
        char *grown = realloc(c->line, cap);
        if (!grown)
            return false;
        c->line = grown;
        c->line_cap = cap;
    }
    memcpy(c->line + c->line_len, bytes, n);
    c->line_len += n;
    return true;
}

int console_feed(console *c, const char *bytes, size_t len)
{
    while (len > 0 && !c->quit) {
        const char *nl = memchr(bytes, '\n', len);
        size_t n = nl ? (size_t)(nl - bytes) : len;
        if (!line_append(c, bytes, n)) {
            tend_log(TEND_LOG_ERROR, "console", "out of memory reading a line");
            c->quit = true;
            break;
        }
        if (!nl)
            break;
        if (end_line(c))
            c->quit = true;
        bytes += n + 1;
        len -= n + 1;
    }
    return c->quit;
}

void console_feed_end(console *c)
{
    if (!c->quit && (c->line_len > 0 || c->line_too_long) && line_append(c, "", 0))
        end_line(c);
    c->quit = true;
}
