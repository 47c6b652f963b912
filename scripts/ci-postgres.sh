#!/usr/bin/env bash
# A throw-away PostgreSQL server for the registry tests (tests/test_registry.py).
#
#   eval "$(scripts/ci-postgres.sh start)"   # start (or reuse) it; prints the export line
#   scripts/ci-postgres.sh url               # print the export line of the running server
#   scripts/ci-postgres.sh status            # exit 0 when it is running
#   scripts/ci-postgres.sh stop              # stop it and delete its folder
#
# `start` (the default) installs the Debian package `postgresql` when no initdb is found
# (as root, or with password-less sudo), then creates a private cluster with initdb in its
# own folder and starts it with pg_ctl: no systemd, no pg_ctlcluster, the distribution's
# default cluster is left alone. Run as root, the folder and the server belong to the
# `postgres` user (PostgreSQL refuses to run as root); run as anyone else, to that user.
#
#   folder    $ANNEXKIT_PG_DIR, default /tmp/annexkit-ci-postgres-<uid>  (mode 0700)
#   server    127.0.0.1 on a free port; the Unix socket lives inside the folder
#   access    role `annexkit` with a random password (scram-sha-256), database
#             `annexkit_test` owned by it; the superuser can only log in through the
#             socket, which only the folder's owner can reach
#   output    export ANNEXKIT_TEST_PG_URL='postgresql+psycopg://annexkit:…@127.0.0.1:PORT/annexkit_test'
#
# Only the export line goes to standard output, so `eval "$(…)"` is safe; progress and errors
# go to standard error. A second `start` while the server runs prints the same line again;
# after a reboot (or a killed server) it starts the existing cluster again. The cluster is
# tuned for tests (fsync off): it is not for data anyone wants to keep.
set -euo pipefail

readonly MARKER=".annexkit-ci-postgres"
readonly DB_NAME="annexkit_test"
readonly DB_ROLE="annexkit"
readonly DIR="${ANNEXKIT_PG_DIR:-/tmp/annexkit-ci-postgres-$(id -u)}"

say() { printf 'ci-postgres: %s\n' "$*" >&2; }
die() {
    say "错误 error: $*"
    exit 1
}

# --- who runs the server ----------------------------------------------------------------------

if [ "$(id -u)" = 0 ]; then
    DB_USER="postgres"
else
    DB_USER="$(id -un)"
fi

# Run a command as the server's owner, inside the cluster folder (the caller's working
# directory may not be readable by that user).
as_db() {
    if [ "$(id -u)" != 0 ]; then
        (cd "$DIR" && "$@")
    elif command -v runuser >/dev/null; then
        (cd "$DIR" && runuser -u "$DB_USER" -- "$@")
    else
        (cd "$DIR" && su -s /bin/sh "$DB_USER" -c "$(printf '%q ' "$@")")
    fi
}

# Standard input into a file only the server's user can read.
write_private() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner shell
    as_db sh -c 'umask 077 && cat > "$1"' sh "$1"
}

# --- finding or installing PostgreSQL ---------------------------------------------------------

find_bindir() {
    local initdb candidate
    initdb="$(command -v initdb 2>/dev/null || true)"
    if [ -n "$initdb" ] && [ -x "$(dirname "$initdb")/pg_ctl" ]; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    # Debian keeps the server programs out of PATH: the newest /usr/lib/postgresql/N/bin.
    candidate="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
        printf '%s\n' "$candidate"
        return 0
    fi
    return 1
}

install_postgresql() {
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            die "未找到 PostgreSQL，且无法安装（需要 root 或 sudo）/ PostgreSQL is not installed" \
                "and cannot be installed here (needs root or sudo): apt-get install postgresql"
        fi
    fi
    command -v apt-get >/dev/null || die "未找到 PostgreSQL，也没有 apt-get / no PostgreSQL, no apt-get"
    say "安装 installing Debian package: postgresql"
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends postgresql >&2
}

# --- the cluster folder -----------------------------------------------------------------------

# A folder we made: a real directory (not a link), owned by the server's user, mode 0700,
# holding our marker. Anything else at that path is refused rather than used or deleted.
check_folder() {
    [ -L "$DIR" ] && die "$DIR 是符号链接，拒绝使用 / is a symbolic link: refused"
    [ -d "$DIR" ] || die "$DIR 不是文件夹 / is not a folder"
    local owner mode
    owner="$(stat -c %U "$DIR")"
    mode="$(stat -c %a "$DIR")"
    [ "$owner" = "$DB_USER" ] || die "$DIR 属于 $owner 而不是 $DB_USER，拒绝使用 / is owned by" \
        "$owner, not $DB_USER: refused (remove it or set ANNEXKIT_PG_DIR)"
    [ "$mode" = 700 ] || die "$DIR 的权限为 $mode 而不是 700 / has mode $mode, not 700: refused"
    [ -f "$DIR/$MARKER" ] || die "$DIR 不是本脚本创建的 / was not made by this script: refused"
}

make_folder() {
    local parent
    parent="$(dirname "$DIR")"
    [ -d "$parent" ] || die "上级文件夹不存在 / no such folder: $parent"
    (umask 077 && mkdir "$DIR") || die "无法创建 / cannot create $DIR"
    touch "$DIR/$MARKER"
    if [ "$(id -u)" = 0 ]; then
        chown -R "$DB_USER:" "$DIR"
        # The server's user must be able to reach the folder through its parents.
        if ! runuser -u "$DB_USER" -- test -x "$DIR" 2>/dev/null; then
            rm -rf -- "$DIR"
            die "$DB_USER 无法进入 $parent / $DB_USER cannot enter $parent: set ANNEXKIT_PG_DIR"
        fi
    fi
}

# --- the server -------------------------------------------------------------------------------

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port tries=0
    while [ "$tries" -lt 100 ]; do
        port=$((20000 + RANDOM % 30000))
        if ! port_in_use "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    die "找不到空闲端口 / no free port found"
}

# Running means accepting connections, not merely a postmaster.pid naming a live process.
is_running() {
    [ -f "$DIR/data/PG_VERSION" ] && [ -f "$DIR/port" ] &&
        as_db "$BINDIR/pg_isready" -q -h "$DIR/run" -p "$(cat "$DIR/port")" -t 5
}

write_settings() {
    # Rewritten at every start (the port may change); postgresql.conf includes it.
    as_db tee "$DIR/data/annexkit.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$DIR/run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
}

start_server() {
    local port attempt=0
    while [ "$attempt" -lt 10 ]; do
        port="$(free_port)"
        write_settings "$port"
        if as_db "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >&2; then
            printf "%s\n" "$port" | as_db tee "$DIR/port" >/dev/null
            return 0
        fi
        # Another program may have taken the port between the check and the bind.
        if ! grep -q 'could not bind\|Address already in use' "$DIR/server.log" 2>/dev/null; then
            tail -n 20 "$DIR/server.log" >&2 2>/dev/null || true
            die "PostgreSQL 无法启动 / the server did not start (log: $DIR/server.log)"
        fi
        attempt=$((attempt + 1))
    done
    die "PostgreSQL 无法启动 / the server did not start: no port could be bound"
}

init_cluster() {
    local superpw rolepw
    superpw="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    rolepw="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    as_db mkdir -m 700 "$DIR/run"
    printf '%s\n' "$superpw" | write_private "$DIR/superuser.pw"
    say "initdb $DIR/data"
    as_db "$BINDIR/initdb" -D "$DIR/data" -U postgres -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$DIR/superuser.pw" >/dev/null
    as_db rm -f "$DIR/superuser.pw"
    printf "include_if_exists = 'annexkit.conf'\n" | as_db tee -a "$DIR/data/postgresql.conf" >/dev/null
    start_server
    as_db "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR/run" -p "$(cat "$DIR/port")" \
        -U postgres -d postgres >/dev/null <<EOF
CREATE ROLE $DB_ROLE LOGIN PASSWORD '$rolepw';
CREATE DATABASE $DB_NAME OWNER $DB_ROLE;
EOF
    printf '%s\n' "$rolepw" | write_private "$DIR/role.pw"
}

print_url() {
    local port password
    port="$(cat "$DIR/port")"
    password="$(cat "$DIR/role.pw")"
    printf "export ANNEXKIT_TEST_PG_URL='postgresql+psycopg://%s:%s@127.0.0.1:%s/%s'\n" \
        "$DB_ROLE" "$password" "$port" "$DB_NAME"
}

# --- commands ---------------------------------------------------------------------------------

cmd_start() {
    if ! BINDIR="$(find_bindir)"; then
        install_postgresql
        BINDIR="$(find_bindir)" || die "安装后仍未找到 initdb / initdb not found after installing"
    fi
    if [ "$(id -u)" = 0 ] && ! id "$DB_USER" >/dev/null 2>&1; then
        die "用户 $DB_USER 不存在 / there is no user $DB_USER (does the postgresql package exist?)"
    fi
    if [ -e "$DIR" ] || [ -L "$DIR" ]; then
        check_folder
        if [ ! -f "$DIR/role.pw" ] || [ ! -f "$DIR/data/PG_VERSION" ]; then
            # A start that was interrupted half-way: begin again.
            say "清除未完成的集群 removing an unfinished cluster: $DIR"
            as_db "$BINDIR/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
            rm -rf -- "$DIR"
        elif is_running; then
            say "已在运行 already running ($DIR)"
            print_url
            return 0
        else
            say "重新启动 restarting the existing cluster ($DIR)"
            # A server that is hung, or still dying, is stopped first.
            as_db "$BINDIR/pg_ctl" -D "$DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || true
            start_server
            print_url
            return 0
        fi
    fi
    make_folder
    init_cluster
    say "已启动 started on 127.0.0.1:$(cat "$DIR/port") ($DIR)"
    print_url
}

cmd_stop() {
    if [ ! -e "$DIR" ] && [ ! -L "$DIR" ]; then
        say "未运行 not running (no $DIR)"
        return 0
    fi
    check_folder
    if BINDIR="$(find_bindir)" && [ -f "$DIR/data/PG_VERSION" ]; then
        as_db "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$DIR"
    say "已停止并删除 stopped and removed $DIR"
}

cmd_status() {
    [ -e "$DIR" ] || {
        say "未运行 not running"
        return 1
    }
    check_folder
    BINDIR="$(find_bindir)" || die "未找到 PostgreSQL / PostgreSQL is not installed"
    if is_running; then
        say "运行中 running on 127.0.0.1:$(cat "$DIR/port") ($DIR)"
        return 0
    fi
    say "未运行 not running ($DIR exists)"
    return 1
}

cmd_url() {
    cmd_status >/dev/null 2>&1 || die "未运行 not running: use \`$0 start\`"
    print_url
}

case "${1:-start}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
url) cmd_url ;;
-h | --help | help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//' ;;
*)
    say "用法 usage: $0 [start|stop|status|url]"
    exit 2
    ;;
esac
