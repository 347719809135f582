# Shell helpers shared by scripts/test, infra-check, api-fuzz and bench (sourced, not run).

# venv DIR REQUIREMENTS: a virtualenv at DIR with exactly REQUIREMENTS installed; rebuilt when the
# requirements file changes.
venv() {
  local dir=$1 requirements=$2
  local stamp="$dir/.requirements"
  if ! cmp -s "$requirements" "$stamp" || [ ! -x "$dir/bin/python" ]; then
    echo "== installing $requirements into $dir"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
  fi
}

# free_port: a free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT PID LOG WHAT: waits up to 10 s for PORT to listen; fails, printing LOG, if
# PID exits first or the time runs out.
wait_for_port() {
  local port=$1 pid=$2 log=$3 what=$4
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "$what did not start:"; cat "$log"; exit 1; }
    sleep 0.1
  done
  echo "$what is not listening on $port:"; cat "$log"; exit 1
}

# wait_for_line LOG PATTERN PID WHAT: until a line of LOG matches PATTERN (grep -E), or fails
# when PID has exited or 30 s have passed. A port that is open says a server is bound, not that
# it has printed what it prints once ready (`provrum serve --demo` binds, then seeds, then prints
# its tokens).
wait_for_line() {
  local log=$1 pattern=$2 pid=$3 what=$4
  for _ in $(seq 1 300); do
    if grep -qE "$pattern" "$log" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "$what stopped:"; cat "$log"; exit 1; }
    sleep 0.1
  done
  echo "$what never printed a line matching $pattern:"; cat "$log"; exit 1
}

# start_moto LOG: moto's server mode (target/moto-venv, scripts/requirements-test.txt) on a free
# loopback port, one request at a time (scripts/moto_serial.py), stopped when the script exits.
# Sets MOTO_ENDPOINT.
start_moto() {
  local log=$1 port
  venv target/moto-venv scripts/requirements-test.txt
  port=$(free_port)
  mkdir -p target
  target/moto-venv/bin/python scripts/moto_serial.py 127.0.0.1 "$port" > "$log" 2>&1 &
  moto_pid=$!
  trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
  wait_for_port "$port" "$moto_pid" "$log" moto
  MOTO_ENDPOINT="http://127.0.0.1:$port"
}

# The four Lambda functions.
lambda_functions=(provrum-api budget-import status-sheet quota-report)

# build_lambdas: the four functions built for Lambda (arm64, release) with cargo-lambda from
# target/infra-venv (scripts/requirements-infra.txt), checked to be AArch64 executables without
# SQLite (the embedded store's feature is off when the function crates are built alone), at
# target/lambda/NAME/bootstrap.
build_lambdas() {
  venv target/infra-venv scripts/requirements-infra.txt
  echo "== cargo lambda build --release --arm64 (${lambda_functions[*]})"
  PATH="$PWD/target/infra-venv/bin:$PATH" \
    cargo lambda build --release --arm64 --locked $(printf -- '--bin %s ' "${lambda_functions[@]}")
  local f
  for f in "${lambda_functions[@]}"; do
    python3 - "target/lambda/$f/bootstrap" <<'PY'
import struct, sys
path = sys.argv[1]
with open(path, "rb") as f:
    head = f.read(20)
# An ELF executable for AArch64 (e_machine 183), as provided.al2023 on arm64 runs it.
if head[:4] != b"\x7fELF" or struct.unpack("<H", head[18:20])[0] != 183:
    sys.exit(f"{path} is not an arm64 Linux executable")
# Built without the embedded store (the sqlite feature is for the CLI and the tests): SQLite's
# own header string is in any binary that links it; the DynamoDB store is in every function.
with open(path, "rb") as f:
    data = f.read()
if b"SQLite format 3" in data:
    sys.exit(f"{path} links SQLite: something in the Lambda build turned on the sqlite feature")
if b"TransactWriteItems" not in data:
    sys.exit(f"{path} has no DynamoDB client")
PY
    echo "   $f: target/lambda/$f/bootstrap ($(du -h "target/lambda/$f/bootstrap" | cut -f1), arm64)"
  done
}
