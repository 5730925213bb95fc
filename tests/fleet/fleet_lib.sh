# A fleet of test hosts for murderctl: each host a network namespace with its
# own address from 198.18.0.0/24 on one bridge, links shaped with tc, a private
# /tmp and /srv (mount namespace) and a real sshd. Source after
# tests/integration/lib.sh; call fleet_up N [RATE].
#
# Each host's namespaces are held by a "keeper" process; sshd and every check
# enter them through it, so a host's sshd can be stopped and started again
# without losing its files. Cleanup ends every process in the namespaces by pid
# and removes namespaces and bridge, on failure too.

FLEET_TAG="m$$"
# The /24 the hosts live in; benchmarks use another one so that they can run
# beside the tests.
FLEET_NET=${FLEET_NET:-198.18.0}
FLEET_BRIDGE="${FLEET_TAG}br"
FLEET_HOSTS=()
FLEET_NS=()
FLEET_KEEPER=()
FLEET_SSHD=()

fleet_cleanup() {
  local ns pid
  for ns in "${FLEET_NS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  done
  for ns in "${FLEET_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  ip link del "$FLEET_BRIDGE" 2>/dev/null
}

# on_host I COMMAND...: runs COMMAND inside host I's network and mount namespaces.
on_host() {
  local i=$1; shift
  nsenter -t "${FLEET_KEEPER[$i]}" -n -m -- "$@"
}

# start_on_host I COMMAND...: starts COMMAND in the background inside host I and
# sets STARTED_PID to the command's own pid (nsenter execs it; a function run
# with & would leave a subshell between, and killing that leaves the command
# running). The pid is ended at cleanup too.
start_on_host() {
  local i=$1; shift
  nsenter -t "${FLEET_KEEPER[$i]}" -n -m -- "$@" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

start_sshd() {
  local i=$1
  nsenter -t "${FLEET_KEEPER[$i]}" -n -m -- /usr/sbin/sshd -D -e -f "$SANDBOX/sshd/h$i.conf" \
    2>>"$SANDBOX/sshd/h$i.log" &
  FLEET_SSHD[$i]=$!
  PIDS+=("$!")
  wait_until 10 on_host "$i" sh -c "ss -Hltn 'sport = :22' | grep -q ." || fail "sshd on h$i did not start"
}

stop_sshd() {
  local i=$1
  kill "${FLEET_SSHD[$i]}" 2>/dev/null
  wait "${FLEET_SSHD[$i]}" 2>/dev/null
  # The sessions sshd forked for earlier connections are in the namespace too.
  wait_until 10 sh -c "! nsenter -t ${FLEET_KEEPER[$i]} -n ss -Hltn 'sport = :22' | grep -q ." ||
    fail "sshd on h$i did not stop"
}

# shape_link DEV RATE [NETNS]: limits DEV to RATE with htb. ARP, TCP handshakes
# and small packets (ACKs, tracker and SSH exchanges) go first, in a class of
# their own, as fq_codel's sparse flows would on a real host (this kernel has no
# fq_codel): a plain tail-drop queue full of payload drops them, and dropped
# SYNs and ARP requests cost seconds of retries no real switch port imposes.
shape_link() {
  local dev=$1 rate=$2 tc=(tc)
  [ -z "${3:-}" ] || tc=(ip netns exec "$3" tc)
  "${tc[@]}" qdisc add dev "$dev" root handle 1: htb default 20
  "${tc[@]}" class add dev "$dev" parent 1: classid 1:1 htb rate "$rate" quantum 60000
  "${tc[@]}" class add dev "$dev" parent 1:1 classid 1:10 htb rate 1mbit ceil "$rate" prio 0 quantum 60000
  "${tc[@]}" class add dev "$dev" parent 1:1 classid 1:20 htb rate "$rate" ceil "$rate" prio 1 quantum 60000
  "${tc[@]}" filter add dev "$dev" parent 1: protocol arp prio 1 u32 match u32 0 0 flowid 1:10
  "${tc[@]}" filter add dev "$dev" parent 1: protocol ip prio 2 u32 \
    match ip protocol 6 0xff match u8 0x02 0x02 at 33 flowid 1:10
  "${tc[@]}" filter add dev "$dev" parent 1: protocol ip prio 3 u32 match u16 0 0xff80 at 2 flowid 1:10
}

# fleet_static_neighbours: every host and the workstation know every address's
# MAC for good. With links full of payload, ARP requests and answers can still be
# late enough for the kernel to give up ("No route to host"); ARP is not what the
# tests and benchmarks measure.
fleet_static_neighbours() {
  local i j macs=() batch="$SANDBOX/neighbours"
  for i in "${!FLEET_NS[@]}"; do macs[$i]=$(ip -n "${FLEET_NS[$i]}" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2); done
  for i in "${!FLEET_NS[@]}"; do
    ip neigh replace "${FLEET_HOSTS[$i]}" lladdr "${macs[$i]}" dev "$FLEET_BRIDGE" nud permanent
    : > "$batch"
    for j in "${!FLEET_NS[@]}"; do
      [ "$i" = "$j" ] || echo "neigh replace ${FLEET_HOSTS[$j]} lladdr ${macs[$j]} dev eth0 nud permanent" >> "$batch"
    done
    ip -n "${FLEET_NS[$i]}" -batch "$batch"
  done
  for i in "${!FLEET_NS[@]}"; do
    ip -n "${FLEET_NS[$i]}" neigh replace "$FLEET_NET.1" lladdr "$FLEET_BRIDGE_MAC" dev eth0 nud permanent
  done
}

# fleet_bridge BRIDGE NET: a bridge for the hosts of NET (a /24 prefix such
# as 198.18.0), the workstation at NET.1 on it; sets FLEET_BRIDGE_MAC.
fleet_bridge() {
  local bridge=$1 net=$2
  ip link add "$bridge" type bridge || fail "cannot create bridge $bridge"
  # A MAC of its own: a bridge otherwise takes its lowest port's and changes it
  # when ports come and go (fleet_impair), which the hosts' static entries for
  # the workstation would not follow.
  local octets; IFS=. read -r -a octets <<< "$net"
  FLEET_BRIDGE_MAC=$(printf '02:00:%02x:%02x:%02x:01' "${octets[0]}" "${octets[1]}" "${octets[2]}")
  ip link set "$bridge" address "$FLEET_BRIDGE_MAC"
  ip addr add "$net.1/24" dev "$bridge"
  ip link set "$bridge" up
}

# fleet_keys: the workstation's SSH key and an empty known_hosts.
fleet_keys() {
  mkdir -p "$SANDBOX/sshd" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$SANDBOX/client_key"
  : > "$SANDBOX/known_hosts"
}

# fleet_sshd_config NAME LISTEN [LINES...]: a host key and an sshd config
# ($SANDBOX/sshd/NAME.key, NAME.conf) listening on LISTEN, the workstation's
# key only, with LINES added.
fleet_sshd_config() {
  local name=$1 listen=$2; shift 2
  ssh-keygen -q -t ed25519 -N '' -f "$SANDBOX/sshd/$name.key"
  {
    echo "ListenAddress $listen"
    echo "HostKey $SANDBOX/sshd/$name.key"
    echo "PidFile none"
    echo "AuthorizedKeysFile $SANDBOX/client_key.pub"
    echo "PermitRootLogin prohibit-password"
    echo "PasswordAuthentication no"
    echo "KbdInteractiveAuthentication no"
    echo "UsePAM no"
    echo "StrictModes no"
    printf '%s\n' "$@"
    echo "Subsystem sftp internal-sftp"
  } > "$SANDBOX/sshd/$name.conf"
}

# fleet_add_host I ADDR BRIDGE RATE: host hI at ADDR (a /24) on BRIDGE, its
# link RATE (shape_link) in each direction, with its keeper and sshd.
fleet_add_host() {
  local i=$1 addr=$2 bridge=$3 rate=$4
  local ns="${FLEET_TAG}h$i" veth="${FLEET_TAG}v$i"
  FLEET_NS[$i]=$ns
  FLEET_HOSTS[$i]=$addr
  ip netns add "$ns" || fail "cannot create namespace $ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$bridge" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  # Both directions: the host's sends on its eth0, what it receives on the
  # bridge's end of its cable.
  shape_link eth0 "$rate" "$ns"
  shape_link "$veth" "$rate"
  # The keeper holds the host's mount namespace with its private /tmp and /srv,
  # and an empty /root as on a fresh server: the workstation's shell startup
  # files (which may do slow work, like a pyenv rehash under a lock) stay out.
  ip netns exec "$ns" unshare --mount --propagation private \
    sh -c 'mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /srv && mount -t tmpfs -o mode=700 tmpfs /root &&
           exec sleep infinity' &
  FLEET_KEEPER[$i]=$!
  PIDS+=("$!")
  wait_until 10 sh -c "[ \"\$(stat -f -c %T /proc/${FLEET_KEEPER[$i]}/root/srv 2>/dev/null)\" = tmpfs ]" ||
    fail "host h$i has no private /srv"
  fleet_sshd_config "h$i" "$addr"
  echo "$addr $(cut -d' ' -f1-2 "$SANDBOX/sshd/h$i.key.pub")" >> "$SANDBOX/known_hosts"
  start_sshd "$i"
}

# fleet_ssh_config PATTERN...: the workstation's ssh_config for hosts matching the patterns.
fleet_ssh_config() {
  cat > "$SANDBOX/ssh_config" <<CONF
Host $*
  User root
  IdentityFile $SANDBOX/client_key
  UserKnownHostsFile $SANDBOX/known_hosts
CONF
  unset SSH_AUTH_SOCK
}

# fleet_up N [RATE]: N hosts h0..h(N-1) at $FLEET_NET.10+i, links RATE
# (shape_link) in each direction.
fleet_up() {
  local n=$1 rate=${2:-1gbit} i
  CLEANUP_HOOKS+=(fleet_cleanup)
  fleet_keys
  fleet_bridge "$FLEET_BRIDGE" "$FLEET_NET"
  for i in $(seq 0 $((n - 1))); do fleet_add_host "$i" "$FLEET_NET.$((10 + i))" "$FLEET_BRIDGE" "$rate"; done
  fleet_static_neighbours
  fleet_ssh_config "$FLEET_NET.*"
}

# Two sites ("data centres") joined by one thin link: fleet_up_sites.
FLEET_SITE_NETS=(198.18.1 198.18.2)
FLEET_ROUTER="${FLEET_TAG}rt"

fleet_sites_cleanup() {
  local pid
  for pid in $(ip netns pids "$FLEET_ROUTER" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  ip netns del "$FLEET_ROUTER" 2>/dev/null
  ip link del "${FLEET_TAG}b1" 2>/dev/null
  ip link del "${FLEET_TAG}b2" 2>/dev/null
}

# fleet_up_sites PER_SITE RATE CROSS_RATE: hosts h0..h(PER_SITE-1) in site 1
# (198.18.1.10+i on a bridge of their own) and as many in site 2
# (198.18.2.10+i), links RATE. A router namespace joins the sites through
# rt1 (its side in site 1, 198.18.1.254) and rt2 (198.18.2.254), each shaped
# to CROSS_RATE as it sends: what crosses into site 2 leaves rt2, what crosses
# into site 1 leaves rt1 (fleet_crossed_bytes). The workstation is on both
# bridges (.1), so that SSH never crosses.
fleet_up_sites() {
  local per_site=$1 rate=$2 cross=$3 site i
  CLEANUP_HOOKS+=(fleet_cleanup fleet_sites_cleanup)
  fleet_keys
  ip netns add "$FLEET_ROUTER" || fail "cannot create the router namespace"
  ip netns exec "$FLEET_ROUTER" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$FLEET_ROUTER" link set lo up
  local macs=()
  for site in 1 2; do
    local net=${FLEET_SITE_NETS[$((site - 1))]} bridge="${FLEET_TAG}b$site"
    fleet_bridge "$bridge" "$net"
    macs[$site]=$FLEET_BRIDGE_MAC
    ip link add "${FLEET_TAG}x$site" type veth peer name "rt$site" netns "$FLEET_ROUTER"
    ip link set "${FLEET_TAG}x$site" master "$bridge" up
    ip -n "$FLEET_ROUTER" addr add "$net.254/24" dev "rt$site"
    ip -n "$FLEET_ROUTER" link set "rt$site" up
    shape_link "rt$site" "$cross" "$FLEET_ROUTER"
    for i in $(seq 0 $((per_site - 1))); do
      local h=$(( (site - 1) * per_site + i ))
      fleet_add_host "$h" "$net.$((10 + i))" "$bridge" "$rate"
      ip -n "${FLEET_NS[$h]}" route add default via "$net.254"
    done
  done
  # Static neighbours, as fleet_static_neighbours does for one network: each
  # host knows its site's hosts, the workstation and the router for good.
  local batch="$SANDBOX/neighbours" h j
  for site in 1 2; do
    local net=${FLEET_SITE_NETS[$((site - 1))]} router_mac host_macs=()
    router_mac=$(ip -n "$FLEET_ROUTER" -o link show "rt$site" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
    local first=$(( (site - 1) * per_site )) last=$(( site * per_site - 1 ))
    for h in $(seq "$first" "$last"); do
      host_macs[$h]=$(ip -n "${FLEET_NS[$h]}" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
      ip neigh replace "${FLEET_HOSTS[$h]}" lladdr "${host_macs[$h]}" dev "${FLEET_TAG}b$site" nud permanent
      ip -n "$FLEET_ROUTER" neigh replace "${FLEET_HOSTS[$h]}" lladdr "${host_macs[$h]}" dev "rt$site" nud permanent
    done
    for h in $(seq "$first" "$last"); do
      {
        echo "neigh replace $net.1 lladdr ${macs[$site]} dev eth0 nud permanent"
        echo "neigh replace $net.254 lladdr $router_mac dev eth0 nud permanent"
        for j in $(seq "$first" "$last"); do
          [ "$h" = "$j" ] || echo "neigh replace ${FLEET_HOSTS[$j]} lladdr ${host_macs[$j]} dev eth0 nud permanent"
        done
      } > "$batch"
      ip -n "${FLEET_NS[$h]}" -batch "$batch"
    done
  done
  fleet_ssh_config "${FLEET_SITE_NETS[0]}.*" "${FLEET_SITE_NETS[1]}.*"
}

# fleet_crossed_bytes: bytes the router has sent between the sites, both ways.
fleet_crossed_bytes() {
  ip netns exec "$FLEET_ROUTER" awk '$1 == "rt1:" || $1 == "rt2:" { sum += $10 } END { print sum + 0 }' /proc/net/dev
}

# fleet_up_dense NAMESPACES PER_NS: NAMESPACES x PER_NS SSH hosts that are
# addresses, not machines: namespace k holds 198.19.(16+k).10 onwards, PER_NS
# of them, all answered by one sshd of its own (so no single sshd holds the
# whole fleet back). With PER_NS 1, namespace k is the one host
# 198.19.(16 + k / 200).(10 + k % 200), up to 1,000 of them. No links are
# shaped and the hosts share the machine's files but /root and the
# directories named in FLEET_DENSE_PRIVATE (each an empty tmpfs of the
# namespace's own): for measuring SSH fan-out, not transfers. Raises the
# kernel's neighbour table limits for the run (a thousand addresses on one
# bridge).
FLEET_DENSE_GC=()
fleet_dense_cleanup() {
  local i
  for i in 1 2 3; do
    [ -z "${FLEET_DENSE_GC[$i]:-}" ] || sysctl -qw "net.ipv4.neigh.default.gc_thresh$i=${FLEET_DENSE_GC[$i]}"
  done
}
fleet_up_dense() {
  local namespaces=$1 per_ns=$2 k a i
  CLEANUP_HOOKS+=(fleet_cleanup fleet_dense_cleanup)
  for i in 1 2 3; do FLEET_DENSE_GC[$i]=$(sysctl -n "net.ipv4.neigh.default.gc_thresh$i"); done
  sysctl -qw net.ipv4.neigh.default.gc_thresh1=4096 net.ipv4.neigh.default.gc_thresh2=8192 \
    net.ipv4.neigh.default.gc_thresh3=16384
  fleet_keys
  ip link add "$FLEET_BRIDGE" type bridge || fail "cannot create bridge"
  # A MAC of its own (a bridge otherwise takes its lowest port's), so that the
  # hosts can know it for good: with a thousand namespaces sharing two busy
  # cores, ARP answers come late enough for connects to fail ("No route to
  # host"), and ARP is not what this fleet measures.
  local bridge_mac=02:00:c6:13:10:01
  ip link set "$FLEET_BRIDGE" address "$bridge_mac"
  ip addr add 198.19.16.1/20 dev "$FLEET_BRIDGE"
  ip link set "$FLEET_BRIDGE" up
  for k in $(seq 0 $((namespaces - 1))); do
    local ns="${FLEET_TAG}d$k" veth="${FLEET_TAG}v$k" batch="$SANDBOX/addresses$k" addresses=()
    FLEET_NS[$k]=$ns
    ip netns add "$ns" || fail "cannot create namespace $ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$FLEET_BRIDGE" up
    if [ "$per_ns" = 1 ]; then
      addresses=("198.19.$((16 + k / 200)).$((10 + k % 200))")
    else
      for a in $(seq 0 $((per_ns - 1))); do addresses+=("198.19.$((16 + k)).$((10 + a))"); done
    fi
    printf 'addr add %s/20 dev eth0\n' "${addresses[@]}" > "$batch"
    ip -n "$ns" -batch "$batch"
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" neigh replace 198.19.16.1 lladdr "$bridge_mac" dev eth0 nud permanent
    local mac; mac=$(ip -n "$ns" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
    for a in "${addresses[@]}"; do ip neigh replace "$a" lladdr "$mac" dev "$FLEET_BRIDGE" nud permanent; done
    fleet_sshd_config "d$k" 0.0.0.0 "MaxStartups 2000"
    local key; key=$(cut -d' ' -f1-2 "$SANDBOX/sshd/d$k.key.pub")
    printf "%s $key\n" "${addresses[@]}" >> "$SANDBOX/known_hosts"
    FLEET_HOSTS+=("${addresses[@]}")
    # An empty /root of its own, as in fleet_add_host: the workstation's shell
    # startup files (a pyenv rehash under a lock, say) would otherwise run for
    # every command on every host, one after another.
    ip netns exec "$ns" unshare --mount --propagation private \
      sh -c 'for d in /root ${FLEET_DENSE_PRIVATE:-}; do mount -t tmpfs -o mode=700 tmpfs "$d" || exit; done
             exec sleep infinity' &
    FLEET_KEEPER[$k]=$!
    PIDS+=("$!")
    wait_until 10 sh -c "[ \"\$(stat -f -c %T /proc/${FLEET_KEEPER[$k]}/root/root 2>/dev/null)\" = tmpfs ]" ||
      fail "$ns has no private /root"
    nsenter -t "${FLEET_KEEPER[$k]}" -n -m -- /usr/sbin/sshd -D -e -f "$SANDBOX/sshd/d$k.conf" 2>> "$SANDBOX/sshd/d$k.log" &
    PIDS+=("$!")
    wait_until 10 sh -c "ip netns exec $ns ss -Hltn 'sport = :22' | grep -q ." || fail "sshd in $ns did not start"
  done
  fleet_ssh_config "198.19.*"
}

# fleet_impair DELAY_MS LOSS_PERCENT: makes every host's link lossy and slow in
# the host's sending direction, as `tc netem delay D loss L` on its egress would
# (this kernel has no netem). Each host's cable is cut in two and
# tests/tools/link_relay (built as $BIN/link_relay) carries the frames between
# the halves; offloads are off so that each frame is a real one. Relay i's
# figures land in $SANDBOX/relay-h$i.log when it is ended (fleet_relay_figures).
FLEET_RELAYS=()
fleet_impair() {
  local delay=$1 loss=$2 i
  CLEANUP_HOOKS+=(fleet_unimpair)
  for i in "${!FLEET_NS[@]}"; do
    local cable="${FLEET_TAG}v$i" host_half="${FLEET_TAG}r$i" net_half="${FLEET_TAG}n$i"
    ip netns exec "${FLEET_NS[$i]}" ethtool -K eth0 tx off tso off gso off gro off > /dev/null
    ip link set "$cable" nomaster
    ip link add "$host_half" type veth peer name "$net_half"
    local dev
    for dev in "$cable" "$host_half" "$net_half"; do ethtool -K "$dev" tx off tso off gso off gro off > /dev/null; done
    ip link set "$net_half" master "$FLEET_BRIDGE" up
    ip link set "$host_half" up
    "$BIN/link_relay" --delay-ms "$delay" --loss-percent "$loss" "$cable" "$host_half" 2> "$SANDBOX/relay-h$i.log" &
    FLEET_RELAYS[$i]=$!
    PIDS+=("$!")
  done
}

fleet_unimpair() {
  local i
  for i in "${!FLEET_NS[@]}"; do ip link del "${FLEET_TAG}r$i" 2>/dev/null; done
}

# fleet_relay_figures: ends the relays and prints "FORWARDED LOST" summed over
# the hosts' sending directions.
fleet_relay_figures() {
  local i
  for i in "${!FLEET_RELAYS[@]}"; do kill "${FLEET_RELAYS[$i]}"; wait "${FLEET_RELAYS[$i]}" 2>/dev/null || true; done
  sed -n 's/.* out \([0-9]*\) passed, \([0-9]*\) lost.*/\1 \2/p' "$SANDBOX"/relay-h*.log |
    awk '{ passed += $1; lost += $2 } END { print passed + 0, lost + 0 }'
}

# fleet_config FILE [EXTRA TOML LINES...]: a murder.toml for the fleet; h0 is
# tracker and seeder (the original's default: the first peer).
fleet_config() {
  local file=$1; shift
  local peers="" h
  for h in "${FLEET_HOSTS[@]}"; do peers+="\"$h\", "; done
  {
    echo 'remote_murder_path = "/srv/murder"'
    echo 'default_destination_path = "/srv/app"'
    printf '%s\n' "$@"
    echo '[roles]'
    echo "peer = [${peers%, }]"
    echo '[ssh]'
    echo "config = \"$SANDBOX/ssh_config\""
    echo 'connect_timeout = 5'
  } > "$file"
}

# tree_digest DIR [NAME]: a hash over every entry's path, type, mode, link target
# and content; .git (which murder leaves out) and the top-level NAME are left out.
# Sizes of directories differ between filesystems, so sizes are left to the
# content hashes.
tree_digest() {
  local skip=${2:-.git}
  (cd "$1" && find . -mindepth 1 \( -path ./.git -o -path "./$skip" \) -prune -o -printf '%P %y %m %l\n' | sort &&
     find . \( -path ./.git -o -path "./$skip" \) -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum) |
    sha256sum | cut -d' ' -f1
}

# percent I TAG: the last progress figure host I reported for TAG (0 before any):
# from the peer's status file in /srv/murder/run, else, for a test that runs
# murderctl with --log-dir "$SANDBOX/logs", from what murderctl logged of it
# (murder_client status --json, docs/STATUS.md).
percent() {
  local line file="/proc/${FLEET_KEEPER[$1]}/root/srv/murder/run/peer-$2.status.json"
  # The peer's own status file, while it is there (murderctl may learn the
  # result through the tracker and never log a status line); else the last
  # status line murderctl logged for the host.
  if line=$(cat "$file" 2>/dev/null) && [ -n "$line" ]; then
    echo "$line" | jq -r 'if .bytes_total > 0 then (1000 * .bytes_done / .bytes_total | floor) / 10 else 0 end' 2>/dev/null ||
      echo 0
    return
  fi
  line=$(grep -a "\"event\":\"status\",\"pidfile\":\"[^\"]*/peer-$2.pid\"" "$SANDBOX/logs/${FLEET_HOSTS[$1]}.log" 2>/dev/null | tail -1)
  if [ -z "$line" ]; then echo 0; return; fi
  echo "$line" | jq -r 'if .figures.bytes_total > 0 then (1000 * .figures.bytes_done / .figures.bytes_total | floor) / 10 else 0 end'
}
# reached I TAG P: host I reported at least P percent of TAG.
reached() { awk -v p="$(percent "$1" "$2")" -v w="$3" 'BEGIN { exit !(p >= w) }'; }
# murder_processes_on I: pids of murder programs running on host I.
murder_processes_on() {
  local pid
  for pid in $(ip netns pids "${FLEET_NS[$1]}"); do
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in murder_*) echo "$pid" ;; esac
  done
}
