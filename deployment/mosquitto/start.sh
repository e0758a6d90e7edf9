#!/bin/sh
# Hash each module's password from the environment into the broker's password file, then run it.
# The passwords live only in the environment (.env from generate-secrets.sh, or the orchestrator).
set -eu
passwd_file=/mosquitto/data/passwd
: > "$passwd_file"
chmod 600 "$passwd_file"
for user in solar battery boiler controller telemetry operator; do
  var="MQTT_PASSWORD_$(echo "$user" | tr a-z A-Z)"
  eval "password=\${$var:?$var is not set: run deployment/generate-secrets.sh}"
  mosquitto_passwd -b "$passwd_file" "$user" "$password"
done
exec mosquitto -c /mosquitto/config/mosquitto.conf
