// Package redact removes personal data from access-log lines before they
// leave the host that holds the log.
//
// A [Redactor] applies a set of redaction keys to one line at a time:
//
//   - "ip": every IPv4 address in the line is cut to its /24 (203.0.113.7
//     becomes 203.0.113.0) and every IPv6 address to its /48
//     (2001:db8:1:2::7 becomes 2001:db8:1::); an IPv4-mapped IPv6 address
//     is cut like the IPv4 address it holds. This covers the client address
//     and also X-Forwarded-For, referrers and request targets that carry an
//     address. A client address logged as a host name (HostnameLookups) is
//     replaced by "-".
//   - "query": every query string is dropped, from its '?' up to the next
//     space, tab, control byte or unescaped double quote (/p?q=secret
//     becomes /p), in the request, the referrer and anywhere else; the
//     values of JSON keys that hold a query alone (args, query,
//     query_string) become "".
//   - "ua": the user agent becomes "-".
//   - "user": the authenticated user (and the identd user) becomes "-".
//
// # Lines that do not parse
//
// "ip" and "query" need no parsing: they apply to every line, whatever
// its format, so a line that matches no format leaks neither. "ua" and
// "user" need to know where the fields are: the Redactor finds them in
// lines of the built-in formats of package accesslog (Apache common,
// combined, vhost_combined, nginx "main") and, for JSON lines, by key
// (user_agent, http_user_agent, remote_user, user, user_id and the like,
// at any depth, including Caddy's header arrays). In a line that is
// neither, or that is cut short (a partial record for package accesslog),
// they cannot be located and are left as they are; so is a
// client host name, which "ip" replaces only where it finds the client
// field.
//
// # Framing
//
// A line keeps its line ending: Line's output ends with "\n" exactly when
// its input did, and with "\r\n" if its input did. Redaction never adds a
// line break: the replacements are "-", "" and shortened addresses.
//
// Redact whole lines only: a piece of a line cannot be parsed, and a query
// string or address cut in two would escape redaction. [Writer] splits a
// stream into lines for you.
package redact
