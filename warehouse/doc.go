// Package warehouse owns where hetl's tables live: the filesystem seam (FS,
// with local-disk, HDFS, in-memory and fault-injecting implementations),
// warehouse locations, and the atomic replacement of a directory
// (ReplaceDir). Table layout, Parquet files, publish and _SUCCESS manifests
// build on these.
//
// # The filesystem seam
//
// Every FS passes the conformance suite in package warehouse/fstest, which
// pins down these invariants:
//   - Every call that does I/O takes a ctx first; a done ctx fails the call
//     before it starts. HDFS namenode calls cannot be interrupted once sent.
//   - Paths are slash-separated, relative to the filesystem's root and
//     cleaned ("/a//b/" is "a/b"; "" is the root). A path with a ".."
//     element, a backslash or a NUL is rejected with ErrInvalidPath, so no
//     name leaves the root.
//   - Errors are *fs.PathError values that satisfy errors.Is with
//     fs.ErrNotExist, fs.ErrExist, fs.ErrPermission, ErrNotEmpty, ErrIsDir,
//     ErrNotDir or ErrInvalidPath, whatever the backing store said.
//   - Create creates missing parents and never replaces an existing file
//     (fs.ErrExist) unless CreateOptions.Overwrite asks. The name is taken
//     at once and the file grows as it is written, as on a local disk or
//     HDFS: readers must not look at files being written, so writers work
//     under a temporary directory and publish by renaming it.
//   - A file's content is complete only after its writer's Close returned
//     nil; Close's error must always be checked (on HDFS it is where the
//     last block is acknowledged). LocalFS fsyncs the file and its directory
//     on Close.
//   - Rename never replaces its target (fs.ErrExist), for files and
//     directories alike; HDFS would otherwise replace a file, and its old
//     rename moved a directory inside an existing one. The target's parent
//     must exist. A directory cannot move into itself (ErrInvalidPath).
//   - ReplaceDir is the one way to replace a directory: an atomic swap
//     where the FS is an Exchanger (LocalFS on Linux, MemFS), else rename
//     aside, rename in, remove the old tree (HDFS). See its documentation
//     for what a reader or a crash can observe.
//   - ReadDir and Walk list entries sorted by name (byte order).
//
// # Caveats
//
//   - On HDFS, Rename's "never replace" is a check followed by a rename,
//     since colinmarc/hdfs only renames with OVERWRITE: two writers racing
//     for one target must be kept apart by a lease (package metastore).
//   - colinmarc/hdfs cannot retry allocating a block when the namenode
//     answers NotReplicatedYet, as the Java client does. The HDFS writer
//     therefore never asks it to: at each block boundary it completes the
//     file and reopens it for append. CreateOptions.SizeHint lets a file be
//     written as one block instead.
//   - Kerberos (HDFSOptions.Kerberos, kerberos.go) is tested against a
//     MiniKdc and a Kerberized mini HDFS with SASL data transfer
//     (dfs.data.transfer.protection=authentication). RPC integrity/privacy
//     and HA namenodes with Kerberos are implemented by colinmarc/hdfs but
//     not tested here. Only FILE: ticket caches are read, and a client
//     from a ticket cache cannot renew it (a keytab can).
package warehouse
