// Package pii protects personal data at import time, before anything is
// written to the warehouse.
//
// Users name a column and an action with --pii COL=ACTION (repeatable);
// ParseRules reads those flags and NewPlan checks them against the import's
// Arrow schema. The actions are:
//
//   - hash: keyed HMAC-SHA256 of the value, as 64 lowercase hex characters.
//     The same value and key give the same hash in every import, so hashed
//     columns still join and count distinct across tables and runs. Unlike
//     a plain SHA-256, the hash cannot be reversed by hashing a dictionary
//     of likely values (emails, phone numbers) without the key.
//   - mask: format-aware and keyless. An email keeps only its domain
//     ("*@example.com"), an IPv4 address its /24, an IPv6 address its /48
//     (IPv4-mapped IPv6 counts as IPv4), a phone number its last two digits
//     with separators kept; anything else keeps its first character and
//     every other character becomes '*'. See MaskValue.
//   - scrub: for free text such as log messages. Emails, IPv4 and IPv6
//     addresses, and phone numbers (international "+49 30 1234567" or
//     grouped "(555) 123-4567"; bare digit runs such as order numbers are
//     left alone) found inside the text are replaced by "<h:" + the first
//     16 hex characters of their keyed hash + ">"; the rest of the text is
//     kept. The prefix is the same HMAC as hash, so a scrubbed address can
//     still be matched against a hashed column.
//   - drop: the column is not written at all.
//
// Hash, mask and scrub apply to utf8 and binary columns (arrow STRING,
// LARGE_STRING, BINARY, LARGE_BINARY); the result is always utf8 (large
// utf8 for large input). Drop applies to any column. NULLs stay NULL.
// Protected fields carry the metadata "hetl.pii" = "hash:<fingerprint>",
// "scrub:<fingerprint>" or "mask", so readers can tell a hash from data.
//
// # Key handling
//
// The HMAC key is loaded by LoadKey from exactly one source, a file or an
// environment variable. A key file that group or others may access (mode &
// 0o077 != 0) is refused with an error rather than a warning: by the time
// a warning is read the key may already be copied. The check is skipped on
// Windows, where file modes do not describe access. Keys shorter than
// MinKeyBytes are refused.
//
// The key's bytes never leave the package: Key prints as "[redacted]"
// through fmt (every verb), slog and text/JSON marshalling; no error
// carries it; and it is never stored beside the data. Manifests and field
// metadata carry only Key.Fingerprint, which names the key without
// revealing it.
//
// # Memory and concurrency
//
// Plan.Apply allocates its output with memory.DefaultAllocator, like the
// rest of the import pipeline; NewPlan keeps the signature the import
// command uses and takes no allocator. A Plan is immutable after NewPlan
// and Apply may be called from several goroutines at once.
package pii
