#!/usr/bin/env bash
# Provisions the system parts the test suites use for real: a Docker engine,
# docker-compose, a registry, redis-server, bubblewrap and python3-seccomp
# (inline-code sandbox), Chromium (playground test), and the Lambda runtime
# client with node 22.
# Installs what is missing when run as root on Debian and starts dockerd.
# Without root it only reports; the suites that need a missing part then fail
# and say which part is missing.
set -uo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Debian's docker-compose (the Python 1.29 line): reads and runs the compose
# file the docker-compose target writes. Distribution's registry (v2 API),
# installed for the image push of the Kubernetes suite, which starts its own.
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
# aws-lambda-ric compiles its native client with these
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
# Debian's python3 with libseccomp's binding: the sandbox compiles its seccomp
# filter with it, and the escape suite runs python as an unprivileged user.
/usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 || need+=(python3 python3-seccomp)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "provision: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "provision: missing ${need[*]} and not root: the suites that need them will fail" >&2
  fi
fi

# A Docker engine for the docker deployer's suite: vfs storage and no network
# set-up, because the machines have neither overlayfs nor iptables to spare.
if command -v dockerd >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "provision: starting dockerd"
    nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >/tmp/agentspec-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { echo "provision: dockerd did not start, see /tmp/agentspec-dockerd.log" >&2; tail -20 /tmp/agentspec-dockerd.log >&2; }
  fi
fi
# The Lambda runtime the function suites run under: node 22 and AWS's runtime
# interface client, built once per machine and cached outside the checkout.
if command -v cmake >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; then
  node "$(dirname "$0")/lambda-runtime.mjs" || echo "provision: the Lambda runtime client could not be built: the suites that run functions under it will fail" >&2
else
  echo "provision: cmake and g++ are needed to build aws-lambda-ric: the suites that run functions under it will fail" >&2
fi
exit 0
