package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hetl/hetl/sql/password"
)

// DefaultSQLDatabase is the one database of the SQL endpoint when
// sql.databases names none: every warehouse table.
const DefaultSQLDatabase = "warehouse"

// SQL is the analysts' SQL endpoint: `hetl sql serve` and `hetl sql query`
// (docs/sql.md).
type SQL struct {
	// Listen is host:port of the MySQL-protocol endpoint.
	Listen string `yaml:"listen"`
	// Databases are what the endpoint serves, each a set of warehouse
	// tables by name pattern; none: DefaultSQLDatabase with every table.
	Databases map[string]*SQLDatabase `yaml:"databases,omitempty"`
	// Users may log in; the endpoint refuses to start without one.
	Users map[string]*SQLUser `yaml:"users,omitempty"`
	// UsersFile holds more users, a YAML mapping shaped like users:, kept
	// apart from hetl.yaml (for example readable by the server only).
	UsersFile      string        `yaml:"users_file,omitempty"`
	TLS            SQLTLS        `yaml:"tls,omitempty"`
	MaxConnections int           `yaml:"max_connections"`
	QueryTimeout   time.Duration `yaml:"query_timeout"` // 0: none
	MaxRows        int64         `yaml:"max_rows"`      // rows a result may have; 0: no limit

	fileUsers map[string]*SQLUser // from UsersFile, checked at load
}

// SQLDatabase is a read-only database of the endpoint.
type SQLDatabase struct {
	// Tables are path.Match patterns of table names: agg_*, events_clean, *.
	Tables []string `yaml:"tables"`
}

// SQLUser is an account of the endpoint. Its password is given as the
// mysql_native_password hash MySQL stores (`*` and 40 hex digits, made by
// `hetl sql hash-password`), inline or from a file or variable.
type SQLUser struct {
	PasswordHash     string `yaml:"password_hash,omitempty"`
	PasswordHashFile string `yaml:"password_hash_file,omitempty"`
	PasswordHashEnv  string `yaml:"password_hash_env,omitempty"`
	// Databases the user may query; "*" is all of them.
	Databases []string `yaml:"databases"`
}

// SQLTLS turns TLS on for the endpoint.
type SQLTLS struct {
	CertFile string `yaml:"cert_file,omitempty"`
	KeyFile  string `yaml:"key_file,omitempty"`
	// RequireSecureTransport refuses connections without TLS.
	RequireSecureTransport bool `yaml:"require_secure_transport,omitempty"`
}

// Enabled reports whether a certificate is configured.
func (t SQLTLS) Enabled() bool { return t.CertFile != "" }

// ResolvedSQLUser is a user with its hash read.
type ResolvedSQLUser struct {
	Name      string
	Hash      string // canonical mysql_native_password hash
	Databases []string
}

// DatabaseTables returns the endpoint's databases: name → table patterns.
func (s *SQL) DatabaseTables() map[string][]string {
	if len(s.Databases) == 0 {
		return map[string][]string{DefaultSQLDatabase: {"*"}}
	}
	out := make(map[string][]string, len(s.Databases))
	for name, d := range s.Databases {
		out[name] = append([]string(nil), d.Tables...)
	}
	return out
}

// DatabaseNames lists the endpoint's databases, sorted.
func (s *SQL) DatabaseNames() []string {
	var names []string
	for n := range s.DatabaseTables() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ResolvedUsers returns every user (sql.users and sql.users_file), sorted
// by name, with hashes read from their files and variables now.
func (s *SQL) ResolvedUsers(ctx context.Context) ([]ResolvedSQLUser, error) {
	all := map[string]*SQLUser{}
	for n, u := range s.Users {
		all[n] = u
	}
	for n, u := range s.fileUsers {
		all[n] = u
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]ResolvedSQLUser, 0, len(names))
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		u := all[n]
		raw, err := u.rawHash(os.LookupEnv)
		if err != nil {
			return nil, fmt.Errorf("sql user %s: %w", n, err)
		}
		h, err := password.Check(raw)
		if err != nil {
			return nil, fmt.Errorf("sql user %s: %w", n, err)
		}
		dbs := u.Databases
		if len(dbs) == 1 && dbs[0] == "*" {
			dbs = s.DatabaseNames()
		}
		out = append(out, ResolvedSQLUser{Name: n, Hash: h, Databases: append([]string(nil), dbs...)})
	}
	return out, nil
}

// rawHash reads the user's hash from where it is given.
func (u *SQLUser) rawHash(lookup LookupEnv) (string, error) {
	switch {
	case u.PasswordHash != "":
		return u.PasswordHash, nil
	case u.PasswordHashFile != "":
		b, err := os.ReadFile(u.PasswordHashFile)
		if err != nil {
			return "", fmt.Errorf("read password_hash_file: %w", unwrapPathErr(err))
		}
		return strings.TrimSpace(string(b)), nil
	case u.PasswordHashEnv != "":
		v, ok := lookup(u.PasswordHashEnv)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", u.PasswordHashEnv)
		}
		return strings.TrimSpace(v), nil
	}
	return "", errors.New("no password_hash, password_hash_file or password_hash_env")
}

var (
	sqlDatabaseRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	// MySQL account names are at most 32 characters.
	sqlUserRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$`)
)

func (c *Config) validateSQL(lookup LookupEnv) error {
	s := &c.SQL
	if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
		return c.errorf("sql.listen", "%q: want host:port, e.g. 127.0.0.1:3307", s.Listen)
	}
	dbNames := make([]string, 0, len(s.Databases))
	for n := range s.Databases {
		dbNames = append(dbNames, n)
	}
	sort.Strings(dbNames)
	for _, n := range dbNames {
		key := "sql.databases." + n
		if !sqlDatabaseRE.MatchString(n) {
			return c.errorf(key, "database name %q: want letters, digits and _, starting with a letter or _", n)
		}
		if l := strings.ToLower(n); l == "information_schema" || l == "mysql" {
			return c.errorf(key, "database name %q is reserved", n)
		}
		d := s.Databases[n]
		if d == nil || len(d.Tables) == 0 {
			return c.errorf(key, "tables: name at least one table or pattern (* for all)")
		}
		for _, p := range d.Tables {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				return c.errorf(key+".tables", "%q is not a table name pattern (path.Match syntax: agg_*, events_clean, *)", p)
			}
		}
	}
	known := map[string]bool{}
	for _, n := range s.DatabaseNames() {
		known[n] = true
	}
	if err := c.validateSQLUsers("sql.users", s.Users, known, lookup, c.errorf); err != nil {
		return err
	}
	s.fileUsers = nil
	if s.UsersFile != "" {
		users, err := loadSQLUsersFile(s.UsersFile)
		if err != nil {
			return err
		}
		for n := range users {
			if _, dup := s.Users[n]; dup {
				return &Error{File: s.UsersFile, Line: users[n].line, Key: n, Msg: fmt.Sprintf("user %s is also in %s sql.users", n, c.File)}
			}
		}
		plain := map[string]*SQLUser{}
		for n, u := range users {
			plain[n] = &u.SQLUser
		}
		fileErr := func(key, format string, args ...any) error {
			name, _, _ := strings.Cut(key, ".")
			line := 0
			if u, ok := users[name]; ok {
				line = u.line
			}
			return &Error{File: s.UsersFile, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
		}
		if err := c.validateSQLUsers("", plain, known, lookup, fileErr); err != nil {
			return err
		}
		s.fileUsers = plain
	}
	t := s.TLS
	if (t.CertFile == "") != (t.KeyFile == "") {
		return c.errorf("sql.tls", "set both cert_file and key_file, or neither")
	}
	for key, f := range map[string]string{"sql.tls.cert_file": t.CertFile, "sql.tls.key_file": t.KeyFile} {
		if f == "" {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			return c.errorf(key, "cannot read %s: %v", f, unwrapPathErr(err))
		}
		fh.Close()
	}
	if t.RequireSecureTransport && t.CertFile == "" {
		return c.errorf("sql.tls.require_secure_transport", "needs cert_file and key_file")
	}
	if s.MaxConnections < 1 {
		return c.errorf("sql.max_connections", "%d: want at least 1", s.MaxConnections)
	}
	if s.QueryTimeout < 0 {
		return c.errorf("sql.query_timeout", "must not be negative (0: no timeout)")
	}
	if s.MaxRows < 0 {
		return c.errorf("sql.max_rows", "must not be negative (0: no limit)")
	}
	return nil
}

// validateSQLUsers checks users; prefix is their key path ("" in a users
// file), errorf reports a problem at a key.
func (c *Config) validateSQLUsers(prefix string, users map[string]*SQLUser, dbs map[string]bool, lookup LookupEnv, errorf func(string, string, ...any) error) error {
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		key := joinKey(prefix, n)
		u := users[n]
		if !sqlUserRE.MatchString(n) {
			return errorf(key, "user name %q: want at most 32 letters, digits, '_', '.' or '-'", n)
		}
		if u == nil {
			return errorf(key, "empty user: give password_hash (or _file or _env) and databases")
		}
		set := 0
		for _, v := range []string{u.PasswordHash, u.PasswordHashFile, u.PasswordHashEnv} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			return errorf(key, "set exactly one of password_hash, password_hash_file and password_hash_env (make a hash with: hetl sql hash-password)")
		}
		if u.PasswordHashEnv != "" && !varRE.MatchString(u.PasswordHashEnv) {
			return errorf(key+".password_hash_env", "%q is not an environment variable name", u.PasswordHashEnv)
		}
		raw, err := u.rawHash(lookup)
		if err != nil {
			return errorf(key, "%v", err)
		}
		if _, err := password.Check(raw); err != nil {
			return errorf(key, "password hash: %v", err)
		}
		if len(u.Databases) == 0 {
			return errorf(key+".databases", "name the databases the user may query ([\"*\"] for all)")
		}
		for _, d := range u.Databases {
			if d == "*" && len(u.Databases) == 1 {
				continue
			}
			if !dbs[d] {
				var have []string
				for n := range dbs {
					have = append(have, n)
				}
				sort.Strings(have)
				return errorf(key+".databases", "unknown database %q (sql.databases has %s; \"*\" alone means all)", d, strings.Join(have, ", "))
			}
		}
	}
	return nil
}

// fileUser is a user of a users file with the line it starts on.
type fileUser struct {
	SQLUser
	line int
}

// loadSQLUsersFile reads a users file strictly: a mapping of user names to
// users, unknown keys refused with file, line and key.
func loadSQLUsersFile(file string) (map[string]*fileUser, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read the sql users file: %v", unwrapPathErr(err))}
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]*fileUser{}, nil
		}
		return nil, yamlError(file, err)
	}
	root := doc.Content[0]
	var users map[string]*SQLUser
	if err := checkKeys(file, root, reflect.TypeOf(users), "", map[string]int{}); err != nil {
		return nil, err
	}
	if err := root.Decode(&users); err != nil {
		return nil, yamlError(file, err)
	}
	out := map[string]*fileUser{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		name := root.Content[i].Value
		fu := &fileUser{line: root.Content[i].Line}
		if u := users[name]; u != nil {
			fu.SQLUser = *u
		}
		out[name] = fu
	}
	return out, nil
}
