package config

import (
	"bytes"
	"net/url"

	"gopkg.in/yaml.v3"
)

// Redacted renders the effective configuration as YAML, safe to print: a
// Config holds no secrets (only password_file and password_env references),
// any URL that still carried a password would be masked, and the SQL
// users' inline password hashes are masked.
func (c *Config) Redacted() ([]byte, error) {
	cp := *c
	cp.Connections = make(map[string]*Connection, len(c.Connections))
	for name, conn := range c.Connections {
		cc := *conn
		cc.URL = redactURL(cc.URL)
		cp.Connections[name] = &cc
	}
	cp.Metastore.URL = redactURL(cp.Metastore.URL)
	// A password hash is not the password, but with one recorded login it
	// lets an eavesdropper in: never print it.
	cp.SQL.Users = make(map[string]*SQLUser, len(c.SQL.Users))
	for name, u := range c.SQL.Users {
		cu := *u
		if cu.PasswordHash != "" {
			cu.PasswordHash = "****"
		}
		cp.SQL.Users[name] = &cu
	}
	if u, err := url.Parse(cp.Schedules.Webhook.URL); err == nil && u.Host != "" {
		// Webhook paths often are the token: show only where it goes.
		cp.Schedules.Webhook.URL = u.Scheme + "://" + u.Host + "/…"
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&cp); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
