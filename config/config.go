package config

import (
	"time"

	"github.com/hetl/hetl/jobs/spec"
)

// Config is hetl.yaml, decoded, with defaults filled in.
type Config struct {
	Connections map[string]*Connection `yaml:"connections,omitempty"`
	Warehouse   Warehouse              `yaml:"warehouse"`
	Metastore   Metastore              `yaml:"metastore"`
	HBase       HBase                  `yaml:"hbase"`
	YARN        YARN                   `yaml:"yarn"`
	Log         Log                    `yaml:"log"`
	// SQL is the analysts' SQL endpoint (see SQL).
	SQL SQL `yaml:"sql"`
	// Imports are saved imports declared in the file (see Import).
	Imports map[string]Import `yaml:"imports,omitempty"`
	// Pipelines are hourly pipelines (see package jobs/spec and
	// docs/pipelines.md).
	Pipelines map[string]*spec.Pipeline `yaml:"pipelines,omitempty"`
	// Schedules drive imports and pipelines from `hetl schedule` (see
	// docs/scheduling.md).
	Schedules Schedules `yaml:"schedules"`

	// HadoopProperties are the -D key=value generic options of the command
	// line; they override the Hadoop configuration read from HADOOP_CONF_DIR.
	HadoopProperties map[string]string `yaml:"-"`

	// File is the path the configuration was read from; "" for defaults.
	File string `yaml:"-"`

	lines map[string]int // key path → line, for validation messages
}

// Connection is a named MySQL source.
type Connection struct {
	URL          string            `yaml:"url"`
	Username     string            `yaml:"username,omitempty"`
	PasswordFile string            `yaml:"password_file,omitempty"`
	PasswordEnv  string            `yaml:"password_env,omitempty"`
	Params       map[string]string `yaml:"params,omitempty"`

	name string
}

// Warehouse says where tables live.
type Warehouse struct {
	// Location is a local path, file:///path, hdfs://namenode:port/path, or
	// hdfs:///path (namenode from fs.defaultFS in HADOOP_CONF_DIR).
	Location      string `yaml:"location"`
	HadoopConfDir string `yaml:"hadoop_conf_dir,omitempty"`
	HDFSUser      string `yaml:"hdfs_user,omitempty"`
	// Kerberos is how to log in to a cluster whose Hadoop configuration
	// sets hadoop.security.authentication=kerberos.
	Kerberos Kerberos `yaml:"kerberos,omitempty"`
}

// Kerberos is warehouse.kerberos: a keytab and principal, or a ticket
// cache (the default: $KRB5CCNAME, else /tmp/krb5cc_<uid>).
type Kerberos struct {
	Principal string `yaml:"principal,omitempty"`
	Keytab    string `yaml:"keytab,omitempty"`
	CCache    string `yaml:"ccache,omitempty"`
	Krb5Conf  string `yaml:"krb5_conf,omitempty"`
}

// Metastore says where hetl keeps runs, watermarks, saved jobs and leases.
type Metastore struct {
	URL          string `yaml:"url"` // sqlite:PATH or mysql://user@host:port/db
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
}

// HBase is the Thrift2 gateway; an empty Thrift address turns HBase off.
type HBase struct {
	Thrift      string        `yaml:"thrift,omitempty"`
	Transport   string        `yaml:"transport"`
	Protocol    string        `yaml:"protocol"`
	CallTimeout time.Duration `yaml:"call_timeout"`
}

// YARN is the ResourceManager; an empty address means the local executor only.
type YARN struct {
	ResourceManager string `yaml:"resourcemanager,omitempty"`
	User            string `yaml:"user,omitempty"`
}

// Log configures hetl's structured logs.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Default is the configuration used when there is no file: everything local
// under ./.hetl, no HBase, no YARN.
func Default() *Config {
	return &Config{
		Warehouse: Warehouse{Location: ".hetl/warehouse"},
		Metastore: Metastore{URL: "sqlite:.hetl/metastore.db"},
		HBase:     HBase{Transport: "buffered", Protocol: "binary", CallTimeout: time.Minute},
		Log:       Log{Level: "info", Format: "text"},
		SQL:       SQL{Listen: "127.0.0.1:3307", MaxConnections: 100, QueryTimeout: 10 * time.Minute, MaxRows: 1_000_000},
		Schedules: defaultSchedules(),
	}
}

// Connection returns the named connection.
func (c *Config) Connection(name string) (*Connection, bool) {
	conn, ok := c.Connections[name]
	return conn, ok
}

// Name is the connection's key under connections:.
func (c *Connection) Name() string { return c.name }
