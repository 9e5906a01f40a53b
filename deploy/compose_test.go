package deploy

import (
	"encoding/xml"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/warehouse"
)

type compose struct {
	Services map[string]service `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

type service struct {
	Image       string         `yaml:"image"`
	Build       any            `yaml:"build"`
	Healthcheck map[string]any `yaml:"healthcheck"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Secrets []string `yaml:"secrets"`
	Volumes []string `yaml:"volumes"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	data, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("parse docker-compose.yml: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml has no services")
	}
	return c
}

// loadHetlConfig validates deploy/hetl.compose.yaml with hetl's own loader,
// pointing its /run/secrets files at the compose secrets' source files.
func loadHetlConfig(t *testing.T, c compose) *config.Config {
	t.Helper()
	data, err := os.ReadFile("hetl.compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for name, s := range c.Secrets {
		abs, _ := filepath.Abs(filepath.Join("..", s.File))
		text = strings.ReplaceAll(text, "/run/secrets/"+name, abs)
	}
	text = strings.ReplaceAll(text, "hadoop_conf_dir: /etc/hadoop/conf", "hadoop_conf_dir: hadoop-conf")
	cfg, err := config.Parse("deploy/hetl.compose.yaml", []byte(text), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("deploy/hetl.compose.yaml is not a valid hetl configuration: %v", err)
	}
	return cfg
}

// hetlHosts lists the hosts hetl's compose configuration talks to.
func hetlHosts(t *testing.T, cfg *config.Config) map[string]string {
	hosts := map[string]string{}
	for name, conn := range cfg.Connections {
		u, err := config.ParseMySQLURL(conn.URL)
		if err != nil {
			t.Fatal(err)
		}
		hosts["connections."+name] = hostOf(u.Config.Addr)
	}
	loc, err := warehouse.ParseLocation(cfg.Warehouse.Location)
	if err != nil {
		t.Fatal(err)
	}
	hosts["warehouse.location"] = hostOf(loc.NameNode)
	mu, err := config.ParseMySQLURL(cfg.Metastore.URL)
	if err != nil {
		t.Fatal(err)
	}
	hosts["metastore.url"] = hostOf(mu.Config.Addr)
	hosts["hbase.thrift"] = hostOf(cfg.HBase.Thrift)
	rm, err := url.Parse(cfg.YARN.ResourceManager)
	if err != nil {
		t.Fatal(err)
	}
	hosts["yarn.resourcemanager"] = rm.Hostname()
	return hosts
}

func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// siteHosts reads the hosts named by the address properties of a Hadoop or
// HBase *-site.xml.
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
			u, err := url.Parse(p.Value)
			if err == nil && u.Hostname() != "" {
				hosts[p.Name] = u.Hostname()
			}
		case strings.HasSuffix(p.Name, ".address") || strings.HasSuffix(p.Name, ".hostname") || strings.HasSuffix(p.Name, ".quorum"):
			for _, part := range strings.Split(p.Value, ",") {
				hosts[p.Name] = hostOf(part)
			}
		}
	}
	return hosts
}

func TestEveryHostIsAService(t *testing.T) {
	c := loadCompose(t)
	cfg := loadHetlConfig(t, c)
	refs := map[string]string{}
	for k, h := range hetlHosts(t, cfg) {
		refs["deploy/hetl.compose.yaml "+k] = h
	}
	sites, _ := filepath.Glob("hadoop-conf/*.xml")
	sites = append(sites, "hbase/hbase-site.xml")
	for _, f := range sites {
		for k, h := range siteHosts(t, f) {
			refs["deploy/"+f+" "+k] = h
		}
	}
	if len(refs) < 8 {
		t.Fatalf("found only %d host references: %v", len(refs), refs)
	}
	for where, host := range refs {
		if _, ok := c.Services[host]; !ok {
			t.Errorf("%s names host %q, which is not a service in docker-compose.yml", where, host)
		}
	}
}

func TestServicesAreHealthChecked(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		if len(s.Healthcheck) == 0 {
			t.Errorf("service %s has no healthcheck", name)
		}
		for dep, d := range s.DependsOn {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("service %s depends on %s, which does not exist", name, dep)
			}
			if d.Condition != "service_healthy" {
				t.Errorf("service %s depends on %s with condition %q, want service_healthy", name, dep, d.Condition)
			}
		}
		for _, sec := range s.Secrets {
			if _, ok := c.Secrets[sec]; !ok {
				t.Errorf("service %s uses secret %s, which is not declared", name, sec)
			}
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join("..", src)); err != nil {
					t.Errorf("service %s mounts %s, which does not exist", name, src)
				}
			}
		}
	}
	for name, s := range c.Secrets {
		if _, err := os.Stat(filepath.Join("..", s.File)); err != nil {
			t.Errorf("secret %s: file %s does not exist", name, s.File)
		}
	}
}

func TestHetlServicesDependOnWhatTheyUse(t *testing.T) {
	c := loadCompose(t)
	cfg := loadHetlConfig(t, c)
	used := map[string]bool{}
	for _, h := range hetlHosts(t, cfg) {
		used[h] = true
	}
	for _, name := range []string{"hetl-scheduler", "hetl-sql"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("docker-compose.yml has no %s service", name)
		}
		if s.Build != "." {
			t.Errorf("%s builds from %v, want the repository's Dockerfile (build: .)", name, s.Build)
		}
		var missing []string
		for _, need := range []string{"mysql", "namenode", "datanode"} {
			if !used[need] && need != "datanode" {
				t.Errorf("hetl's compose config does not use %s", need)
			}
			if _, ok := s.DependsOn[need]; !ok {
				missing = append(missing, need)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s does not depend on %v", name, missing)
		}
	}
	for host := range used {
		if _, ok := c.Services["hetl-scheduler"].DependsOn[host]; !ok {
			t.Errorf("hetl-scheduler uses %s but does not depend on it", host)
		}
	}
	if _, err := os.Stat("../Dockerfile"); err != nil {
		t.Errorf("Dockerfile: %v", err)
	}
	if _, err := os.Stat("hbase/Dockerfile"); err != nil {
		t.Errorf("deploy/hbase/Dockerfile: %v", err)
	}
}
