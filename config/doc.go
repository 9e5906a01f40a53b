// Package config loads and validates hetl.yaml.
//
// Loading is strict and in this order: the YAML is parsed; ${VAR} and
// ${VAR:-default} in scalar values are replaced from the environment ($$ is a
// literal dollar); every key is checked against the schema, so an unknown key
// is an error naming the file, line and key path; values are decoded;
// defaults are filled in; Validate checks every value. Every error is a
// *Error carrying file, line and key.
//
// Secrets are never part of a Config: connections and the metastore name a
// password_file or password_env, read only when a connection is opened
// (Connection.Password). A password inline in the file, or inside a URL, is
// rejected. Config.Redacted is safe to print.
//
// ParseMySQLURL, shared with the importer's --connect flag, accepts the three
// forms users paste: jdbc:mysql://host:port/db?..., mysql://user@host:port/db
// and go-sql-driver DSNs.
package config
