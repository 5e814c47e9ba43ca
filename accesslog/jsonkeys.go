package accesslog

// JSONField says what the value of a key of a JSON log line holds. It is
// the one table of JSON key names: the parser fills a Record by it, and
// package redact finds the values to redact by it, so a key added here is
// both parsed and redacted.
type JSONField uint8

// The fields a JSON log key may hold.
const (
	JSONOther     JSONField = iota // nothing the Record or a redaction cares about
	JSONClient                     // the client address (or host name)
	JSONUser                       // the authenticated user
	JSONIdent                      // the identd user
	JSONTime                       // the request time, in any layout
	JSONRequest                    // the request line, or Caddy's request object
	JSONMethod                     // the request method
	JSONPath                       // the request target
	JSONQuery                      // a query string alone, without its '?'
	JSONProtocol                   // "HTTP/1.1" and the like
	JSONStatus                     // the status code
	JSONBytes                      // the response size
	JSONReferrer                   // the Referer header
	JSONUserAgent                  // the User-Agent header
	JSONForwarded                  // the X-Forwarded-For header
	JSONVHost                      // the virtual host
	JSONPort                       // the server port
	JSONDuration                   // the time taken, in seconds
)

// JSONFieldOf returns what the value of the JSON key holds, for keys as
// nginx (escape=json), Caddy and common JSON loggers write them, in lower
// case. The parser matches keys exactly (and Caddy's header names inside
// request.headers by their own rules); redact matches them without regard
// to case, at any depth.
func JSONFieldOf(key string) JSONField {
	switch key {
	case "remote_addr", "remote_ip", "client_ip", "remote_host", "client", "ip":
		return JSONClient
	case "remote_user", "user", "user_id", "userid", "username":
		return JSONUser
	case "ident":
		return JSONIdent
	case "time", "time_local", "time_iso8601", "timestamp", "ts", "@timestamp", "msec":
		return JSONTime
	case "request":
		return JSONRequest
	case "method", "request_method":
		return JSONMethod
	case "uri", "request_uri", "path":
		return JSONPath
	case "args", "query", "query_string", "querystring":
		return JSONQuery
	case "proto", "protocol", "server_protocol":
		return JSONProtocol
	case "status":
		return JSONStatus
	case "body_bytes_sent", "size", "bytes", "bytes_sent":
		return JSONBytes
	case "http_referer", "http_referrer", "referer", "referrer":
		return JSONReferrer
	case "http_user_agent", "user_agent", "useragent", "user-agent":
		return JSONUserAgent
	case "http_x_forwarded_for", "x_forwarded_for":
		return JSONForwarded
	case "host", "vhost", "server_name", "http_host":
		return JSONVHost
	case "server_port":
		return JSONPort
	case "request_time", "duration":
		return JSONDuration
	}
	return JSONOther
}
