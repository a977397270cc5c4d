"""Building blocks of ``bench/fleet_bench.py``: services, provisioning, simulators.

Each module is one concern: ``procs`` (child processes, CPU and memory from /proc),
``infra`` (PostgreSQL and a private Mosquitto), ``provision`` (locks bound through the
cloud's own code), ``cloud`` (the cloud's processes), ``rawrate`` (the broker alone),
``mux`` (many locks over a few MQTT connections), ``storm`` (one real ``LockClient``
per lock), ``unlock`` (remote unlocks over HTTP), ``checks`` (SQL), ``report``.
"""
