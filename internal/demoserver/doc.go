// Package demoserver runs go-mysql-server in memory as the MySQL-compatible
// server of hetl's demo (see ingest/demo). It lives outside the hetl binary,
// in cmd/hetl-demo-mysql: linking go-mysql-server costs every process that
// contains it about 340 ms of start-up and 20 MiB of heap (its ICU regex
// engine initialises at package init), which hetl's commands must not pay.
package demoserver
