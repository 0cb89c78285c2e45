# Shared by the benchmark scripts (sourced, not run): starting, waiting for and stopping the servers measured.

# wait_port PORT [PID]: until something accepts on 127.0.0.1:PORT (30 s at most). With PID, gives up as soon as
# that process has exited. Returns 1 when the port never opened.
wait_port() {
    for _ in $(seq 300); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        if [ -n "${2:-}" ]; then kill -0 "$2" 2>/dev/null || return 1; fi
        sleep 0.1
    done
    return 1
}

# require_port PORT: wait_port, or exit the script saying which port did not open.
require_port() {
    wait_port "$1" || { echo "port $1 not up" >&2; exit 1; }
}

# stop PID: SIGTERM (a graceful shutdown, as tools stop nats-server), SIGKILL after 10 s, then reap it.
stop() {
    kill -TERM "$1" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# ensure_built ROOT: builds the core jar (and its AOT cache) unless one exists.
ensure_built() {
    [ -f "$(ls "$1"/nats-server-core/target/nats-server-core-*.jar 2>/dev/null | head -1)" ] \
        || (cd "$1" && ./mvnw -o -q -pl nats-server-core -am package -DskipTests)
}
