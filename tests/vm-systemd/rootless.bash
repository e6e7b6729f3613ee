# tests/vm-systemd/rootless.bash — placeholder, filled in below
rootless_checks() { :; }
