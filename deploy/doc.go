// Package deploy holds no code: it tests that the production-like topology
// (docker-compose.yml, Dockerfile, deploy/hetl.compose.yaml and the Hadoop
// and HBase configuration beside it) hangs together, since no Docker engine
// runs where hetl's CI does.
package deploy
