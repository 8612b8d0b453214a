#!/bin/sh
# valgrind_session.sh VENV TEND — a Discord session under valgrind memcheck: the core flow (slash
# commands, a button, /done, /stepback, /thanks), a dropped connection that tend resumes, and a
# SIGTERM whose restart resumes the session kept in the store; then a clean stop. Passes only with
# zero errors and zero leaks in every tend process.
set -eu
venv=$1
tend=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/tend" <<WRAP
#!/bin/sh
exec valgrind --quiet --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
  --suppressions="$here/../dlopen.supp" --track-fds=no --log-file="$work/vg.%p.log" "$tend" "\$@"
WRAP
chmod +x "$work/tend"

cd "$here"
# valgrind makes tend ~30x slower: a calmer heartbeat and the patience the double allows
TEND_BIN="$work/tend" TEND_TEST_HEARTBEAT_MS=5000 TEND_TEST_SLOW=1 \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider test_tend_discord.py test_discord_gateway.py \
    -k "core_flow or drop_resume or sigterm_keeps"

status=0
for log in "$work"/vg.*.log; do
    [ -e "$log" ] || { echo "valgrind wrote no log: tend never ran under it"; exit 1; }
    if [ -s "$log" ]; then
        echo "valgrind found problems in $(basename "$log"):"
        cat "$log"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "valgrind: Discord session clean (0 errors, 0 leaks)"
exit "$status"
