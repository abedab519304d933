#!/usr/bin/env python3
"""How long one thread waited for a CPU, and who ran on that CPU meanwhile.

Reads the text of `perf script -F tid,cpu,time,event,trace` over a
`perf sched record -a` and follows the thread TID: every stretch in which it
was runnable but not running (from its wake-up, or from being switched out
still runnable, to being switched in) and the tasks that ran on the CPU it
was switched in on during that stretch. Used for the gateway's I/O thread at
concurrency 1 (docs/design/gateway-cost.md):

  perf sched record -a -o sched.data -- sleep 3      # during wrk -t1 -c1
  perf script -i sched.data -F tid,cpu,time,event,trace |
    bench/gateway/runq_waits.py IO_TID [OTHER_TID=name ...]

Threads are named by their comm (the gateway's audit threads name
themselves: audit-batcher, ledger-build, ledger-write); NAME=TID pairs
override it. "caused by the audit threads" counts the stretches in which
audit-* and ledger-* tasks ran more than half of the time.
"""
import collections
import re
import sys

SWITCH = re.compile(
    r"prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> "
    r"next_comm=(.*?) next_pid=(\d+)")
WAKEUP = re.compile(r"comm=(.*?) pid=(\d+) prio=\d+ target_cpu=(\d+)")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: runq_waits.py TID [TID=name ...] < perf-script-output")
    tid = int(sys.argv[1])
    names = {}
    for a in sys.argv[2:]:
        k, v = a.split("=", 1)
        names[int(k)] = v
    since = None  # when TID became runnable
    ran = collections.defaultdict(float)  # (cpu, name) -> us run since `since`
    cur = {}  # cpu -> (tid, name, since)
    stretches = []  # (us, start, {name: us})
    for line in sys.stdin:
        p = line.split(None, 4)
        if len(p) < 5:
            continue
        try:
            cpu = int(p[1].strip("[]"))
            t = float(p[2].rstrip(":"))
        except ValueError:
            continue
        ev = p[3].rstrip(":")
        if ev == "sched:sched_switch":
            m = SWITCH.search(p[4])
            if not m:
                continue
            pid, state = int(m.group(2)), m.group(3)
            ncomm, npid = m.group(4), int(m.group(5))
            if since is not None and cpu in cur:
                ctid, cname, cstart = cur[cpu]
                start = max(cstart, since)
                if ctid != tid and t > start:
                    ran[(cpu, cname)] += (t - start) * 1e6
            cur[cpu] = (npid, names.get(npid, ncomm if npid else "idle"), t)
            if pid == tid and state.startswith("R"):
                since = t
                ran.clear()
            if npid == tid and since is not None:
                who = {k[1]: v for k, v in ran.items() if k[0] == cpu}
                stretches.append(((t - since) * 1e6, since, who))
                since = None
                ran.clear()
        elif ev == "sched:sched_wakeup" or ev == "sched:sched_waking":
            m = WAKEUP.search(p[4])
            if m and int(m.group(2)) == tid and since is None:
                since = t
                ran.clear()
    if not stretches:
        sys.exit("no runnable stretch of thread %d in the input" % tid)
    d = sorted(s[0] for s in stretches)
    n = len(d)
    q = lambda f: d[min(n - 1, int(f * n))]
    print("thread %d: %d runnable stretches; p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us;"
          " > 100 us: %d, > 300 us: %d" % (tid, n, q(.5), q(.99), q(.999), d[-1],
                                           sum(x > 100 for x in d), sum(x > 300 for x in d)))
    audit = lambda who: sum(v for k, v in who.items() if k.startswith(("audit", "ledger")))
    caused = sorted(s[0] for s in stretches if audit(s[2]) > s[0] / 2)
    print("caused by the audit threads: > 100 us: %d, > 300 us: %d, max %.0f us" %
          (sum(x > 100 for x in caused), sum(x > 300 for x in caused), caused[-1] if caused else 0))
    total = collections.defaultdict(float)
    for us, _, who in stretches:
        if us > 100:
            for k, v in who.items():
                total[k] += v
    print("who ran on its CPU during stretches > 100 us: " + ", ".join(
        "%s %.2f ms" % (k, v / 1000) for k, v in sorted(total.items(), key=lambda x: -x[1])[:8]))
    for us, start, who in sorted(stretches, key=lambda s: -s[0])[:10]:
        print("  %7.0f us at %.6f: %s" % (us, start, ", ".join(
            "%s %.0f" % kv for kv in sorted(who.items(), key=lambda x: -x[1])[:4])))


if __name__ == "__main__":
    main()
