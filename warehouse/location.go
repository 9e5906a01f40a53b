package warehouse

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/colinmarc/hdfs/v2/hadoopconf"
)

// Location is a parsed warehouse location.
type Location struct {
	Scheme   string // "file" or "hdfs"
	NameNode string // host:port for hdfs://host:port/...; "" for hdfs:///... (use fs.defaultFS)
	Path     string // absolute for hdfs; absolute or relative (to the working directory) for file
}

func (l Location) String() string {
	if l.Scheme == "hdfs" {
		return "hdfs://" + l.NameNode + l.Path
	}
	return l.Path
}

// ParseLocation reads a plain path, file:///path, hdfs://namenode:port/path
// or hdfs:///path.
func ParseLocation(s string) (Location, error) {
	if s == "" {
		return Location{}, errors.New("empty location")
	}
	if !strings.Contains(s, "://") {
		if strings.Contains(s, ":") && !strings.HasPrefix(s, "/") && !strings.HasPrefix(s, ".") {
			scheme, _, _ := strings.Cut(s, ":")
			return Location{}, fmt.Errorf("location %q: unsupported scheme %q (want a path, file:// or hdfs://)", s, scheme)
		}
		return Location{Scheme: "file", Path: filepath.Clean(s)}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // ue.URL could hold a password
		}
		return Location{}, fmt.Errorf("location: %w", err)
	}
	shown := u.Redacted() // never echo a password
	if u.Scheme != "file" && u.Scheme != "hdfs" {
		return Location{}, fmt.Errorf("location %q: unsupported scheme %q (want a path, file:// or hdfs://)", shown, u.Scheme)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return Location{}, fmt.Errorf("location %q: no user, query or fragment allowed", shown)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return Location{}, fmt.Errorf("location %q: file:// URLs name no host (write file:///path)", shown)
		}
		if u.Path == "" {
			return Location{}, fmt.Errorf("location %q: no path", shown)
		}
		return Location{Scheme: "file", Path: filepath.Clean(u.Path)}, nil
	case "hdfs":
		loc := Location{Scheme: "hdfs", Path: path.Clean("/" + u.Path)}
		if u.Host != "" {
			host, port, err := net.SplitHostPort(u.Host)
			if err != nil {
				// hdfs://nameservice/path: an HA nameservice or a host on the default port.
				host, port = u.Host, ""
			}
			if port == "" {
				loc.NameNode = host
			} else {
				loc.NameNode = net.JoinHostPort(host, port)
			}
		}
		return loc, nil
	}
	return Location{}, fmt.Errorf("location %q: unsupported scheme %q (want a path, file:// or hdfs://)", shown, u.Scheme)
}

// DefaultNameNodes reads the namenode addresses of fs.defaultFS (HA
// nameservices resolved) from a HADOOP_CONF_DIR.
func DefaultNameNodes(hadoopConfDir string) ([]string, error) {
	conf, err := hadoopconf.Load(hadoopConfDir)
	if err != nil {
		return nil, fmt.Errorf("read HADOOP_CONF_DIR %s: %w", hadoopConfDir, err)
	}
	nns := conf.Namenodes()
	if len(nns) == 0 {
		return nil, fmt.Errorf("HADOOP_CONF_DIR %s sets no fs.defaultFS", hadoopConfDir)
	}
	return nns, nil
}
