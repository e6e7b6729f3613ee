client_checks() { :; }
