// Package pii protects personal data at import time, before it is written
// to the warehouse.
//
// Rules name a column and an action:
//
//   - hash: keyed HMAC-SHA256, hex. The same value and key give the same
//     hash in every import, so protected columns still join and count
//     distinct; without the key a dictionary of likely values (emails,
//     phone numbers) cannot reverse them.
//   - mask: format-aware: an email keeps only its domain, an IPv4 address
//     its /24, an IPv6 address its /48, a phone number its last two
//     digits; anything else its first character.
//   - scrub: for free text (log messages): emails and IP addresses found
//     inside are replaced by their keyed hash, the rest is kept.
//   - drop: the column is not written at all.
//
// The key comes from a file (not readable by group or others) or an
// environment variable. It is never logged, never printed by %v, never in
// an error, and never stored beside the data: manifests carry only its
// Fingerprint.
package pii
