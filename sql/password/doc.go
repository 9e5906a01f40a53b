// Package password makes and checks the password hashes of the SQL
// endpoint's users, in the form MySQL stores them in mysql.user, so a
// hash can be copied from a MySQL server or made with
// `hetl sql hash-password`.
//
// Only mysql_native_password hashes are accepted: `*` and the upper-case
// hex of SHA1(SHA1(password)), 41 characters. Every MySQL and MariaDB
// client speaks that plugin. A hash is not the password, but together
// with one recorded login exchange it lets an eavesdropper log in (a
// weakness of the plugin): keep hashes as private as passwords, and use
// TLS on untrusted networks.
//
// The package has no dependencies, so hetl (which does not link the SQL
// engine) can validate configurations and make hashes.
package password
