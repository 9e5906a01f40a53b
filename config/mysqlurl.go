package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MySQLURL is a parsed MySQL connection string.
type MySQLURL struct {
	// Config is ready for go-sql-driver/mysql, without a password: callers set
	// Passwd from a password file, the environment or a prompt.
	Config *mysql.Config
	// InlinePassword is a password that was written inside the string. Config
	// files reject it; the command line warns about it.
	InlinePassword string
	// Notes say which JDBC parameters were mapped or ignored, and why.
	Notes []string
}

// ParseMySQLURL accepts:
//
//	jdbc:mysql://host[:port][/db][?param=value&...]   (as Sqoop users paste it)
//	mysql://[user[:password]@]host[:port][/db][?param=value&...]
//	user[:password]@tcp(host:port)/db[?param=value]  (a go-sql-driver DSN)
//
// The port defaults to 3306. JDBC parameters that have a go-sql-driver
// equivalent are mapped (useSSL, requireSSL, connectTimeout, socketTimeout);
// ones hetl fixes itself are ignored with a note (serverTimezone: sessions
// always run in UTC; zeroDateTimeBehavior: hetl applies its zero-date policy;
// characterEncoding and useUnicode: always utf8mb4); any other is an error.
func ParseMySQLURL(s string) (MySQLURL, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return MySQLURL{}, fmt.Errorf("empty MySQL URL")
	case strings.HasPrefix(s, "jdbc:mysql://"):
		return parseURLForm(strings.TrimPrefix(s, "jdbc:"), true)
	case strings.HasPrefix(s, "mysql://"):
		return parseURLForm(s, false)
	case strings.HasPrefix(s, "jdbc:"):
		return MySQLURL{}, fmt.Errorf("unsupported JDBC URL %q: hetl reads MySQL and MariaDB (jdbc:mysql://...)", redactURL(s))
	case strings.Contains(s, "://"):
		return MySQLURL{}, fmt.Errorf("unsupported URL scheme in %q: want jdbc:mysql://, mysql:// or a go-sql-driver DSN", redactURL(s))
	}
	cfg, err := mysql.ParseDSN(s)
	if err != nil {
		return MySQLURL{}, fmt.Errorf("parse MySQL DSN: %w", err)
	}
	if cfg.Net != "tcp" && cfg.Net != "unix" {
		return MySQLURL{}, fmt.Errorf("MySQL DSN: network %q: want tcp or unix", cfg.Net)
	}
	u := MySQLURL{Config: cfg, InlinePassword: cfg.Passwd}
	cfg.Passwd = ""
	if err := applyDefaults(cfg); err != nil {
		return MySQLURL{}, err
	}
	return u, nil
}

func parseURLForm(s string, jdbc bool) (MySQLURL, error) {
	pu, err := url.Parse(s)
	if err != nil {
		return MySQLURL{}, fmt.Errorf("parse MySQL URL: %w", redactErr(err))
	}
	if pu.Host == "" {
		return MySQLURL{}, fmt.Errorf("MySQL URL %q has no host", redactURL(s))
	}
	if pu.Fragment != "" {
		return MySQLURL{}, fmt.Errorf("MySQL URL %q: unexpected #fragment", redactURL(s))
	}
	host, port := pu.Hostname(), pu.Port()
	if port == "" {
		port = "3306"
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return MySQLURL{}, fmt.Errorf("MySQL URL %q: invalid port %q", redactURL(s), port)
	}
	if strings.Contains(host, ",") {
		return MySQLURL{}, fmt.Errorf("MySQL URL %q: several hosts (failover lists) are not supported; name one server", redactURL(s))
	}
	db := strings.TrimPrefix(pu.Path, "/")
	if strings.Contains(db, "/") {
		return MySQLURL{}, fmt.Errorf("MySQL URL %q: database name %q contains '/'", redactURL(s), db)
	}
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.DBName = db
	u := MySQLURL{Config: cfg}
	if pu.User != nil {
		cfg.User = pu.User.Username()
		u.InlinePassword, _ = pu.User.Password()
	}
	keys := make([]string, 0, len(pu.Query()))
	for k := range pu.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := pu.Query().Get(k)
		if jdbc {
			note, err := mapJDBCParam(cfg, k, v)
			if err != nil {
				return MySQLURL{}, err
			}
			if note != "" {
				u.Notes = append(u.Notes, note)
			}
			continue
		}
		if err := setDriverParam(cfg, k, v); err != nil {
			return MySQLURL{}, err
		}
	}
	if err := applyDefaults(cfg); err != nil {
		return MySQLURL{}, err
	}
	return u, nil
}

// mapJDBCParam maps one Connector/J parameter onto the Go driver.
func mapJDBCParam(cfg *mysql.Config, k, v string) (string, error) {
	switch k {
	case "useSSL", "requireSSL":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("JDBC parameter %s=%q: want true or false", k, v)
		}
		switch {
		case b && k == "requireSSL":
			cfg.TLSConfig = "true"
		case b && cfg.TLSConfig == "":
			cfg.TLSConfig = "preferred"
		case !b && k == "useSSL":
			cfg.TLSConfig = "false"
		}
		return fmt.Sprintf("%s=%s mapped to tls=%s", k, v, cfg.TLSConfig), nil
	case "connectTimeout", "socketTimeout":
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			return "", fmt.Errorf("JDBC parameter %s=%q: want milliseconds", k, v)
		}
		d := time.Duration(ms) * time.Millisecond
		if k == "connectTimeout" {
			cfg.Timeout = d
		} else {
			cfg.ReadTimeout, cfg.WriteTimeout = d, d
		}
		return "", nil
	case "serverTimezone", "useLegacyDatetimeCode", "useTimezone":
		return k + " ignored: hetl pins every session's time_zone to +00:00 and reads TIMESTAMP as UTC", nil
	case "zeroDateTimeBehavior":
		return k + " ignored: zero dates follow hetl's zero-date policy, never a silent NULL", nil
	case "characterEncoding", "useUnicode", "characterSetResults", "connectionCollation":
		return k + " ignored: hetl always talks utf8mb4", nil
	case "tinyInt1isBit", "transformedBitIsBoolean":
		return k + " ignored: hetl keeps TINYINT(1) an integer", nil
	}
	return "", fmt.Errorf("unsupported JDBC parameter %q (hetl maps useSSL, requireSSL, connectTimeout, socketTimeout and ignores time-zone, zero-date and charset settings)", k)
}

// setDriverParam applies a mysql:// query parameter with go-sql-driver's
// meaning, by letting the driver parse it.
func setDriverParam(cfg *mysql.Config, k, v string) error {
	if !varRE.MatchString(k) {
		return fmt.Errorf("MySQL URL parameter name %q is not valid", k)
	}
	probe, err := mysql.ParseDSN("/?" + url.QueryEscape(k) + "=" + url.QueryEscape(v))
	if err != nil {
		return fmt.Errorf("MySQL URL parameter %s=%q: %w", k, v, err)
	}
	switch k {
	case "tls":
		cfg.TLSConfig = probe.TLSConfig
	case "timeout":
		cfg.Timeout = probe.Timeout
	case "readTimeout":
		cfg.ReadTimeout = probe.ReadTimeout
	case "writeTimeout":
		cfg.WriteTimeout = probe.WriteTimeout
	case "charset", "collation", "parseTime", "loc", "time_zone":
		return fmt.Errorf("MySQL URL parameter %q is set by hetl itself (utf8mb4, UTC sessions)", k)
	default:
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params[k] = v
	}
	return nil
}

// applyDefaults checks the server address and fixes what hetl relies on in
// every session.
func applyDefaults(cfg *mysql.Config) error {
	if cfg.Net == "tcp" {
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			host, port = cfg.Addr, "3306"
		}
		if !validHost(host) {
			return fmt.Errorf("MySQL server address %q: invalid host", cfg.Addr)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("MySQL server address %q: invalid port", cfg.Addr)
		}
		cfg.Addr = net.JoinHostPort(host, port)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return nil
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$`)

// validHost accepts DNS names and IP literals.
func validHost(h string) bool {
	return net.ParseIP(h) != nil || (len(h) <= 253 && hostnameRE.MatchString(h))
}

// Redacted is the URL for logs and messages: never a password.
func (u MySQLURL) Redacted() string {
	c := u.Config.Clone()
	c.Passwd = ""
	return c.FormatDSN()
}

// redactURL removes a password from user:password@ in a URL-like string.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok || strings.Contains(userinfo, "/") {
		return s
	}
	user, _, hasPw := strings.Cut(userinfo, ":")
	if !hasPw {
		return s
	}
	return scheme + "://" + user + ":xxxxx@" + host
}

func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s %q: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return err
}
