// Package deploy holds no code. Its tests check that the production-like
// topology hangs together, since no Docker engine runs where hetl's CI does:
// docker-compose.yml and the Dockerfile at the repository root, and beside
// this file hetl.compose.yaml (hetl's configuration in that topology),
// hadoop-conf/ (the site files hetl and Hadoop's services share), hbase/ (the
// HBase image), mysql/initdb/ and secrets/ (sandbox-only passwords).
package deploy
