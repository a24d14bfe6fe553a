#!/bin/sh
# Install Portask from this unpacked folder: /opt/portask (the program), /etc/portask (settings, kept when present),
# /var/lib/portask (data, owned by the portask user), and the systemd units. Run as root; safe to run again.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
id portask >/dev/null 2>&1 || useradd --system --home-dir /var/lib/portask --shell /usr/sbin/nologin portask
mkdir -p /opt/portask /etc/portask /var/lib/portask
cp -R "$here/bin" "$here/lib" "$here/systemd" /opt/portask/
mkdir -p /opt/portask/config && cp "$here/config/jvm.properties" /opt/portask/config/
[ -f /etc/portask/portask.properties ] || \
    sed 's|^#portask.data.dir=.*|portask.data.dir=/var/lib/portask|' "$here/config/portask.properties" \
    > /etc/portask/portask.properties
chown -R portask:portask /var/lib/portask
chmod 700 /var/lib/portask
if command -v systemctl >/dev/null 2>&1; then
    cp "$here/systemd/"*.service /etc/systemd/system/
    systemctl daemon-reload
    echo "installed: systemctl enable --now portask-broker portask-gateway"
else
    echo "installed under /opt/portask (no systemd here: run /opt/portask/bin/portask start)"
fi
