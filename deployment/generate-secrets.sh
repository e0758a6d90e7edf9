#!/bin/sh
# First run: a random broker password for every user the compose file names (deployment/.env,
# mode 600) and the broker's TLS files. Nothing here is committed (.gitignore); an existing
# password or certificate is kept, and a user the compose file gained since gets a password.
#   mosquitto/certs/  ca.crt, server.crt (644) and server.key (600): mounted into the broker;
#   ca/ca.key         the CA's key (600): never inside the folder mounted into the broker.
set -eu
cd "$(dirname "$0")"
umask 077
touch .env
chmod 600 .env
for var in $(grep -o 'MQTT_PASSWORD_[A-Z0-9_]*' docker-compose.yml | sort -u); do
  if ! grep -q "^$var=" .env; then
    echo "$var=$(openssl rand -hex 24)" >> .env
    added=1
  fi
done
if [ -n "${added:-}" ]; then echo "wrote deployment/.env"; fi
if ! grep -q '^GRAFANA_ADMIN_PASSWORD=' .env; then  # Grafana's admin (user admin)
  echo "GRAFANA_ADMIN_PASSWORD=$(openssl rand -hex 24)" >> .env
fi
certs=mosquitto/certs
if [ ! -f "$certs/server.crt" ]; then
  mkdir -p ca "$certs"
  chmod 700 ca
  chmod 755 "$certs"  # the broker's user reads the certificates (the key is copied for it by start.sh)
  openssl req -x509 -newkey rsa:3072 -nodes -days 825 -subj "/CN=energy-edge site CA" \
    -keyout ca/ca.key -out "$certs/ca.crt" 2>/dev/null
  openssl req -newkey rsa:3072 -nodes -subj "/CN=mosquitto" -keyout "$certs/server.key" \
    -out ca/server.csr 2>/dev/null
  printf 'subjectAltName=DNS:mosquitto,DNS:localhost,IP:127.0.0.1\n' > ca/san.ext
  openssl x509 -req -in ca/server.csr -CA "$certs/ca.crt" -CAkey ca/ca.key -CAcreateserial \
    -CAserial ca/ca.srl -days 825 -extfile ca/san.ext -out "$certs/server.crt" 2>/dev/null
  rm -f ca/server.csr ca/san.ext
  chmod 644 "$certs/ca.crt" "$certs/server.crt"
  chmod 600 "$certs/server.key" ca/ca.key
  echo "wrote $certs (the CA's key in deployment/ca/)"
fi
