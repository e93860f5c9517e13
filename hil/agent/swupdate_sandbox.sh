#!/bin/bash
# A Linux board without hardware: the real SWUpdate agent (suricatta, hawkBit DDI backend) in a
# sandbox, plus the "reboot" an update ends with. Runs in the foreground until SIGTERM/SIGINT.
#   swupdate_sandbox.sh DIR --url http://HOST:PORT --id CONTROLLER --cert CERT.pem
#                       [--tenant DEFAULT] [--token T] [--hw sandbox:1.0] [--poll SECONDS]
#                       [--fail-health] [--die-after-bytes N] [--own-network]
# DIR holds the board: boot/grub/grubenv (GRUB environment block, SWUpdate's -B grub state),
# mnt/ (mounted at /mnt: images write mnt/fleetsim/*), committed/ (the running image's files, the
# other "slot"), tmp/ (TMPDIR: the agent's IPC sockets), agent.log, board.log.
# The agent runs in a private mount namespace (unshare -m) with DIR/boot over /boot and DIR/mnt
# over /mnt. After an install SWUpdate runs its post-update command, which asks for a reboot: the
# agent is stopped and started again; when the environment says an update is being tested
# (ustate=1) the health check decides: pass -> started with -c 2 (SWUpdate sends closed/success),
# fail (--fail-health) -> the files of committed/ are restored and it starts with -c 3
# (closed/failure). --die-after-bytes N kills the agent (SIGKILL) once N bytes of the image have
# streamed in, once, and boots it again. --own-network runs the agent in a network namespace of
# its own too (unshare -n), reaching a server on 127.0.0.1 through socat over DIR/net.sock:
# swupdate allows only 11 agents per network namespace (its notifier sockets), this lifts that.
# Exit 2: bad arguments, 3: no mount (or network) namespace, no agent, or an agent that exited.
set -uo pipefail

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
dir=$(realpath -m "$1"); shift
url="" id="" cert="" tenant="DEFAULT" token="" hw="sandbox:1.0" poll=1 fail_health=0 die_after=0 own_network=0
while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --id) id="$2"; shift 2 ;;
    --cert) cert=$(realpath -m "$2"); shift 2 ;;
    --tenant) tenant="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --hw) hw="$2"; shift 2 ;;
    --poll) poll="$2"; shift 2 ;;
    --fail-health) fail_health=1; shift ;;
    --die-after-bytes) die_after="$2"; shift 2 ;;
    --own-network) own_network=1; shift ;;
    *) echo "swupdate_sandbox.sh: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$url" ] && [ -n "$id" ] && [ -f "$cert" ] || { echo "swupdate_sandbox.sh: --url, --id and an existing --cert are required" >&2; exit 2; }
command -v swupdate >/dev/null || { echo "swupdate_sandbox.sh: swupdate is not installed (apt-get install swupdate)" >&2; exit 3; }
unshare -m true 2>/dev/null || { echo "swupdate_sandbox.sh: cannot create a mount namespace (unshare -m needs CAP_SYS_ADMIN)" >&2; exit 3; }

port=""
if [ "$own_network" = 1 ]; then
  # The server's links name the URL's host, so inside the namespace it must be 127.0.0.1 as well.
  [[ "$url" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]] ||
    { echo "swupdate_sandbox.sh: --own-network needs --url http://127.0.0.1:PORT" >&2; exit 2; }
  port="${BASH_REMATCH[2]}"
  command -v socat >/dev/null || { echo "swupdate_sandbox.sh: --own-network needs socat (apt-get install socat)" >&2; exit 3; }
  unshare -m -n true 2>/dev/null || { echo "swupdate_sandbox.sh: cannot create a network namespace (unshare -n)" >&2; exit 3; }
fi
mkdir -p "$dir/boot/grub" "$dir/mnt/fleetsim" "$dir/committed" "$dir/tmp"
if [ ! -f "$dir/boot/grub/grubenv" ]; then  # an empty 1024-byte GRUB environment block
  { printf '# GRUB Environment Block\n'; head -c $((1024 - 25)) /dev/zero | tr '\0' '#'; } > "$dir/boot/grub/grubenv"
fi
log() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*" >> "$dir/board.log"; }
ustate() { grep -a '^ustate=' "$dir/boot/grub/grubenv" | head -1 | cut -d= -f2; }

agent_pid=""
start_agent() {  # $1: "" | confirm-success | confirm-failure | resume
  local suricatta="-t $tenant -u $url -i $id -p $poll -r 3 -w 1"
  case "$1" in
    confirm-success) suricatta="$suricatta -c 2" ;;
    confirm-failure) suricatta="$suricatta -c 3" ;;
    resume)  # what the killed agent had streamed in (-o) is its cache: suricatta resumes after it
      if [ -s "$dir/stream.swu" ]; then
        mv "$dir/stream.swu" "$dir/cache.swu"
        suricatta="$suricatta --cache $dir/cache.swu"
      fi ;;
  esac
  [ -n "$token" ] && suricatta="$suricatta -k $token"
  rm -f "$dir/stream.swu"
  # setsid: the agent and its helper processes form one process group, stopped together;
  # --pdeathsig: the agent dies with this script even when it is killed without a chance to stop it.
  local namespaces="-m" network=""
  # In its own network namespace the agent's 127.0.0.1:PORT is socat, forwarding to DIR/net.sock.
  if [ "$own_network" = 1 ]; then
    namespaces="-m -n"
    network="ip link set lo up && { socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:$dir/net.sock & } &&"
  fi
  TMPDIR="$dir/tmp" setsid setpriv --pdeathsig KILL unshare $namespaces --propagation private sh -c "
    mount --bind \"\$0/boot\" /boot && mount --bind \"\$0/mnt\" /mnt && $network
    exec swupdate -v -B grub -k \"\$1\" -H \"\$2\" -o \"\$0/stream.swu\" -p \"touch \$0/reboot-requested\" -u \"\$3\"" \
    "$dir" "$cert" "$hw" "$suricatta" >> "$dir/agent.log" 2>&1 &
  agent_pid=$!
  log "agent started (pid $agent_pid, suricatta $suricatta)"
}
stop_agent() {  # $1: signal
  [ -n "$agent_pid" ] || return 0
  kill "-$1" -- "-$agent_pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$agent_pid" 2>/dev/null
  wait "$agent_pid" 2>/dev/null
  agent_pid=""
}
boot() {
  if [ "$(ustate)" = 1 ]; then
    if [ "$fail_health" = 1 ]; then
      log "boot: new image fails its health check: revert to the committed files, confirm failure"
      rm -rf "$dir/mnt/fleetsim" && mkdir -p "$dir/mnt/fleetsim" && cp -a "$dir/committed/." "$dir/mnt/fleetsim/"
      start_agent confirm-failure
    else
      log "boot: new image passes its health check: commit, confirm success"
      rm -rf "$dir/committed" && cp -a "$dir/mnt/fleetsim" "$dir/committed"
      start_agent confirm-success
    fi
  else
    log "boot (ustate=$(ustate))"
    start_agent ""
  fi
}

forwarder=""
if [ "$own_network" = 1 ]; then  # the host's end of the namespace's 127.0.0.1:PORT
  setpriv --pdeathsig KILL socat "UNIX-LISTEN:$dir/net.sock,fork,unlink-early" "TCP:127.0.0.1:$port" 2>> "$dir/agent.log" &
  forwarder=$!
fi
trap 'log "board stopped"; stop_agent TERM; [ -n "$forwarder" ] && kill "$forwarder" 2>/dev/null; exit 0' TERM INT
cp -a "$dir/mnt/fleetsim/." "$dir/committed/" 2>/dev/null
died=0
boot
while true; do
  if [ -f "$dir/reboot-requested" ]; then
    rm -f "$dir/reboot-requested"
    log "reboot requested by the agent after an install"
    stop_agent TERM
    boot
  elif [ "$die_after" -gt 0 ] && [ "$died" = 0 ] && [ -f "$dir/stream.swu" ] &&
       [ "$(stat -c %s "$dir/stream.swu")" -ge "$die_after" ]; then
    died=1
    log "agent killed mid-download at $(stat -c %s "$dir/stream.swu") bytes"
    stop_agent KILL
    start_agent resume
  elif [ -n "$agent_pid" ] && ! kill -0 "$agent_pid" 2>/dev/null; then
    wait "$agent_pid" 2>/dev/null
    agent_pid=""
    last=$(tail -1 "$dir/agent.log")
    # swupdate 2022.12's notifier binds the abstract socket NotifyServer, then NotifyServer1..10:
    # at most 11 agents run at once in one network namespace.
    [[ "$last" == *"Error binding notifier socket: Address already in use"* ]] &&
      last="$last (at most 11 swupdate agents run at once on one machine: stop some)"
    log "agent exited on its own: $last"
    echo "swupdate_sandbox.sh: $dir: agent exited on its own: $last" >&2
    exit 3
  fi
  sleep 0.05
done
