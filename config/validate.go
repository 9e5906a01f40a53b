package config

import (
	"fmt"
	"github.com/hetl/hetl/jobs/spec"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/hetl/hetl/warehouse"
)

var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// Validate checks every value and returns the first problem as an *Error
// naming file, line and key. lookup resolves password_env and
// HADOOP_CONF_DIR; nil means os.LookupEnv.
func (c *Config) Validate(lookup LookupEnv) error {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	names := make([]string, 0, len(c.Connections))
	for name := range c.Connections {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := c.validateConnection(name, c.Connections[name], lookup); err != nil {
			return err
		}
	}
	if err := c.validateWarehouse(lookup); err != nil {
		return err
	}
	if err := c.validateMetastore(lookup); err != nil {
		return err
	}
	if err := c.validateHBase(); err != nil {
		return err
	}
	if c.YARN.ResourceManager != "" {
		u, err := url.Parse(c.YARN.ResourceManager)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c.errorf("yarn.resourcemanager", "%q is not an http(s)://host:port URL", c.YARN.ResourceManager)
		}
	}
	if !oneOf(c.Log.Level, "debug", "info", "warn", "error") {
		return c.errorf("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	}
	if !oneOf(c.Log.Format, "text", "json") {
		return c.errorf("log.format", "%q: want text or json", c.Log.Format)
	}
	if err := c.validateSQL(lookup); err != nil {
		return err
	}
	pnames := make([]string, 0, len(c.Pipelines))
	for name := range c.Pipelines {
		pnames = append(pnames, name)
	}
	sort.Strings(pnames)
	for _, name := range pnames {
		key := "pipelines." + name
		if err := spec.ValidName(name); err != nil {
			return c.errorf(key, "%v", err)
		}
		p := c.Pipelines[name]
		if p == nil {
			return c.errorf(key, "empty pipeline")
		}
		if err := p.Validate(); err != nil {
			return c.errorf(key, "%v", err)
		}
	}
	return c.validateSchedules(lookup)
}

func (c *Config) validateConnection(name string, conn *Connection, lookup LookupEnv) error {
	key := "connections." + name
	if !nameRE.MatchString(name) {
		return c.errorf(key, "connection name %q: use letters, digits, '_' and '-', starting with a letter", name)
	}
	if conn.URL == "" {
		return c.errorf(key, "url is required")
	}
	u, err := ParseMySQLURL(conn.URL)
	if err != nil {
		return c.errorf(key+".url", "%v", err)
	}
	if u.InlinePassword != "" {
		return c.errorf(key+".url", "the URL contains a password; remove it and use password_file or password_env")
	}
	if conn.Username != "" && u.Config.User != "" && conn.Username != u.Config.User {
		return c.errorf(key+".username", "%q differs from the user %q in url", conn.Username, u.Config.User)
	}
	for k := range conn.Params {
		if strings.Contains(strings.ToLower(k), "pass") {
			return c.errorf(key+".params."+k, "passwords never go in params; use password_file or password_env")
		}
	}
	return c.validateSecret(key, conn.PasswordFile, conn.PasswordEnv, lookup)
}

// validateSecret checks a password_file / password_env pair: at most one,
// the file readable, the variable set. The secret itself is never read into
// the Config.
func (c *Config) validateSecret(key, file, env string, lookup LookupEnv) error {
	if file != "" && env != "" {
		return c.errorf(key+".password_env", "set password_file or password_env, not both")
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return c.errorf(key+".password_file", "cannot read password file %s: %v", file, unwrapPathErr(err))
		}
		f.Close()
	}
	if env != "" {
		if !varRE.MatchString(env) {
			return c.errorf(key+".password_env", "%q is not an environment variable name", env)
		}
		if _, ok := lookup(env); !ok {
			return c.errorf(key+".password_env", "environment variable %s is not set", env)
		}
	}
	return nil
}

func (c *Config) validateWarehouse(lookup LookupEnv) error {
	if c.Warehouse.Location == "" {
		return c.errorf("warehouse.location", "is required")
	}
	loc, err := warehouse.ParseLocation(c.Warehouse.Location)
	if err != nil {
		return c.errorf("warehouse.location", "%v", err)
	}
	if loc.Scheme == "hdfs" && loc.NameNode == "" {
		dir := c.HadoopConfDir(lookup)
		if dir == "" {
			return c.errorf("warehouse.location", "%q names no namenode and neither warehouse.hadoop_conf_dir nor HADOOP_CONF_DIR is set", c.Warehouse.Location)
		}
		if _, err := warehouse.DefaultNameNodes(dir); err != nil {
			return c.errorf("warehouse.location", "%q names no namenode: %v", c.Warehouse.Location, err)
		}
	}
	return c.validateKerberos()
}

// validateKerberos checks warehouse.kerberos without contacting a KDC:
// whether the cluster uses Kerberos at all is known only from its Hadoop
// configuration, when the warehouse is opened.
func (c *Config) validateKerberos() error {
	k := c.Warehouse.Kerberos
	if k == (Kerberos{}) {
		return nil
	}
	switch {
	case c.Warehouse.HDFSUser != "":
		return c.errorf("warehouse.hdfs_user", "with warehouse.kerberos the HDFS user is the Kerberos principal; remove hdfs_user")
	case k.Keytab != "" && k.Principal == "":
		return c.errorf("warehouse.kerberos.principal", "is required with warehouse.kerberos.keytab")
	case k.Principal != "" && k.Keytab == "":
		return c.errorf("warehouse.kerberos.keytab", "is required with warehouse.kerberos.principal (or remove both to use the ticket cache)")
	case k.Keytab != "" && k.CCache != "":
		return c.errorf("warehouse.kerberos.ccache", "set keytab or ccache, not both")
	}
	for _, f := range []struct{ key, path string }{
		{"warehouse.kerberos.keytab", k.Keytab},
		{"warehouse.kerberos.krb5_conf", k.Krb5Conf},
	} {
		if f.path == "" {
			continue
		}
		fh, err := os.Open(f.path)
		if err != nil {
			return c.errorf(f.key, "cannot read %s: %v", f.path, unwrapPathErr(err))
		}
		fh.Close()
	}
	if err := c.HDFSOptions().Kerberos.Check(); err != nil {
		return c.errorf("warehouse.kerberos.keytab", "%v", err)
	}
	return nil
}

// HDFSOptions are the options of the warehouse's HDFS filesystem: the
// Hadoop configuration directory, the -D properties, the user, Kerberos.
func (c *Config) HDFSOptions() warehouse.HDFSOptions {
	k := c.Warehouse.Kerberos
	return warehouse.HDFSOptions{
		HadoopConfDir: c.Warehouse.HadoopConfDir,
		Properties:    c.HadoopProperties,
		User:          c.Warehouse.HDFSUser,
		Kerberos: warehouse.KerberosOptions{
			Principal: k.Principal,
			Keytab:    k.Keytab,
			CCache:    k.CCache,
			Krb5Conf:  k.Krb5Conf,
		},
	}
}

// HadoopConfDir is warehouse.hadoop_conf_dir, or else $HADOOP_CONF_DIR.
func (c *Config) HadoopConfDir(lookup LookupEnv) string {
	if c.Warehouse.HadoopConfDir != "" {
		return c.Warehouse.HadoopConfDir
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	dir, _ := lookup("HADOOP_CONF_DIR")
	return dir
}

func (c *Config) validateMetastore(lookup LookupEnv) error {
	m := c.Metastore
	switch {
	case strings.HasPrefix(m.URL, "sqlite:"):
		if strings.TrimPrefix(m.URL, "sqlite:") == "" {
			return c.errorf("metastore.url", "sqlite: needs a file path, e.g. sqlite:/var/lib/hetl/metastore.db")
		}
		if m.PasswordFile != "" || m.PasswordEnv != "" {
			return c.errorf("metastore.password_file", "a SQLite metastore takes no password")
		}
		return nil
	case strings.HasPrefix(m.URL, "mysql://"):
		u, err := ParseMySQLURL(m.URL)
		if err != nil {
			return c.errorf("metastore.url", "%v", err)
		}
		if u.InlinePassword != "" {
			return c.errorf("metastore.url", "the URL contains a password; remove it and use password_file or password_env")
		}
		if u.Config.DBName == "" {
			return c.errorf("metastore.url", "name the database, e.g. mysql://hetl@db:3306/hetl_meta")
		}
		return c.validateSecret("metastore", m.PasswordFile, m.PasswordEnv, lookup)
	}
	return c.errorf("metastore.url", "%q: want sqlite:PATH or mysql://user@host:port/db", m.URL)
}

func (c *Config) validateHBase() error {
	h := c.HBase
	if h.Thrift != "" {
		if _, port, err := net.SplitHostPort(h.Thrift); err != nil || port == "" {
			return c.errorf("hbase.thrift", "%q: want host:port of the Thrift2 gateway", h.Thrift)
		}
	}
	if !oneOf(h.Transport, "buffered", "framed") {
		return c.errorf("hbase.transport", "%q: want buffered or framed", h.Transport)
	}
	if !oneOf(h.Protocol, "binary", "compact") {
		return c.errorf("hbase.protocol", "%q: want binary or compact", h.Protocol)
	}
	if h.CallTimeout <= 0 {
		return c.errorf("hbase.call_timeout", "must be positive")
	}
	return nil
}

func (c *Config) errorf(key, format string, args ...any) error {
	line := 0
	// A problem inside a key reported on the nearest key the file has.
	for k := key; k != ""; {
		if l, ok := c.lines[k]; ok {
			line = l
			break
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return &Error{File: c.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
