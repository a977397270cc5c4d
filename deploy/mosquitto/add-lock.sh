#!/bin/sh
# Add or replace a broker user (a lock after pairing, or the cloud / HA / provision
# users) and make the running broker reload its password file.
#   usage: add-lock.sh PASSWORD_FILE USERNAME PASSWORD
set -eu
file="$1"; user="$2"; pass="$3"
[ -f "$file" ] || { : > "$file"; chmod 600 "$file"; }
mosquitto_passwd -b "$file" "$user" "$pass"
pkill -HUP -x mosquitto 2>/dev/null || true  # mosquitto re-reads passwd/acl on SIGHUP
