#!/bin/sh
# Test-only TLS material (never use outside tests): a CA, a broker certificate for localhost/127.0.0.1, a client
# certificate (CN=writer) from that CA, and a rogue CA with its own client certificate (CN=writer) that the broker
# must refuse. EC P-256, valid for 100 years. Regenerate with: sh gen.sh (needs openssl).
set -e
days=36500
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
ca() {
  key "$1"
  openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days $days -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # name, CN, CA, extensions
  key "$1"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days $days -out "$1.pem" \
    -extfile "$1.ext"
  rm "$1.csr" "$1.ext"
}
ca ca "Portask Test CA"
ca rogue-ca "Rogue CA"
leaf broker localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf client writer ca "extendedKeyUsage=clientAuth"
leaf rogue-client writer rogue-ca "extendedKeyUsage=clientAuth"
rm -f ca.key rogue-ca.key ./*.srl
