/*
 * dialect.c — the shared queries are written once, in SQLite's dialect (the files of store/sqlite/); this
 * turns each into PostgreSQL's when it is first prepared. The rules are few and mechanical, so a
 * query added later needs no second copy unless it uses something listed here as unsupported:
 *
 *   ?N                         → $N (outside quoted text)
 *   a = b COLLATE NOCASE       → lower(a) = lower(b)
 *   INSERT OR IGNORE           → INSERT ... ON CONFLICT DO NOTHING
 *   INSERT OR REPLACE INTO t   → INSERT ... ON CONFLICT (t's key) DO UPDATE SET every other column
 *   INSERT ... VALUES          → ... ON CONFLICT DO NOTHING, a conflict reported as SQLite's
 *                                constraint error (a failed statement would abort PostgreSQL's
 *                                whole transaction; SQLite's goes on, and the callers rely on it);
 *                                into a table with an id column also RETURNING id, which the shim
 *                                keeps as SQLite's last_insert_rowid (no second round trip)
 *   max(a, b) / min(a, b)      → greatest / least (the one-argument aggregates stay)
 *   LIMIT ?N                   → a negative limit is no limit, as in SQLite
 *   CAST(x AS INTEGER)         → BIGINT
 *   random() & 9223372036854775807 → 63 random bits
 *   HAVING alias               → HAVING the aliased expression (PostgreSQL knows output names
 *                                only in ORDER BY)
 *   BEGIN IMMEDIATE            → BEGIN
 *   CROSS JOIN ... ON          → JOIN (SQLite's way to fix the join order; PostgreSQL plans it)
 *   INDEXED BY name            → dropped (the same: a hint to SQLite's planner)
 *   +column (a unary plus)     → column (SQLite's way to keep a term from choosing the index:
 *                                a short IN list then is compared in place, no temporary table)
 *   sqlite_master, pragma_table_info(), typeof() → information_schema and pg_typeof(), for the
 *                                store's own privacy check (tend_store_debug_find_text)
 * instr() exists as a function in the PostgreSQL schema (store/postgres/schema.c).
 */
#include "store/postgres/pg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"

/* The primary key of each table an INSERT OR REPLACE writes (SQLite finds it from the schema). */
static const struct {
    const char *table;
    const char *key;
} replace_keys[] = {
    {"schedule_due", "group_id"},
    {"nudge_checks", "member_id"},
    {"task_traits", "task_id"},
    {"adapter_state", "platform, key"},
    {"fired", "group_id, kind, slot"},
    {"standing_backups", "member_id, kind"},
};

/* The tables whose id is an identity column (store/postgres/schema.c): an INSERT into one returns
 * the id it drew. */
static const char *const identity_tables[] = {
    "groups", "members", "tasks", "claims", "handoffs", "checkins", "rests", "thanks",
    "agreements", "audit", "nudges", "outbox", "offers", "learners", "backup_calls",
};

static bool has_identity(const char *insert)
{
    const char *table = insert + strlen("INSERT INTO ");
    size_t n = strcspn(table, " (");
    for (size_t i = 0; i < sizeof identity_tables / sizeof identity_tables[0]; i++)
        if (strlen(identity_tables[i]) == n && strncmp(table, identity_tables[i], n) == 0)
            return true;
    return false;
}

/* Statements that are SQLite housekeeping with no PostgreSQL meaning: run as nothing. */
static const char *const no_ops[] = {
    /* the forget path rebuilds two indexes so SQLite zeroes the freed pages (secure_delete);
     * PostgreSQL keeps dead rows until VACUUM whatever an index does (see README) */
    "REINDEX members_name; REINDEX members_key;",
};

static bool word_at(const char *p, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(p, word, n) == 0 && !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$' || c == '"';
}

static char *splice(char *s, size_t from, size_t len, const char *rep);

/* Drops every "INDEXED BY name". */
static char *no_index_hints(char *s)
{
    char *hit;
    while (s && (hit = strstr(s, " INDEXED BY "))) {
        size_t pos = (size_t)(hit - s);
        size_t end = pos + strlen(" INDEXED BY ");
        while (s[end] && ident_char(s[end]))
            end++;
        s = splice(s, pos, end - pos, "");
    }
    return s;
}

/* Drops a unary plus before a name ("AND +c.state IN (...)"), outside quoted text. A binary plus
 * is written with spaces around it ("?2 + 1") and stays. */
static char *no_unary_plus(char *s)
{
    bool quoted = false;
    for (size_t i = 1; s && s[i]; i++) {
        if (s[i] == '\'')
            quoted = !quoted;
        else if (!quoted && s[i] == '+' && (s[i - 1] == ' ' || s[i - 1] == '(') &&
                 (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_'))
            s = splice(s, i, 1, "");
    }
    return s;
}

/* The catalogue queries of tend_store_debug_find_text, in information_schema's words. */
static char *catalogue(const char *sql)
{
    static const char tables[] = "SELECT name FROM sqlite_master WHERE type = 'table'"
                                 " AND name NOT LIKE 'sqlite_%' ORDER BY name";
    static const char columns[] = "SELECT name FROM pragma_table_info(";
    if (strcmp(sql, tables) == 0)
        return strdup("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                      " AND table_type = 'BASE TABLE' ORDER BY table_name");
    if (strncmp(sql, columns, strlen(columns)) == 0) {
        const char *name = sql + strlen(columns);
        size_t n = strlen(name);
        if (n < 3 || name[0] != '\'' || name[n - 1] != ')')
            return NULL;
        tend_strbuf sb = {0};
        tend_strbuf_puts(&sb, "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                              " current_schema() AND table_name = ");
        tend_strbuf_put(&sb, name, n - 1); /* the quoted literal, as sqlite3_mprintf's %Q made it */
        tend_strbuf_puts(&sb, " ORDER BY ordinal_position");
        return tend_strbuf_finish(&sb);
    }
    return NULL;
}

/* Pass 1: ?N → $N, quoted text copied as it is; counts the highest parameter. */
static char *number_params(const char *sql, int *nparams)
{
    tend_strbuf sb = {0};
    int highest = 0, next = 1;
    for (const char *p = sql; *p;) {
        if (*p == '\'') {
            const char *q = p + 1;
            while (*q && !(*q == '\'' && q[1] != '\''))
                q += (*q == '\'' ? 2 : 1);
            if (*q)
                q++;
            tend_strbuf_put(&sb, p, (size_t)(q - p));
            p = q;
        } else if (*p == '?') {
            char *end;
            long n = strtol(p + 1, &end, 10);
            if (end == p + 1)
                n = next; /* a bare ? is the next one, as in SQLite */
            next = (int)n + 1;
            if (n > highest)
                highest = (int)n;
            char num[24];
            int len = snprintf(num, sizeof num, "$%ld", n);
            tend_strbuf_put(&sb, num, (size_t)len);
            p = end;
        } else {
            tend_strbuf_put(&sb, p, 1);
            p++;
        }
    }
    *nparams = highest;
    return tend_strbuf_finish(&sb);
}

/* Replaces [from, from+len) of *s with rep; returns the new string (frees the old). */
static char *splice(char *s, size_t from, size_t len, const char *rep)
{
    if (!s || !rep)
        return free(s), NULL;
    tend_strbuf sb = {0};
    tend_strbuf_put(&sb, s, from);
    tend_strbuf_puts(&sb, rep);
    tend_strbuf_puts(&sb, s + from + len);
    free(s);
    return tend_strbuf_finish(&sb);
}

/* The token ending just before `end` (an identifier, $N, or a parenthesised group). */
static size_t token_start(const char *s, size_t end)
{
    size_t i = end;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    if (i > 0 && s[i - 1] == ')') {
        int depth = 0;
        while (i > 0) {
            i--;
            if (s[i] == ')')
                depth++;
            else if (s[i] == '(' && --depth == 0)
                break;
        }
        while (i > 0 && ident_char(s[i - 1]))
            i--;
        return i;
    }
    while (i > 0 && ident_char(s[i - 1]))
        i--;
    return i;
}

/* a = b COLLATE NOCASE → lower(a) = lower(b) */
static char *nocase(char *s)
{
    if (!s)
        return NULL;
    char *hit;
    while (s && (hit = strstr(s, " COLLATE NOCASE"))) {
        size_t cut = (size_t)(hit - s);
        size_t b_start = token_start(s, cut);
        size_t eq = b_start;
        while (eq > 0 && s[eq - 1] == ' ')
            eq--;
        if (eq == 0 || s[eq - 1] != '=') { /* not a comparison: drop the collation */
            s = splice(s, cut, strlen(" COLLATE NOCASE"), "");
            continue;
        }
        size_t a_end = eq - 1;
        size_t a_start = token_start(s, a_end);
        while (a_end > a_start && s[a_end - 1] == ' ')
            a_end--;
        tend_strbuf sb = {0};
        tend_strbuf_put(&sb, s, a_start);
        tend_strbuf_puts(&sb, "lower(");
        tend_strbuf_put(&sb, s + a_start, a_end - a_start);
        tend_strbuf_puts(&sb, ") = lower(");
        tend_strbuf_put(&sb, s + b_start, cut - b_start);
        tend_strbuf_puts(&sb, ")");
        tend_strbuf_puts(&sb, hit + strlen(" COLLATE NOCASE"));
        free(s);
        s = tend_strbuf_finish(&sb);
    }
    return s;
}

/* max(a, b) → greatest(a, b); min likewise. An aggregate (one argument) stays. */
static char *scalar_minmax(char *s)
{
    if (!s)
        return NULL;
    for (size_t i = 0; s && s[i]; i++) {
        bool is_max = word_at(s + i, "max"), is_min = word_at(s + i, "min");
        if ((!is_max && !is_min) || (i > 0 && ident_char(s[i - 1])) || s[i + 3] != '(')
            continue;
        int depth = 0, commas = 0;
        for (size_t j = i + 3; s[j]; j++) {
            if (s[j] == '(')
                depth++;
            else if (s[j] == ')' && --depth == 0)
                break;
            else if (s[j] == ',' && depth == 1)
                commas++;
        }
        if (commas > 0) {
            s = splice(s, i, 3, is_max ? "greatest" : "least");
            i += 5;
        }
    }
    return s;
}

static char *replace_all(char *s, const char *from, const char *to)
{
    char *hit;
    if (!s)
        return NULL;
    size_t at = 0;
    while (s && (hit = strstr(s + at, from))) {
        size_t pos = (size_t)(hit - s);
        s = splice(s, pos, strlen(from), to);
        at = pos + strlen(to);
    }
    return s;
}

/* HAVING n, where the select list says count(*) AS n → HAVING count(*) */
static char *having_alias(char *s)
{
    char *hit = s ? strstr(s, " HAVING ") : NULL;
    if (!hit)
        return s;
    size_t at = (size_t)(hit - s) + strlen(" HAVING ");
    size_t n = 0;
    while (ident_char(s[at + n]))
        n++;
    char as[72];
    snprintf(as, sizeof as, " AS %.*s", (int)(n < 64 ? n : 64), s + at);
    const char *p;
    for (p = strstr(s, as); p; p = strstr(p + 1, as))
        if (!ident_char(p[strlen(as)]))
            break;
    if (!n || !p || (size_t)(p - s) > at)
        return s;
    size_t end = (size_t)(p - s);
    size_t start = token_start(s, end);
    char *expr = strndup(s + start, end - start);
    s = splice(s, at, n, expr);
    free(expr);
    return s;
}

/* LIMIT $N → SQLite's "negative is no limit" */
static char *limits(char *s)
{
    if (!s)
        return NULL;
    char *hit;
    size_t at = 0;
    while (s && (hit = strstr(s + at, "LIMIT $"))) {
        size_t pos = (size_t)(hit - s) + strlen("LIMIT ");
        size_t end = pos + 1;
        while (isdigit((unsigned char)s[end]))
            end++;
        char param[16], rep[96];
        snprintf(param, sizeof param, "%.*s", (int)(end - pos), s + pos);
        snprintf(rep, sizeof rep, "(CASE WHEN %s < 0 THEN NULL ELSE %s END)", param, param);
        s = splice(s, pos, end - pos, rep);
        at = pos + strlen(rep);
    }
    return s;
}

/* Where an ON CONFLICT clause goes: before RETURNING, else at the end (without a trailing ;). */
static size_t conflict_at(const char *s)
{
    const char *ret = strstr(s, " RETURNING ");
    size_t end = ret ? (size_t)(ret - s) : strlen(s);
    while (end > 0 && (s[end - 1] == ';' || s[end - 1] == ' '))
        end--;
    return end;
}

static char *insert_or_replace(char *s, char *err, size_t errlen)
{
    const char *p = s + strlen("INSERT OR REPLACE INTO ");
    size_t tlen = strcspn(p, " (");
    const char *key = NULL;
    for (size_t i = 0; i < sizeof replace_keys / sizeof replace_keys[0]; i++)
        if (strlen(replace_keys[i].table) == tlen && strncmp(p, replace_keys[i].table, tlen) == 0)
            key = replace_keys[i].key;
    const char *open = strchr(p, '(');
    const char *close = open ? strchr(open, ')') : NULL;
    if (!key || !open || !close) {
        snprintf(err, errlen, "INSERT OR REPLACE into a table dialect.c does not know: %.60s", s);
        free(s);
        return NULL;
    }
    /* every column listed that is not part of the key is set from the new row */
    tend_strbuf set = {0};
    const char *c = open + 1;
    bool first = true;
    while (c < close) {
        while (*c == ' ' || *c == ',')
            c++;
        size_t n = strcspn(c, ",)");
        while (n > 0 && c[n - 1] == ' ')
            n--;
        char col[64];
        snprintf(col, sizeof col, "%.*s", (int)n, c);
        bool in_key = false;
        for (const char *k = key; *k;) {
            size_t kn = strcspn(k, ",");
            if (kn == strlen(col) && strncmp(k, col, kn) == 0)
                in_key = true;
            k += kn;
            while (*k == ',' || *k == ' ')
                k++;
        }
        if (!in_key && col[0]) {
            tend_strbuf_puts(&set, first ? "" : ", ");
            tend_strbuf_puts(&set, col);
            tend_strbuf_puts(&set, " = EXCLUDED.");
            tend_strbuf_puts(&set, col);
            first = false;
        }
        c += strcspn(c, ",)");
    }
    char *sets = tend_strbuf_finish(&set);
    tend_strbuf clause = {0};
    tend_strbuf_puts(&clause, " ON CONFLICT (");
    tend_strbuf_puts(&clause, key);
    tend_strbuf_puts(&clause, first ? ") DO NOTHING" : ") DO UPDATE SET ");
    tend_strbuf_puts(&clause, sets ? sets : "");
    free(sets);
    char *tail = tend_strbuf_finish(&clause);
    s = splice(s, 0, strlen("INSERT OR REPLACE"), "INSERT");
    if (s)
        s = splice(s, conflict_at(s), 0, tail);
    free(tail);
    return s;
}

char *tend_pg_dialect(const char *sqlite_sql, int *nparams, unsigned *flags, char *err, size_t errlen)
{
    *flags = 0;
    *nparams = 0;
    for (size_t i = 0; i < sizeof no_ops / sizeof no_ops[0]; i++)
        if (strcmp(sqlite_sql, no_ops[i]) == 0)
            return strdup("");
    if (strcmp(sqlite_sql, "BEGIN IMMEDIATE") == 0)
        return strdup("BEGIN");
    char *listed = catalogue(sqlite_sql);
    if (listed)
        return listed;
    char *s = number_params(sqlite_sql, nparams);
    if (!s)
        return NULL;
    s = nocase(s);
    s = scalar_minmax(s);
    s = limits(s);
    s = having_alias(s);
    s = replace_all(s, "AS INTEGER)", "AS BIGINT)");
    s = replace_all(s, " CROSS JOIN ", " JOIN ");
    s = no_index_hints(s);
    s = no_unary_plus(s);
    s = replace_all(s, " typeof(", " pg_typeof(");
    s = replace_all(s, " IN ('text', 'blob')", " IN ('text'::regtype)");
    s = replace_all(s, "random() & 9223372036854775807",
                    "(('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint & 9223372036854775807)");
    if (!s)
        return NULL;
    if (strncmp(s, "INSERT OR IGNORE ", 17) == 0) {
        s = splice(s, 0, strlen("INSERT OR IGNORE"), "INSERT");
        s = splice(s, conflict_at(s), 0, " ON CONFLICT DO NOTHING");
    } else if (strncmp(s, "INSERT OR REPLACE ", 18) == 0) {
        s = insert_or_replace(s, err, errlen);
    } else if (strncmp(s, "INSERT ", 7) == 0 && strstr(s, " VALUES") && !strstr(s, "ON CONFLICT")) {
        bool returns = strstr(s, " RETURNING ") != NULL;
        s = splice(s, conflict_at(s), 0, " ON CONFLICT DO NOTHING");
        *flags |= TEND_PG_CONFLICT_IS_ERROR;
        if (s && !returns && strncmp(s, "INSERT INTO ", 12) == 0 && has_identity(s)) {
            s = splice(s, conflict_at(s), 0, " RETURNING id");
            *flags |= TEND_PG_RETURNS_ID;
        }
    }
    return s;
}
