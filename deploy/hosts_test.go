package deploy

import (
	"encoding/xml"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// hetlConfig reads deploy/hetl.compose.yaml as plain YAML, so these checks
// do not depend on the config package's types.
func hetlConfig(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile("hetl.compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("parse deploy/hetl.compose.yaml: %v", err)
	}
	return cfg
}

// str returns the string at a dotted path of a YAML map, or "".
func str(m map[string]any, path string) string {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[k]
	}
	s, _ := v.(string)
	return s
}

// urlHost is the host of a URL; jdbc: prefixes are dropped.
func urlHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(strings.TrimPrefix(raw, "jdbc:"))
	if err != nil || u.Hostname() == "" {
		t.Errorf("%q is not a URL with a host", raw)
		return ""
	}
	return u.Hostname()
}

// hetlHosts maps each place in hetl's compose config that names a host to
// that host.
func hetlHosts(t *testing.T, cfg map[string]any) map[string]string {
	hosts := map[string]string{}
	conns, _ := cfg["connections"].(map[string]any)
	for name := range conns {
		key := "connections." + name + ".url"
		hosts[key] = urlHost(t, str(cfg, key))
	}
	for _, key := range []string{"warehouse.location", "metastore.url", "yarn.resourcemanager"} {
		hosts[key] = urlHost(t, str(cfg, key))
	}
	h, _, err := net.SplitHostPort(str(cfg, "hbase.thrift"))
	if err != nil {
		t.Errorf("hbase.thrift: %v", err)
	}
	hosts["hbase.thrift"] = h
	return hosts
}

// siteHosts maps the address properties of a Hadoop or HBase *-site.xml to
// the hosts they name.
func siteHosts(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var site struct {
		Properties []struct {
			Name  string `xml:"name"`
			Value string `xml:"value"`
		} `xml:"property"`
	}
	if err := xml.Unmarshal(data, &site); err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	hosts := map[string]string{}
	for _, p := range site.Properties {
		switch {
		case strings.Contains(p.Value, "://"):
			hosts[p.Name] = urlHost(t, p.Value)
		case strings.HasSuffix(p.Name, ".address") || strings.HasSuffix(p.Name, ".hostname") ||
			strings.HasSuffix(p.Name, ".quorum"):
			for i, part := range strings.Split(p.Value, ",") {
				h, _, err := net.SplitHostPort(part)
				if err != nil {
					h = part
				}
				hosts[fmt.Sprintf("%s[%d]", p.Name, i)] = h
			}
		}
	}
	return hosts
}

func TestEveryHostIsAService(t *testing.T) {
	c := loadCompose(t)
	refs := map[string]string{}
	for k, h := range hetlHosts(t, hetlConfig(t)) {
		refs["deploy/hetl.compose.yaml "+k] = h
	}
	sites, _ := filepath.Glob("hadoop-conf/*.xml")
	sites = append(sites, "hbase/hbase-site.xml")
	for _, f := range sites {
		for k, h := range siteHosts(t, f) {
			refs["deploy/"+f+" "+k] = h
		}
	}
	for _, must := range []string{
		"deploy/hadoop-conf/core-site.xml fs.defaultFS",
		"deploy/hadoop-conf/yarn-site.xml yarn.resourcemanager.address[0]",
		"deploy/hetl.compose.yaml warehouse.location",
	} {
		if _, ok := refs[must]; !ok {
			t.Errorf("no host found for %s", must)
		}
	}
	for where, host := range refs {
		if _, ok := c.Services[host]; !ok {
			t.Errorf("%s names host %q, which is not a service in docker-compose.yml", where, host)
		}
	}
}

// hetl's services wait, healthy, for every service its configuration names
// (the scheduler runs everything; the SQL endpoint reads the warehouse and
// the metastore), mount its secrets and the Hadoop conf dir.
func TestHetlServicesDependOnWhatTheyUse(t *testing.T) {
	c := loadCompose(t)
	cfg := hetlConfig(t)
	uses := map[string][]string{"hetl-scheduler": nil, "hetl-sql": {"mysql", "namenode", "datanode"}}
	for _, h := range hetlHosts(t, cfg) {
		uses["hetl-scheduler"] = append(uses["hetl-scheduler"], h)
	}
	uses["hetl-scheduler"] = append(uses["hetl-scheduler"], "datanode") // HDFS data goes to datanodes
	for name, needs := range uses {
		s := c.Services[name]
		for _, need := range needs {
			if d, ok := s.DependsOn[need]; !ok || d.Condition != "service_healthy" {
				t.Errorf("%s uses %s but does not depend on it being healthy", name, need)
			}
		}
		for _, key := range []string{"connections.app.password_file", "metastore.password_file"} {
			file := str(cfg, key)
			sec, ok := strings.CutPrefix(file, "/run/secrets/")
			if !ok || !contains(s.Secrets, sec) {
				t.Errorf("%s: %s %q is not one of its secrets %v", name, key, file, s.Secrets)
			}
		}
		confDir := str(cfg, "warehouse.hadoop_conf_dir")
		mounted := false
		for _, v := range s.Volumes {
			if src, dst := mount(v); dst == confDir && src == "./deploy/hadoop-conf" {
				mounted = true
			}
		}
		if !mounted {
			t.Errorf("%s does not mount ./deploy/hadoop-conf at warehouse.hadoop_conf_dir %q", name, confDir)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
