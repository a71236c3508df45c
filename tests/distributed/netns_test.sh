#!/bin/bash
# netns_test.sh NPROC MPIRUN TEST_BINARY: the data-parallel tests across NPROC "machines": one
# network namespace per host (its own eth0 on a bridge, 10.77.S.2, .3, ...), one process per
# host, TCP only between them. mpirun starts each process in its namespace through an rsh agent
# that runs `ip netns exec` instead of ssh. Needs root (CAP_NET_ADMIN); where namespaces cannot
# be created it says so and exits 77 (ctest's SKIP_RETURN_CODE).
set -u
np=$1 mpirun=$2 binary=$3
tag=$$
subnet=10.77.$(( tag % 250 ))
bridge=kdbr$tag
work=$(mktemp -d)
namespaces=()
# The processes left in our namespaces (daemons of a failed launch), by id.
kill_namespaced() {
  for ns in "${namespaces[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
}
cleanup() {
  kill_namespaced
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
  ip link del "$bridge" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
if ! ip link add "$bridge" type bridge 2>"$work/err"; then
  echo "SKIPPED: cannot create network namespaces here ($(cat "$work/err")); run as root"
  exit 77
fi
ip addr add "$subnet.1/24" dev "$bridge" && ip link set "$bridge" up || exit 1
hosts=""
for i in $(seq 2 $(( np + 1 ))); do
  ns=kd${tag}_$i
  ip netns add "$ns" || exit 1
  namespaces+=("$ns")
  ip link add "kdv${tag}_$i" type veth peer name eth0 netns "$ns" || exit 1
  ip link set "kdv${tag}_$i" master "$bridge" up
  ip netns exec "$ns" ip addr add "$subnet.$i/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip link set lo up
  hosts="$hosts${hosts:+,}$subnet.$i"
done
# A daemon that starts before its link is up never reaches mpirun, which then waits forever.
for ns in "${namespaces[@]}"; do
  for _ in $(seq 50); do
    [ "$(ip netns exec "$ns" cat /sys/class/net/eth0/operstate)" = up ] && break
    sleep 0.1
  done
done
cat >"$work/agent" <<AGENT
#!/bin/sh
host=\$1; shift
exec ip netns exec "kd${tag}_\${host##*.}" sh -c "\$*"
AGENT
chmod +x "$work/agent"
echo "netns_test.sh: $np hosts $hosts (namespaces ${namespaces[*]})"
run() {
  timeout -s KILL 90 "$mpirun" --allow-run-as-root --oversubscribe --host "$hosts" -np "$np" \
    --mca plm_rsh_agent "$work/agent" --mca plm_rsh_no_tree_spawn 1 \
    --mca btl self,tcp --mca btl_tcp_if_include "$subnet.0/24" --mca oob_tcp_if_include "$subnet.0/24" \
    -x OMP_NUM_THREADS=1 -x KERAS_TEST_SEVERAL_HOSTS=1 sh -c 'echo "rank $OMPI_COMM_WORLD_RANK runs in namespace $(ip netns identify $$)"; exec "$0" "$@"' \
    "$binary" --gtest_filter='DataParallel.*'
}
# Killed by the timeout: a daemon never reported to mpirun (seen a few times on a loaded machine:
# the first host's daemon missing, the others waiting), so the launch, not keras, failed. A run
# takes seconds; up to three launches are tried, each after clearing what the last one left.
for attempt in 1 2 3; do
  run
  rc=$?
  [ $rc -eq 137 ] || break
  echo "netns_test.sh: launch $attempt: mpirun killed after 90 s; processes left in the namespaces:"
  for ns in "${namespaces[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      echo "  $ns: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)"
    done
  done
  kill_namespaced
done
exit $rc
