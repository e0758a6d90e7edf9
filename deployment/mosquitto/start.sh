#!/bin/sh
# The broker's start in its container (as root, before mosquitto drops to its own user):
# - hashes each user's password from the environment into the password file: the plain
#   `user:password` lines are written by the shell itself (printf is a builtin) and hashed in
#   place by `mosquitto_passwd -U`, so no password is ever on a command line;
# - copies the TLS key out of the read-only mount, mode 600, owned by the broker's user.
# Users: MQTT_USERS; passwords: MQTT_PASSWORD_<USER> (deployment/.env from generate-secrets.sh).
set -eu
root=${MOSQUITTO_ROOT:-/mosquitto}
broker_user=${MOSQUITTO_USER:-mosquitto}
secrets=$root/secrets
umask 077
mkdir -p "$secrets"
passwd_file=$secrets/passwd
: > "$passwd_file"
for user in ${MQTT_USERS:?MQTT_USERS is not set: the broker users, e.g. controller telemetry solar operator}; do
  var="MQTT_PASSWORD_$(echo "$user" | tr 'a-z-' 'A-Z_')"
  eval "password=\${$var:?$var is not set: run deployment/generate-secrets.sh}"
  printf '%s:%s\n' "$user" "$password" >> "$passwd_file"
done
mosquitto_passwd -U "$passwd_file"
cp "$root/certs/server.key" "$secrets/server.key"
chown "$broker_user" "$secrets" "$secrets/passwd" "$secrets/server.key" "$root/data"
exec mosquitto -c "$root/config/mosquitto.conf"
