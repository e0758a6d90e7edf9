#!/bin/sh
# First run: a random broker password per module in deployment/.env and a self-signed CA and
# server certificate for the TLS listener in deployment/mosquitto/certs. Neither is committed
# (.gitignore); an existing .env or certificate is kept.
set -eu
cd "$(dirname "$0")"
if [ ! -f .env ]; then
  umask 077
  for user in solar battery boiler controller telemetry operator; do
    echo "MQTT_PASSWORD_$(echo "$user" | tr a-z A-Z)=$(openssl rand -hex 24)"
  done > .env
  echo "wrote deployment/.env"
fi
if ! grep -q '^GRAFANA_ADMIN_PASSWORD=' .env; then  # Grafana's admin (user admin), added to an older .env too
  echo "GRAFANA_ADMIN_PASSWORD=$(openssl rand -hex 16)" >> .env
fi
certs=mosquitto/certs
if [ ! -f "$certs/server.crt" ]; then
  mkdir -p "$certs"
  openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=energy-edge site CA" \
    -keyout "$certs/ca.key" -out "$certs/ca.crt" 2>/dev/null
  openssl req -newkey rsa:3072 -nodes -subj "/CN=mosquitto" -keyout "$certs/server.key" \
    -out "$certs/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:mosquitto,DNS:localhost,IP:127.0.0.1\n' > "$certs/san.ext"
  openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial \
    -days 825 -extfile "$certs/san.ext" -out "$certs/server.crt" 2>/dev/null
  rm -f "$certs/server.csr" "$certs/san.ext"
  chmod 644 "$certs/server.key"  # read by the broker's own user inside its container
  echo "wrote $certs"
fi
