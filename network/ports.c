/* brig — network/ports.c: published ports, as docker's -p writes them:
 * [HOSTIP:]HOSTPORT:PORT[/tcp|udp], HOSTIP an IPv4 address or a
 * bracketed IPv6 one ([::1]:8080:80). */
#include "network/network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int port_num(const char *s, size_t n, int *out)
{
	int v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = v;
	return 0;
}

static int host_ip(const char *s, size_t n, char *out, size_t size)
{
	unsigned char buf[16];
	char ip[64];

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
		if (n >= sizeof(ip))
			return -1;
		memcpy(ip, s, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET6, ip, buf) != 1)
			return -1;
	} else {
		if (n >= sizeof(ip))
			return -1;
		memcpy(ip, s, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET, ip, buf) != 1)
			return -1;
	}
	if (strlen(ip) >= size)
		return -1;
	strcpy(out, ip);
	return 0;
}

static int parse(const char *s, struct spec_cni_port *p, brig_error_t **err)
{
	const char *slash = strrchr(s, '/'), *end = slash ? slash : s + strlen(s);
	const char *last = NULL, *mid = NULL;

	if (slash) {
		if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)
			return brig_err(err, 0, "-p %s: the protocol is tcp or udp", s);
		if (strcmp(slash + 1, "udp") == 0)
			memcpy(p->proto, "udp", 4);
	}
	/* the last colon ends HOSTPORT; one before it (outside an [IPv6])
	 * ends HOSTIP */
	const char *from = s;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (!close || close[1] != ':')
			return brig_err(err, 0, "-p %s: expected [IPv6]:HOSTPORT:PORT", s);
		from = close + 1;
	}
	for (const char *c = from; c < end; c++)
		if (*c == ':') {
			if (mid)
				return brig_err(err, 0, "-p %s: expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]", s);
			mid = last;
			last = c;
		}
	if (!last)
		return brig_err(err, 0, "-p %s: expected [HOSTIP:]HOSTPORT:PORT[/tcp|udp]", s);
	if (port_num(last + 1, (size_t)(end - last - 1), &p->container_port) < 0)
		return brig_err(err, 0, "-p %s: not a port number: \"%.*s\"", s,
				(int)(end - last - 1), last + 1);
	const char *hp = mid ? mid + 1 : s;
	if (port_num(hp, (size_t)(last - hp), &p->host_port) < 0)
		return brig_err(err, 0, "-p %s: not a host port number: \"%.*s\"", s,
				(int)(last - hp), hp);
	if (mid && host_ip(s, (size_t)(mid - s), p->host_ip, sizeof(p->host_ip)) < 0)
		return brig_err(err, 0, "-p %s: not an IP address: \"%.*s\"", s, (int)(mid - s), s);
	return 0;
}

int net_parse_port(const char *s, struct spec_cni_port *out, brig_error_t **err)
{
	struct spec_cni_port p = {.proto = "tcp"};

	if (parse(s, &p, err) < 0)
		return -1;
	*out = p;
	return 0;
}

char *net_port_str(const struct spec_cni_port *p)
{
	bool v6 = strchr(p->host_ip, ':') != NULL;

	return xasprintf("%s%s%s:%d->%d/%s", v6 ? "[" : "", p->host_ip[0] ? p->host_ip : "0.0.0.0",
			 v6 ? "]" : "", p->host_port, p->container_port, p->proto);
}

/* A bind() of our own there, let go at once: EADDRINUSE says someone
 * holds it.  SO_REUSEADDR for tcp, so that a connection in TIME_WAIT is
 * no owner; not for udp, where it would let two sockets share. */
bool net_port_bound(const struct spec_cni_port *p)
{
	bool v6 = strchr(p->host_ip, ':') != NULL, udp = strcmp(p->proto, "udp") == 0;
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p->host_port)};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)p->host_port)};
	int s = socket(v6 ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	int one = 1, r;

	if (s < 0)
		return false;
	if (!udp)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		inet_pton(AF_INET6, p->host_ip, &a6.sin6_addr);
	else if (p->host_ip[0])
		inet_pton(AF_INET, p->host_ip, &a4.sin_addr);
	r = v6 ? bind(s, (struct sockaddr *)&a6, sizeof(a6)) : bind(s, (struct sockaddr *)&a4, sizeof(a4));
	if (r == 0 && !udp)
		r = listen(s, 1); /* a listener on the port bound with SO_REUSEADDR too */
	close(s);
	return r < 0 && errno == EADDRINUSE;
}

static bool any_ip(const char *ip)
{
	return !ip[0] || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

bool net_ports_clash(const struct spec_cni_port *a, const struct spec_cni_port *b)
{
	return a->host_port == b->host_port && strcmp(a->proto, b->proto) == 0 &&
	       (any_ip(a->host_ip) || any_ip(b->host_ip) || strcmp(a->host_ip, b->host_ip) == 0);
}
