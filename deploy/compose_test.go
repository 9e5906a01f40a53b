package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// compose is the part of docker-compose.yml these tests read.
type compose struct {
	Services map[string]service `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

type service struct {
	Image         string         `yaml:"image"`
	Build         any            `yaml:"build"`
	Healthcheck   map[string]any `yaml:"healthcheck"`
	NoHealthcheck string         `yaml:"x-no-healthcheck"` // why a service has none
	DependsOn     map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Environment map[string]string `yaml:"environment"` // the map form; a list would fail to parse
	Secrets     []string          `yaml:"secrets"`
	Volumes     []string          `yaml:"volumes"`
}

// hetlServices are the services that run hetl itself.
var hetlServices = []string{"hetl-scheduler", "hetl-sql"}

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

// mount is one "source:target[:mode]" volume of a service.
func mount(v string) (source, target string) {
	source, rest, _ := strings.Cut(v, ":")
	target, _, _ = strings.Cut(rest, ":")
	return source, target
}

func TestEveryServiceIsHealthChecked(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		switch {
		case len(s.Healthcheck) > 0 && s.NoHealthcheck != "":
			t.Errorf("service %s has a healthcheck and x-no-healthcheck", name)
		case len(s.Healthcheck) == 0 && s.NoHealthcheck == "":
			t.Errorf("service %s has no healthcheck and no x-no-healthcheck saying why", name)
		}
		for dep, d := range s.DependsOn {
			target, ok := c.Services[dep]
			if !ok {
				t.Errorf("service %s depends on %s, which is not a service", name, dep)
				continue
			}
			// Waiting for a health check, or for a one-shot job to finish;
			// never merely for a container to start.
			want := "service_healthy"
			if len(target.Healthcheck) == 0 {
				want = "service_completed_successfully"
			}
			if d.Condition != want {
				t.Errorf("service %s depends on %s with condition %q, want %s", name, dep, d.Condition, want)
			}
		}
	}
}

func TestSecretsAndMountsExist(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Secrets {
		if _, err := os.Stat(filepath.Join("..", s.File)); err != nil {
			t.Errorf("secret %s: %v", name, err)
		}
	}
	for name, s := range c.Services {
		for _, sec := range s.Secrets {
			if _, ok := c.Secrets[sec]; !ok {
				t.Errorf("service %s uses secret %s, which is not declared", name, sec)
			}
		}
		for _, v := range s.Volumes {
			if src, _ := mount(v); strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join("..", src)); err != nil {
					t.Errorf("service %s mounts %s: %v", name, src, err)
				}
			}
		}
	}
}

func TestHetlServicesBuildFromDockerfile(t *testing.T) {
	c := loadCompose(t)
	for _, name := range hetlServices {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("docker-compose.yml has no %s service", name)
			continue
		}
		if s.Build != "." {
			t.Errorf("%s builds from %v, want the repository's Dockerfile (build: .)", name, s.Build)
		}
	}
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// The runtime stage (the last FROM) must drop root.
	stages := strings.Split(string(data), "\nFROM ")
	if !strings.Contains(stages[len(stages)-1], "\nUSER ") || strings.Contains(stages[len(stages)-1], "\nUSER root") {
		t.Errorf("Dockerfile's runtime stage does not switch to a non-root USER")
	}
	if _, err := os.Stat("../.dockerignore"); err != nil {
		t.Errorf("no .dockerignore: the build context would carry .hetl-test and .git: %v", err)
	}
}

// Passwords reach containers as files (compose secrets), never as values in
// the environment, where `docker inspect` and child processes see them.
func TestNoPasswordInEnvironment(t *testing.T) {
	c := loadCompose(t)
	for name, s := range c.Services {
		for k := range s.Environment {
			upper := strings.ToUpper(k)
			if (strings.Contains(upper, "PASSWORD") || strings.Contains(upper, "SECRET")) && !strings.HasSuffix(upper, "_FILE") {
				t.Errorf("service %s sets %s in its environment; pass a file (%s_FILE) from a secret", name, k, k)
			}
		}
	}
}
