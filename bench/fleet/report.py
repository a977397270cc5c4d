"""The figures as a table (the JSON is the same dict, ``--json``)."""

from __future__ import annotations

from typing import Any


def _f(value: Any, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        value = f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value}{unit}"


def _unlock(u: dict[str, Any]) -> str:
    extra = f", not answered: {u['not_answered']}" if u.get("not_answered") else ""
    return (
        f"p50 {_f(u['p50_ms'], ' ms')}, p99 {_f(u['p99_ms'], ' ms')} "
        f"({u['answered']}/{u['sent']} answered{extra})"
    )


def table(r: dict[str, Any]) -> str:
    c = r["config"]
    rows: list[tuple[str, str]] = [
        ("locks / worker processes", f"{c['locks']:,} / {c['workers']}"),
        ("raw broker, paho QoS 1 pub -> sub", _f(r["raw_broker"]["msgs_per_s"], " msg/s")),
    ]
    for t in r.get("throughput", []):
        w = t["workers"]
        rows += [
            (f"events stored/s ({w} worker)", _f(t["events_per_s"])),
            (f"  ratio to raw broker ({w})", _f(100 * (t["ratio_to_raw"] or 0), " %")),
            (
                f"  cloud CPU per event, all / workers ({w})",
                f"{_f(t['cloud_cpu_ms_per_event'])} / {_f(t['worker_cpu_ms_per_event'])} ms",
            ),
            (f"  cloud cores busy ({w})", _f(t["cloud_cores_busy"])),
            (
                f"  PostgreSQL / broker / sim CPU per event ({w})",
                f"{_f(t['postgres_cpu_ms_per_event'])} / {_f(t['broker_cpu_ms_per_event'])} / "
                f"{_f(t['simulator_cpu_ms_per_event'])} ms",
            ),
            (f"  cloud RSS ({w})", _f(t["cloud_rss_mb"], " MB")),
            (
                f"  ack p50/p99, resends ({w})",
                f"{_f(t['ack_p50_ms'])} / {_f(t['ack_p99_ms'])} ms, {t['resends']} resends",
            ),
        ]
    if "online_storm" in r:
        o = r["online_storm"]
        rows += [
            ("online storm: status lost", f"{o['lost']:,} of {o['locks']:,}"),
            (
                "  all known online after",
                f"{_f(o['all_known_s'], ' s')} from start, "
                f"{_f(o['all_known_after_last_connect_s'], ' s')} after the last connect "
                f"(at {_f(o['last_connect_s'], ' s')})",
            ),
        ]
    if "reconnect_storm" in r:
        s = r["reconnect_storm"]
        rows += [
            ("reconnect storm: events stored", f"{s['stored']:,} of {s['pending_events']:,}"),
            ("  all stored after", _f(s["recovered_s"], " s")),
            (
                "  peak cloud RSS / PSS (summed)",
                f"{_f(s['peak_cloud_rss_mb'], ' MB')} / {_f(s.get('peak_cloud_pss_mb'), ' MB')}",
            ),
            ("  remote unlocks during it", _unlock(s["unlocks"])),
        ]
    if "unlock_idle" in r:
        rows.append(("remote unlock idle", _unlock(r["unlock_idle"])))
    if "unlock_loaded" in r:
        u = r["unlock_loaded"]
        rows.append((f"remote unlock at {_f(u['events_per_s'])} ev/s", _unlock(u)))
    if "exactly_once" in r:
        e = r["exactly_once"]
        verdict = "yes" if e["ok"] else f"NO {e}"
        rows.append(("every event once, in order per lock", f"{verdict} ({e['events']:,} events)"))
    if "cloud_logs" in r:
        rows.append(("cloud logs", ", ".join(f"{k} {v}" for k, v in r["cloud_logs"].items())))
    rows.append(("bench duration", _f(r.get("duration_s"), " s")))
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
